/** Plain or gzip-compressed text files, streamed (zlib + readline). */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

/** A byte stream of the file, decompressed when its name ends in `.gz`. */
export function openBytes(path: string): Readable {
  const raw = createReadStream(path, { highWaterMark: 1 << 20 });
  if (!path.endsWith('.gz')) return raw;
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  raw.on('error', (e) => gunzip.destroy(e));
  return raw.pipe(gunzip);
}

/** The file's lines (without line endings), streamed. */
export async function* readLines(path: string): AsyncGenerator<string> {
  const rl = createInterface({ input: openBytes(path), crlfDelay: Infinity });
  for await (const line of rl) yield line;
}

/** All lines of a small file (features, barcodes), trailing empty lines dropped. */
export async function readAllLines(path: string): Promise<string[]> {
  const out: string[] = [];
  for await (const line of readLines(path)) out.push(line);
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out;
}
