// The byte-level MatrixMarket parser against a plain line-by-line reading, on a file of several
// 1 MiB chunks mixing the fast-path lines with reals, CRLF, tabs, leading spaces and comments.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mulberry32 } from '@gears-pipeline/core';
import { parseMtx, type TripletBatch } from './parse.ts';

test('parseMtx reads every line form across chunk boundaries, plain and gzip', async () => {
  const rand = mulberry32(3);
  const lines: string[] = [];
  const expected: [number, number, number][] = [];
  for (let e = 0; e < 250_000; e++) {
    const i = 1 + Math.floor(rand() * 5000);
    const j = 1 + Math.floor(rand() * 100_000);
    const kind = rand();
    let v = 1 + Math.floor(rand() * 300);
    let line = `${i} ${j} ${v}`;
    if (kind < 0.02) {
      v = Math.round(rand() * 1000) / 8;
      line = `${i} ${j} ${v.toExponential()}`;
    } else if (kind < 0.04) line = `${i}\t${j}\t${v}\r`;
    else if (kind < 0.05) line = `  ${i}  ${j} ${v} `;
    else if (kind < 0.06) lines.push('% a comment line');
    lines.push(line);
    expected.push([i, j, Math.fround(v)]);
  }
  const text = `%%MatrixMarket matrix coordinate real general\n% header comment\n5000 100000 ${expected.length}\n${lines.join('\n')}`;
  assert.ok(text.length > 3 * 2 ** 20, 'several chunks');
  const dir = mkdtempSync(join(tmpdir(), 'gears-mtx-parse-'));
  try {
    for (const [name, bytes] of [['plain.mtx', Buffer.from(text)], ['packed.mtx.gz', gzipSync(text)]] as const) {
      writeFileSync(join(dir, name), bytes);
      const got: [number, number, number][] = [];
      for await (const item of parseMtx(join(dir, name))) {
        if (!('n' in item)) continue;
        const b = item as TripletBatch;
        for (let k = 0; k < b.n; k++) got.push([b.i[k], b.j[k], b.v[k]]);
      }
      assert.deepEqual(got, expected, name);
    }
    // a short line is named by its line number (comment lines of the data part not counted)
    writeFileSync(join(dir, 'short.mtx'), '%%MatrixMarket matrix coordinate integer general\n3 3 3\n1 1 1\n% c\n2 2\n3 3 3\n');
    await assert.rejects(async () => {
      for await (const _ of parseMtx(join(dir, 'short.mtx')));
    }, /line 4: has 2 fields, expected 3/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
