import { test } from 'node:test';
import assert from 'node:assert/strict';
import { splitHalfCeiling, type HalfSums } from '../bench/unseen/ceiling.ts';

const one = (condition: string, a: number[], b: number[]): HalfSums => ({ condition, cells: [1, 1], sums: [Float64Array.from(a), Float64Array.from(b)] });

test('split-half ceiling: hand-computed case of two singles over three genes', () => {
  // X: halves [2,0,0] and [0,2,0] (whole [1,1,0]); Y: both halves [0,0,2]; control 0
  const c = splitHalfCeiling([0, 0, 0], [one('X', [2, 0, 0], [0, 2, 0]), one('Y', [0, 0, 2], [0, 0, 2])]);
  const [x, y] = c.perCondition;
  // X: Pearson of its halves −0.5; of each half with m = Y's whole change −0.5; residuals [2,0,−2], [0,2,−2]: 0.5
  assert.ok(Math.abs(x.halfFromOtherHalf + 0.5) < 1e-12 && Math.abs(x.halfFromMean + 0.5) < 1e-12 && Math.abs(x.residualSplitHalf - 0.5) < 1e-12);
  // Y: identical halves 1; with m = X's whole change [1,1,0]: −1; residuals [−1,−1,2] twice: 1
  assert.ok(Math.abs(y.halfFromOtherHalf - 1) < 1e-12 && Math.abs(y.halfFromMean + 1) < 1e-12 && Math.abs(y.residualSplitHalf - 1) < 1e-12);
  assert.ok(Math.abs(c.halfFromOtherHalf - 0.25) < 1e-12);
  assert.ok(Math.abs(c.halfFromMean + 0.75) < 1e-12);
  assert.ok(Math.abs(c.residualSplitHalf - 0.75) < 1e-12);
  assert.ok(Math.abs(c.residualReliability - 1.5 / 1.75) < 1e-12);
  assert.equal(c.cellsPerSingle, 2);
});

test('split-half ceiling: control mean is subtracted, half sums are divided by their cell counts', () => {
  const s: HalfSums = { condition: 'X', cells: [2, 4], sums: [Float64Array.from([4, 2, 2]), Float64Array.from([8, 4, 8])] };
  // halves' means [2,1,1] and [2,1,2]; minus control [1,1,1]: [1,0,0] and [1,0,1]
  const c = splitHalfCeiling([1, 1, 1], [s, one('Y', [1, 2, 1], [1, 1, 2])]);
  const expected = (() => {
    const a = [1, 0, 0], b = [1, 0, 1];
    const ma = 1 / 3, mb = 2 / 3;
    let ab = 0, aa = 0, bb = 0;
    for (let g = 0; g < 3; g++) (ab += (a[g] - ma) * (b[g] - mb)), (aa += (a[g] - ma) ** 2), (bb += (b[g] - mb) ** 2);
    return ab / Math.sqrt(aa * bb);
  })();
  assert.ok(Math.abs(c.perCondition[0].halfFromOtherHalf - expected) < 1e-12);
});

test('split-half ceiling: a shared response plus noise has no reproducible own part; gene-specific effects have', () => {
  let seed = 7;
  const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) - 0.5;
  const G = 400;
  const shared = Float64Array.from({ length: G }, () => rand());
  const make = (own: number) =>
    Array.from({ length: 12 }, (_, i) => {
      const specific = Float64Array.from({ length: G }, () => own * rand());
      const half = () => Float64Array.from({ length: G }, (_, g) => shared[g] + specific[g] + 0.5 * rand());
      return { condition: `G${i}`, cells: [1, 1] as [number, number], sums: [half(), half()] as [Float64Array, Float64Array] };
    });
  const noiseOnly = splitHalfCeiling(new Float64Array(G), make(0));
  assert.ok(Math.abs(noiseOnly.residualSplitHalf) < 0.1, String(noiseOnly.residualSplitHalf));
  assert.ok(noiseOnly.halfFromMean > noiseOnly.halfFromOtherHalf);
  const specific = splitHalfCeiling(new Float64Array(G), make(2));
  assert.ok(specific.residualSplitHalf > 0.8, String(specific.residualSplitHalf));
  assert.ok(specific.halfFromOtherHalf > specific.halfFromMean);
});

test('split-half ceiling: refuses fewer than two singles and an empty half, naming the condition', () => {
  assert.throws(() => splitHalfCeiling([0, 0], [one('X', [1, 0], [0, 1])]), /at least two single perturbations/);
  const empty: HalfSums = { condition: 'KLF1', cells: [3, 0], sums: [Float64Array.from([1, 2]), new Float64Array(2)] };
  assert.throws(() => splitHalfCeiling([0, 0], [empty, one('Y', [1, 0], [0, 1])]), /KLF1 has no cell in half 2/);
});
