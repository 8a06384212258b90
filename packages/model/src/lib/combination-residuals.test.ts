import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addResiduals, fitCombinationResiduals } from './combination-residuals.ts';

test('per-gene combination residuals: a hand-solved ridge case', () => {
  // genes a = 0, b = 1, c = 2; combinations a+b (residual 3, 6) and a+c (residual 1, 2); μ = 1:
  // (MᵀM + I) r = Mᵀ R with MᵀM + I = [[3,1,1],[1,2,0],[1,0,2]] and Mᵀ R = [4,3,1] (first measured gene)
  // → r_a = 1, r_b = 1, r_c = 0; the second measured gene is twice the first
  const r = fitCombinationResiduals(
    [
      { perturbation: [0, 1], residual: [3, 6] },
      { perturbation: [0, 2], residual: [1, 2] },
    ],
    1,
    2,
  );
  assert.deepEqual([...r.keys()], [0, 1, 2]);
  const close = (x: ArrayLike<number>, y: number[]) => y.forEach((v, g) => assert.ok(Math.abs(x[g] - v) < 1e-6, `${x[g]} vs ${v}`));
  close(r.get(0)!, [1, 2]);
  close(r.get(1)!, [1, 2]);
  close(r.get(2)!, [0, 0]);
  // a stronger ridge shrinks every residual toward zero
  const strong = fitCombinationResiduals([{ perturbation: [0, 1], residual: [3, 6] }], 1000, 2);
  assert.ok(Math.abs(strong.get(0)![0]) < 0.01);
  // μ = Infinity: no residuals
  assert.equal(fitCombinationResiduals([{ perturbation: [0, 1], residual: [3, 6] }], Infinity, 2).size, 0);
  assert.throws(() => fitCombinationResiduals([{ perturbation: [0, 1], residual: [3, 6] }], 0, 2), /must be > 0/);
});

test('addResiduals adds the residual of every gene of the combination that has one', () => {
  const residuals = { byPerturbation: new Map([[4, Float32Array.from([1, -1])]]), ridge: 2, selection: [], reason: '' };
  assert.deepEqual([...addResiduals(Float32Array.from([10, 10]), [4, 9], residuals)], [11, 9]);
  assert.deepEqual([...addResiduals(Float32Array.from([10, 10]), [8, 9], residuals)], [10, 10]);
  assert.deepEqual([...addResiduals(Float32Array.from([10, 10]), [4, 9], undefined)], [10, 10]);
});
