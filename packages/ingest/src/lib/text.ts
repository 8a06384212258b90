/**
 * Text inputs, plain or gzip-compressed, streamed: bytes (gzip recognised by its magic number,
 * whatever the name, and a damaged or truncated stream named with its file), text (encoding from
 * the byte-order mark: UTF-8, UTF-16 LE / BE; UTF-32 and BOM-less UTF-16 refused by name) and lines
 * (LF or CRLF).
 */
import { closeSync, createReadStream, openSync, readSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';
import { TextDecoder } from 'node:util';
import { GearsInputError } from '@gears-pipeline/core';

const GZIP_MAGIC = [0x1f, 0x8b];

/** The first `n` bytes of a file (fewer when it is shorter). */
function head(path: string, n: number): Buffer {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(n);
    return buf.subarray(0, readSync(fd, buf, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

/** Whether the file starts with the gzip magic number. */
export function isGzip(path: string): boolean {
  const h = head(path, 2);
  return h.length === 2 && h[0] === GZIP_MAGIC[0] && h[1] === GZIP_MAGIC[1];
}

/** A byte stream of the file, decompressed when it is gzip (by content, not by name). */
export function openBytes(path: string): Readable {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!isGzip(path)) return raw;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/** zlib's own words ("unexpected end of file") name no file: this one does. */
export function gzipError(path: string, e: unknown): unknown {
  const err = e as NodeJS.ErrnoException;
  if (typeof err?.code === 'string' && err.code.startsWith('Z_')) {
    const truncated = err.code === 'Z_BUF_ERROR' || /unexpected end/i.test(err.message);
    return new GearsInputError({
      file: path,
      field: '(gzip)',
      problem: truncated ? `is truncated: the gzip stream ends early (zlib: ${err.message})` : `is damaged: the gzip stream cannot be decompressed (zlib: ${err.message})`,
      fix: 'copy or download the file again completely (`gzip -t` checks a .gz file)',
    });
  }
  return e;
}

/** The file's bytes as a stream of Buffers, with gzip failures named (`gzipError`). */
export async function* readBytes(path: string): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of openBytes(path) as AsyncIterable<Buffer>) yield chunk;
  } catch (e) {
    throw gzipError(path, e);
  }
}

/** Encodings recognised by their byte-order mark. */
export type TextEncodingName = 'utf-8' | 'utf-16le' | 'utf-16be';

/** The encoding from the first bytes: a BOM, else UTF-8; refuses UTF-32 and BOM-less UTF-16 by name. */
export function detectEncoding(path: string, first: Uint8Array): { encoding: TextEncodingName; bom: number } {
  const b = first;
  const refuse = (name: string) =>
    new GearsInputError({ file: path, field: '(encoding)', problem: `is ${name}, which is not supported`, fix: 'save the table as UTF-8 (or UTF-16 with a byte-order mark), e.g. `iconv -f <encoding> -t UTF-8`' });
  if (b[0] === 0xff && b[1] === 0xfe && b[2] === 0 && b[3] === 0) throw refuse('UTF-32 LE (byte-order mark FF FE 00 00)');
  if (b[0] === 0 && b[1] === 0 && b[2] === 0xfe && b[3] === 0xff) throw refuse('UTF-32 BE (byte-order mark 00 00 FE FF)');
  if (b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (b[0] === 0xff && b[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (b[0] === 0xfe && b[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  const n = Math.min(b.length, 4096);
  let nul = 0;
  for (let i = 0; i < n; i++) if (b[i] === 0) nul++;
  if (nul > 0) throw refuse(`binary or UTF-16/UTF-32 without a byte-order mark (${nul} NUL bytes in the first ${n})`);
  return { encoding: 'utf-8', bom: 0 };
}

/** The file's text in decoded chunks (BOM removed). */
export async function* readText(path: string): AsyncGenerator<string> {
  let decoder: TextDecoder | undefined;
  let pending: Buffer | undefined;
  for await (let chunk of readBytes(path)) {
    if (!decoder) {
      // the BOM decision needs 4 bytes; a first chunk shorter than that waits for the next
      chunk = pending ? Buffer.concat([pending, chunk]) : chunk;
      if (chunk.length < 4) {
        pending = chunk;
        continue;
      }
      pending = undefined;
      const { encoding, bom } = detectEncoding(path, chunk);
      decoder = new TextDecoder(encoding);
      chunk = chunk.subarray(bom);
    }
    const s = decoder.decode(chunk, { stream: true });
    if (s) yield s;
  }
  if (!decoder && pending && pending.length > 0) {
    const { encoding, bom } = detectEncoding(path, pending);
    yield new TextDecoder(encoding).decode(pending.subarray(bom));
    return;
  }
  const tail = decoder?.decode();
  if (tail) yield tail;
}

/** The file's lines (without LF / CRLF), streamed. */
export async function* readLines(path: string): AsyncGenerator<string> {
  let rest = '';
  for await (const text of readText(path)) {
    const s = rest + text;
    let at = 0;
    for (let nl = s.indexOf('\n'); nl >= 0; nl = s.indexOf('\n', at)) {
      yield s.charCodeAt(nl - 1) === 13 && nl > at ? s.slice(at, nl - 1) : s.slice(at, nl);
      at = nl + 1;
    }
    rest = s.slice(at);
  }
  if (rest.endsWith('\r')) rest = rest.slice(0, -1);
  if (rest !== '') yield rest;
}

/** All lines of a small file (features, barcodes), trailing empty lines dropped. */
export async function readAllLines(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(path)) out.push(line);
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}
