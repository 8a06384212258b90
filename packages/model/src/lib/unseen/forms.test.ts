import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { GeneGraph } from '@gears-pipeline/core';
import { goTransitions, randomWalkWithRestart } from './go-similarity.ts';
import { fitOwnExpression, UnseenPredictor, type UnseenBasis, type UnseenParams } from './forms.ts';
import { chooseUnseenForm, pick, type UnseenCase } from './select.ts';
import { inverseSpd } from './linalg.ts';

/** A — B — C, unit weights, given one-way (the walk symmetrises) */
const PATH: GeneGraph = { nodes: ['A', 'B', 'C'], source: Int32Array.from([0, 1]), target: Int32Array.from([1, 2]), weight: Float64Array.from([1, 1]) };
const close = (a: ArrayLike<number>, b: number[], tol = 1e-9) => b.forEach((v, i) => assert.ok(Math.abs(a[i] - v) < tol, `[${i}] ${a[i]} vs ${v}`));
const PARAMS: UnseenParams = { form: 'kernel', shrink: 0.5, kernelRestart: 0.5, kernelStrength: 1, ridgeRestart: 0.5, ridge: 1, own: null };

test('random walk with restart on a path: hand-computed visiting probabilities', () => {
  const T = goTransitions(PATH);
  // from A with c = 1/2: A 7/12, B 1/3, C 1/12 (geometric sums over even / odd steps)
  close(randomWalkWithRestart(T, 0, 0.5), [7 / 12, 1 / 3, 1 / 12], 1e-5); // the walk stops once less than 1e-6 of its mass is left
  close(randomWalkWithRestart(T, 1, 0.5), [1 / 6, 2 / 3, 1 / 6], 1e-5);
});

function basis(genes: number[], changes: number[][], meanChange = [1, 1], targetGene = [-1, -1, -1], controlMean = [0, 0]): UnseenBasis {
  return { G: meanChange.length, meanChange: Float64Array.from(meanChange), genes, changes: changes.map((c) => Float64Array.from(c)), targetGene: Int32Array.from(targetGene), controlMean: Float64Array.from(controlMean) };
}

test('kernel form: similarity-weighted measured singles pulled toward the mean (hand-computed)', () => {
  // trained B (change [2, 0]) and C ([0, 4]), mean [1, 1]; query A: k(A,B) = 1/3, k(A,C) = 1/12;
  // κ = mean of B's mass on C (1/6) and C's on B (1/3) = 1/4; τ = 1 → denominator 5/12 + 1/4 = 2/3
  const p = new UnseenPredictor(basis([1, 2], [[2, 0], [0, 4]]), PATH);
  close(p.kernel(0, 0.5, 1), [1 + 0.5 * 1 + 0.125 * -1, 1 + 0.5 * -1 + 0.125 * 3], 1e-6);
  // infinite pull is the mean; leaving B out (it is the query) leaves only C
  close(p.kernel(0, 0.5, 1e12), [1, 1], 1e-9);
  close(p.predict(0, { ...PARAMS, form: 'training_mean' }), [1, 1]);
});

test('ridge form: one trained gene, hand-computed; leave-one-out equals refitting without the gene', () => {
  // φ_A·φ_B = 1/3, φ_B·φ_B = 1/2, λ = 1 relative to the mean diagonal (1/2): β = (s_B − m) / 1
  const p = new UnseenPredictor(basis([1], [[2, 0]]), PATH);
  close(p.ridge(0, 0.5, 1), [1 + 1 / 3, 1 - 1 / 3], 1e-6);
  // a bigger vocabulary: exact leave-one-out vs a refit without that gene
  const nodes = ['G0', 'G1', 'G2', 'G3', 'G4', 'G5'];
  const ring: GeneGraph = { nodes, source: Int32Array.from([0, 1, 2, 3, 4, 5, 0]), target: Int32Array.from([1, 2, 3, 4, 5, 0, 3]), weight: Float64Array.from([1, 0.5, 1, 0.3, 1, 0.7, 0.2]) };
  const changes = [[1, -2, 0.5], [0, 3, 1], [2, 2, -1], [-1, 0, 4]];
  const m = [0.5, 0.5, 0.5];
  const full = new UnseenPredictor(basis([1, 2, 4, 5], changes, m, [-1, -1, -1, -1, -1, -1], [0, 0, 0]), ring);
  const without = new UnseenPredictor(basis([1, 4, 5], [changes[0], changes[2], changes[3]], m, [-1, -1, -1, -1, -1, -1], [0, 0, 0]), ring);
  // the relative ridge is scaled by the mean diagonal, which changes with the set: compare at the same absolute λ
  const diag = (q: UnseenPredictor, genes: number[]) => genes.reduce((a, g) => a + q.walk(g, 0.3).reduce((s, v) => s + v * v, 0), 0) / genes.length;
  const lambdaFull = 0.1;
  const lambdaWithout = (lambdaFull * diag(full, [1, 2, 4, 5])) / diag(without, [1, 4, 5]);
  close(full.ridge(2, 0.3, lambdaFull, 1), Array.from(without.ridge(2, 0.3, lambdaWithout)), 1e-9);
});

test('shrink and blend forms, and the own-expression rule (hand-computed)', () => {
  const p = new UnseenPredictor(basis([1, 2], [[2, 0], [0, 4]], [1, 1], [0, 1, -1], [3, 5]), PATH);
  close(p.predict(0, { ...PARAMS, form: 'shrink', shrink: 0.25 }, [5, -3]), [1 + 0.25 * 4, 1 + 0.25 * -4]);
  const k = p.kernel(0, 0.5, 1);
  const r = p.ridge(0, 0.5, 1);
  close(p.predict(0, { ...PARAMS, form: 'blend' }), [(k[0] + r[0]) / 2, (k[1] + r[1]) / 2]);
  // own rule: trained B measures gene 1 (control 5, change 0 … B's change at gene 1 is 0); one point → intercept only
  const own = fitOwnExpression(p.basis)!;
  assert.deepEqual(own, { intercept: 0, slope: 0 });
  // A is measured as gene 0 (control 3): its own change is set by the rule, the rest is the form's
  const withOwn = p.predict(0, { ...PARAMS, form: 'training_mean', own: { intercept: -1, slope: -0.5 } });
  close(withOwn, [-1 - 0.5 * 3, 1]);
  // three points on y = −x fit slope −1, intercept 0; leaving one out refits on the other two (slope 0 below 3 points)
  const three = basis([0, 1, 2], [[-1, 0, 0], [0, -2, 0], [0, 0, -3]], [0, 0, 0], [0, 1, 2], [1, 2, 3]);
  const fit = fitOwnExpression(three)!;
  close([fit.intercept, fit.slope], [0, -1]);
  close(Object.values(fitOwnExpression(three, 0)!), [-2.5, 0]);
});

test('inverseSpd inverts a symmetric positive-definite matrix', () => {
  const a = Float64Array.from([4, 2, 0, 2, 3, 1, 0, 1, 2]);
  const inv = inverseSpd(a, 3);
  for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) {
    let s = 0;
    for (let k = 0; k < 3; k++) s += a[i * 3 + k] * inv[k * 3 + j];
    assert.ok(Math.abs(s - (i === j ? 1 : 0)) < 1e-12);
  }
  assert.throws(() => inverseSpd(Float64Array.from([1, 2, 2, 1]), 2), /positive definite/);
});

test('form choice: validation singles when enough, else leave-one-out among closed forms, else the network with the reason', () => {
  // six genes on a ring; neighbours share their effect, so similarity predicts well
  const nodes = ['G0', 'G1', 'G2', 'G3', 'G4', 'G5', 'G6', 'G7'];
  const ring: GeneGraph = { nodes, source: Int32Array.from(nodes.map((_, i) => i)), target: Int32Array.from(nodes.map((_, i) => (i + 1) % nodes.length)), weight: new Float64Array(nodes.length).fill(1) };
  const effect = (g: number) => [Math.cos((g * Math.PI) / 4) * 3, Math.sin((g * Math.PI) / 4) * 3, 0.1 * g];
  const trained = [0, 1, 2, 3, 4, 5];
  const mean = [0, 0, 0].map((_, k) => trained.reduce((a, g) => a + effect(g)[k], 0) / trained.length);
  const p = new UnseenPredictor(basis(trained, trained.map(effect), mean, new Array(8).fill(-1), [0, 0, 0]), ring);
  const loo: UnseenCase[] = trained.map((g) => ({ gene: g, observed: effect(g), de: [0, 1] }));
  const val = (network: (g: number) => number[]): UnseenCase[] => [6, 7].map((g) => ({ gene: g, observed: effect(g), de: [0, 1], network: network(g) }));
  const c1 = chooseUnseenForm(p, val(() => [0, 0, 0]), loo);
  assert.equal(c1.decidedOn, 'leave-one-out');
  assert.ok(['kernel', 'ridge', 'blend'].includes(c1.params.form), c1.params.form);
  assert.ok(!c1.scores.some((s) => s.form === 'network'));
  // a perfect network on 3 validation singles wins
  const c2 = chooseUnseenForm(p, val(effect), loo, { minValidation: 2 });
  assert.equal(c2.decidedOn, 'validation');
  assert.equal(c2.params.form, 'network');
  const c3 = chooseUnseenForm(p, [], loo.slice(0, 2));
  assert.equal(c3.decidedOn, 'fallback');
  assert.equal(c3.params.form, 'network');
  assert.match(c3.reason, /too few/);
});

test('pick: lowest rank sum of Pearson δ and top-20 DE MSE, ties by MSE', () => {
  const s = (form: 'kernel' | 'ridge' | 'training_mean', pearsonDelta: number, mseDe: number, mse: number) => ({ form, n: 1, pearsonDelta, mseDe, mse });
  assert.equal(pick([s('kernel', 0.5, 2, 1), s('ridge', 0.4, 1, 1), s('training_mean', 0.3, 3, 0)]), 'kernel');
  assert.equal(pick([s('kernel', 0.5, 2, 1), s('ridge', 0.4, 1, 0.5)]), 'ridge');
});
