import { test } from 'node:test';
import assert from 'node:assert/strict';
import { snappyCompress as libraryCompress } from 'hyparquet-writer/src/snappy.js';
import { snappyUncompress } from 'hyparquet';
import { mulberry32 } from './random.ts';
import { snappyCompress, snappyCompressInto, snappyMaxLength, snappyUncompressInto } from './snappy.ts';

/** Inputs of the kinds Parquet pages hold, plus the edge sizes of the algorithm. */
function inputs(): [string, Uint8Array][] {
  const rand = mulberry32(7);
  const out: [string, Uint8Array][] = [];
  for (const n of [0, 1, 3, 4, 14, 15, 16, 17, 31, 60, 61, 62, 255, 256, 257, 1000]) {
    out.push([`random ${n}`, Uint8Array.from({ length: n }, () => Math.floor(rand() * 256))]);
    out.push([`zeros ${n}`, new Uint8Array(n)]);
    out.push([`two symbols ${n}`, Uint8Array.from({ length: n }, () => (rand() < 0.5 ? 97 : 98))]);
  }
  // cell values: log1p of small counts, as float32 (short repeats at short distances)
  const cellValues = Float32Array.from({ length: 300_000 }, () => Math.log1p(Math.floor(rand() * rand() * 6) * 1.7));
  out.push(['cell values', new Uint8Array(cellValues.buffer)]);
  // sorted gene indices as int32 (small steps: long runs of zero bytes)
  let g = 0;
  const geneIndex = Int32Array.from({ length: 200_000 }, () => (g = (g + 1 + Math.floor(rand() * 20)) % 5000));
  out.push(['gene indices', new Uint8Array(geneIndex.buffer)]);
  // repeats further apart than the largest offset (65,535) and long matches (copies of ≥ 68 bytes)
  const block = Uint8Array.from({ length: 70_000 }, () => Math.floor(rand() * 256));
  const far = new Uint8Array(210_000);
  far.set(block, 0);
  far.set(block, 70_000);
  far.set(block.subarray(0, 40_000), 140_000);
  out.push(['far repeats', far]);
  // incompressible stretches long enough for the search step to grow, then a repeat
  const mixed = Uint8Array.from({ length: 100_000 }, (_, i) => (i < 60_000 ? Math.floor(rand() * 256) : i % 97));
  out.push(['incompressible then periodic', mixed]);
  // doubles with few distinct values (condition statistics columns)
  const doubles = Float64Array.from({ length: 50_000 }, () => (rand() < 0.3 ? 0 : Math.round(rand() * 10) / 4));
  out.push(['doubles', new Uint8Array(doubles.buffer)]);
  for (const n of [16_383, 16_384, 16_385, 65_535, 65_536, 65_537]) out.push([`periodic ${n}`, Uint8Array.from({ length: n }, (_, i) => (i * 7) % 251)]);
  return out;
}

test('snappyCompress writes the same bytes as hyparquet-writer and round-trips', () => {
  for (const [name, input] of inputs()) {
    const ours = snappyCompress(input);
    assert.ok(Buffer.from(ours).equals(Buffer.from(libraryCompress(input))), `${name}: identical bytes`);
    assert.ok(ours.length <= snappyMaxLength(input.length), `${name}: within the bound`);
    const back = new Uint8Array(input.length);
    snappyUncompress(ours.subarray(), back);
    assert.ok(Buffer.from(back).equals(Buffer.from(input)), `${name}: decompresses to the input`);
  }
});

test('snappyCompressInto writes at an offset and leaves the bytes before it alone', () => {
  const input = Uint8Array.from({ length: 5000 }, (_, i) => (i * 13) % 17);
  const out = new Uint8Array(10 + snappyMaxLength(input.length)).fill(0xee);
  const end = snappyCompressInto(input, out, 10);
  assert.deepEqual(Array.from(out.subarray(0, 10)), new Array(10).fill(0xee));
  assert.ok(Buffer.from(out.subarray(10, end)).equals(Buffer.from(libraryCompress(input))));
});

test('snappyUncompressInto restores every input and refuses damaged blocks', () => {
  for (const [name, input] of inputs()) {
    const packed = snappyCompress(input);
    const back = new Uint8Array(input.length);
    snappyUncompressInto(packed, back);
    assert.ok(Buffer.from(back).equals(Buffer.from(input)), `${name}: restored`);
  }
  // copies with 4-byte offsets and overlapping copies (not produced by the compressor above)
  const hand = Uint8Array.of(10, 0x08, 97, 98, 99, (6 - 1) << 2 | 3, 3, 0, 0, 0);
  const out = new Uint8Array(10);
  assert.throws(() => snappyUncompressInto(hand, out), /ends after 9 of 10/);
  const ok = new Uint8Array(9);
  snappyUncompressInto(Uint8Array.of(9, 0x08, 97, 98, 99, (6 - 1) << 2 | 3, 3, 0, 0, 0), ok);
  assert.equal(Buffer.from(ok).toString(), 'abcabcabc');
  const packed = snappyCompress(new TextEncoder().encode('hello hello hello hello'));
  assert.throws(() => snappyUncompressInto(packed.subarray(0, packed.length - 2), new Uint8Array(23)), /snappy/);
  assert.throws(() => snappyUncompressInto(packed, new Uint8Array(22)), /holds 23 bytes/);
  assert.throws(() => snappyUncompressInto(Uint8Array.of(4, 0x01 | (1 << 2), 9), new Uint8Array(4)), /outside the output/);
});
