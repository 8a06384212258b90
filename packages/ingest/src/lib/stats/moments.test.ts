// Streaming moments: equal to a direct two-pass computation (zeros included), independent of the
// chunking and the shift, stable for large means, and shards merge exactly (Pébay).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellChunk } from '@gears-pipeline/core';
import { MomentAccumulator, mergeMoments, takeConditions } from '../../index.ts';
import { rng } from '../testing/synthetic.ts';

function sparseCells(seed: number, n: number, G: number, offset = 0, density = 0.3) {
  const r = rng(seed);
  const dense = new Float64Array(n * G);
  const conds: string[] = [];
  for (let i = 0; i < n; i++) {
    conds.push(['ctrl', 'A+ctrl', 'A+B'][Math.floor(r() * 3)]);
    for (let g = 0; g < G; g++) if (r() < density) dense[i * G + g] = Math.fround(offset + r() * 3);
  }
  return { dense, conds };
}

function chunksOf(dense: Float64Array, conds: string[], G: number, size: number): CellChunk[] {
  const out: CellChunk[] = [];
  for (let s = 0; s < conds.length; s += size) {
    const e = Math.min(conds.length, s + size);
    const idx: number[] = [];
    const val: number[] = [];
    const indptr = new Int32Array(e - s + 1);
    for (let i = s; i < e; i++) {
      for (let g = 0; g < G; g++) if (dense[i * G + g] !== 0) {
        idx.push(g);
        val.push(dense[i * G + g]);
      }
      indptr[i - s + 1] = idx.length;
    }
    out.push({ cellIds: conds.slice(s, e).map((_, k) => `c${s + k}`), conditions: conds.slice(s, e), nGenes: G, indptr, indices: Int32Array.from(idx), values: Float32Array.from(val) });
  }
  return out;
}

function direct(dense: Float64Array, conds: string[], G: number, cond: string, g: number) {
  const xs: number[] = [];
  conds.forEach((c, i) => c === cond && xs.push(dense[i * G + g]));
  const n = xs.length;
  const mean = xs.reduce((a, b) => a + b, 0) / n;
  const p = (k: number) => xs.reduce((a, b) => a + (b - mean) ** k, 0);
  return { n, mean, m2: p(2), m3: p(3), m4: p(4), nz: xs.filter((x) => x !== 0).length };
}

const names = ['A+B', 'A+ctrl', 'ctrl'];

test('moments equal a direct computation, whatever the chunk size and shift', () => {
  const G = 9;
  const { dense, conds } = sparseCells(5, 301, G);
  for (const [size, shift] of [[1, undefined], [17, Float64Array.from({ length: G }, (_, g) => g * 0.3)], [1000, new Float64Array(G).fill(1)]] as const) {
    const acc = new MomentAccumulator(names, G, shift);
    for (const c of chunksOf(dense, conds, G, size)) acc.add(c);
    const m = acc.result();
    names.forEach((cond, c) => {
      for (let g = 0; g < G; g++) {
        const d = direct(dense, conds, G, cond, g);
        const j = c * G + g;
        assert.equal(m.n[c], d.n);
        assert.equal(m.nonzero[j], d.nz);
        assert.ok(Math.abs(m.mean[j] - d.mean) < 1e-12, 'mean');
        assert.ok(Math.abs(m.m2[j] - d.m2) < 1e-9 * Math.max(1, d.m2), 'm2');
        assert.ok(Math.abs(m.m3[j] - d.m3) < 1e-9 * Math.max(1, Math.abs(d.m3)), 'm3');
        assert.ok(Math.abs(m.m4[j] - d.m4) < 1e-9 * Math.max(1, d.m4), 'm4');
      }
    });
  }
});

test('a large common offset (mean ≫ sd) keeps the moments accurate with the gene-mean shift', () => {
  const G = 3;
  const { dense, conds } = sparseCells(9, 400, G, 1000, 1);
  const shift = new Float64Array(G);
  for (let g = 0; g < G; g++) shift[g] = conds.reduce((a, _, i) => a + dense[i * G + g], 0) / conds.length;
  const acc = new MomentAccumulator(names, G, shift);
  for (const c of chunksOf(dense, conds, G, 64)) acc.add(c);
  const m = acc.result();
  for (let g = 0; g < G; g++) {
    const d = direct(dense, conds, G, 'ctrl', g);
    const j = 2 * G + g;
    assert.ok(Math.abs(m.m2[j] - d.m2) < 1e-8 * d.m2, `m2 ${m.m2[j]} vs ${d.m2}`);
    assert.ok(Math.abs(m.m4[j] - d.m4) < 1e-7 * d.m4, `m4 ${m.m4[j]} vs ${d.m4}`);
  }
});

test('moments of two shards merge to the moments of the whole', () => {
  const G = 7;
  const { dense, conds } = sparseCells(21, 500, G);
  const chunks = chunksOf(dense, conds, G, 50);
  const whole = new MomentAccumulator(names, G);
  const a = new MomentAccumulator(names, G);
  const b = new MomentAccumulator(names, G);
  chunks.forEach((c, i) => {
    whole.add(c);
    (i < 3 ? a : b).add(c);
  });
  const w = whole.result();
  const merged = mergeMoments(a.result(), b.result());
  assert.deepEqual(Array.from(merged.n), Array.from(w.n));
  assert.deepEqual(Array.from(merged.nonzero), Array.from(w.nonzero));
  for (const k of ['mean', 'm2', 'm3', 'm4'] as const) {
    for (let j = 0; j < w.mean.length; j++) assert.ok(Math.abs(merged[k][j] - w[k][j]) < 1e-9 * Math.max(1, Math.abs(w[k][j])), `${k}[${j}]`);
  }
});

test('two accumulators splitting the conditions give one accumulator’s moments bit for bit', () => {
  const G = 7;
  const { dense, conds } = sparseCells(23, 500, G);
  const chunks = chunksOf(dense, conds, G, 50);
  const shift = Float64Array.from({ length: G }, (_, g) => 0.3 * g);
  const fromA = Uint8Array.from(names, (_, c) => c % 2);
  const whole = new MomentAccumulator(names, G, shift);
  const a = new MomentAccumulator(names, G, shift, fromA);
  const b = new MomentAccumulator(names, G, shift, fromA.map((x) => 1 - x));
  for (const c of chunks) {
    whole.add(c);
    a.add(c);
    b.add(c);
  }
  const w = whole.result();
  const t = takeConditions(a.result(), b.result(), fromA);
  for (const k of ['n', 'mean', 'm2', 'm3', 'm4', 'nonzero'] as const) assert.deepEqual(t[k], w[k], k);
  assert.ok(a.result().n.some((n, c) => n === 0 && w.n[c] > 0), 'each accumulator ignores the other’s conditions');
});
