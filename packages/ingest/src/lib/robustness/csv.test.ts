// The table reader: RFC 4180 quoting (separators, quotes and line breaks inside quoted fields),
// CRLF / CR line ends, BOMs (UTF-8, UTF-16 LE / BE decoded), UTF-32 and BOM-less UTF-16 refused by
// name, gzip by content, truncated gzip named, records split across stream chunks.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GearsInputError } from '@gears-pipeline/core';
import { parseCsv, readCsv } from '../csv.ts';
import { readAllLines } from '../text.ts';

const dir = mkdtempSync(join(tmpdir(), 'gears-csv-'));

async function records(text: string | string[], sep = ','): Promise<string[][]> {
  const chunks = Array.isArray(text) ? text : [text];
  async function* gen() {
    for (const c of chunks) yield c;
  }
  const out: string[][] = [];
  for await (const r of parseCsv(gen(), 'x.csv', sep)) out.push(r.fields);
  return out;
}

test('quoted fields hold separators, doubled quotes and line breaks; CRLF and CR end records', async () => {
  const text = 'a,b,c\r\n"x, y","say ""hi""","two\nlines"\r\n1,,3\r"",last,\n';
  const want = [['a', 'b', 'c'], ['x, y', 'say "hi"', 'two\nlines'], ['1', '', '3'], ['', 'last', '']];
  assert.deepEqual(await records(text), want);
  // the same text cut into every possible pair of chunks gives the same records
  for (let cut = 1; cut < text.length; cut++) assert.deepEqual(await records([text.slice(0, cut), text.slice(cut)]), want, `cut at ${cut}`);
});

test('line numbers of records that follow a multi-line field; unclosed quote names its line', async () => {
  const lines: number[] = [];
  async function* gen() {
    yield 'h1,h2\n"a\nb",c\nd,e\n';
  }
  for await (const r of parseCsv(gen(), 't.csv', ',')) lines.push(r.line);
  assert.deepEqual(lines, [1, 2, 4]);
  await assert.rejects(records('a,b\n1,"open\n2,3\n'), (e: Error) => e instanceof GearsInputError && /line 2/.test(e.message) && /never closed/.test(e.message));
});

test('BOMs: UTF-8 stripped, UTF-16 LE and BE decoded, UTF-32 and BOM-less UTF-16 refused naming the encoding', async () => {
  const text = 'condition\tG1\nctrl\t0\n';
  const utf16be = Buffer.from(text, 'utf16le');
  for (let i = 0; i < utf16be.length; i += 2) [utf16be[i], utf16be[i + 1]] = [utf16be[i + 1], utf16be[i]];
  const files: Record<string, Buffer> = {
    'u8.tsv': Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text)]),
    'u16le.tsv': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]),
    'u16be.tsv': Buffer.concat([Buffer.from([0xfe, 0xff]), utf16be]),
    'u16le.tsv.gz': gzipSync(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')])),
  };
  for (const [name, bytes] of Object.entries(files)) {
    writeFileSync(join(dir, name), bytes);
    const got: string[][] = [];
    for await (const r of readCsv(join(dir, name))) got.push(r.fields);
    assert.deepEqual(got, [['condition', 'G1'], ['ctrl', '0']], name);
  }
  writeFileSync(join(dir, 'u32.tsv'), Buffer.concat([Buffer.from([0xff, 0xfe, 0, 0]), Buffer.from('a\tb\n', 'utf16le')]));
  await assert.rejects(readAllLines(join(dir, 'u32.tsv')), (e: Error) => e instanceof GearsInputError && /u32\.tsv/.test(e.message) && /UTF-32 LE/.test(e.message) && /Fix: save the table as UTF-8/.test(e.message));
  writeFileSync(join(dir, 'nobom.tsv'), Buffer.from('a\tb\n1\t2\n', 'utf16le'));
  await assert.rejects(readAllLines(join(dir, 'nobom.tsv')), (e: Error) => e instanceof GearsInputError && /UTF-16/.test(e.message));
});

test('gzip is recognised by content; a truncated .gz is an error naming the file', async () => {
  const body = Array.from({ length: 5000 }, (_, i) => `cell${i}\tA`).join('\n');
  writeFileSync(join(dir, 'named-plain.tsv'), gzipSync(body));
  assert.equal((await readAllLines(join(dir, 'named-plain.tsv'))).length, 5000);
  const gz = gzipSync(body);
  writeFileSync(join(dir, 'cut.tsv.gz'), gz.subarray(0, gz.length - 20));
  await assert.rejects(readAllLines(join(dir, 'cut.tsv.gz')), (e: Error) => e instanceof GearsInputError && /cut\.tsv\.gz: \(gzip\): is truncated/.test(e.message) && /Fix: copy or download/.test(e.message));
});
