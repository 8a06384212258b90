import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DatasetStats } from '@gears-pipeline/core';
import { composedDeltas, fitComposition, type CompositionCondition, type NetworkDeltas } from './composition.ts';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { predictPerturbations } from './predict.ts';
import { trainGears } from './train.ts';
import { disposeModel } from './model.ts';
import { tinyDataset } from './tiny-dataset.test-helper.ts';
import { mulberry32 } from '@gears-pipeline/core';

/** Pseudobulk-style statistics: control 0, singles = effect, doubles = weight · (a + b) + noise. */
function subAdditive(weight: number, G = 30, nGenes = 8, seed = 3) {
  const rand = mulberry32(seed);
  const normal = () => Math.sqrt(-2 * Math.log(rand() + 1e-12)) * Math.cos(2 * Math.PI * rand());
  const effect = Array.from({ length: nGenes }, () => Array.from({ length: G }, normal));
  const rows: { name: string; genes: number[] }[] = [{ name: 'ctrl', genes: [] }];
  for (let a = 0; a < nGenes; a++) rows.push({ name: `P${a}+ctrl`, genes: [a] });
  for (let a = 0; a < nGenes; a++) for (let b = a + 1; b < nGenes; b++) rows.push({ name: `P${a}+P${b}`, genes: [a, b] });
  const mean = new Float64Array(rows.length * G);
  rows.forEach((r, c) => {
    for (let g = 0; g < G; g++) {
      const sum = r.genes.reduce((acc, p) => acc + effect[p][g], 0);
      mean[c * G + g] = r.genes.length >= 2 ? weight * sum + 0.01 * normal() : sum;
    }
  });
  const z = () => new Float64Array(rows.length * G);
  const stats = {
    genes: Array.from({ length: G }, (_, g) => ({ gene: `G${g}`, geneId: `G${g}`, mean: 0, dispersionNorm: 0, highlyVariable: true, isPerturbed: false })),
    conditions: rows.map((r) => ({ name: r.name, genes: r.genes.map((p) => `P${p}`), nCells: 1, isControl: r.genes.length === 0 })),
    controlIndex: 0,
    mean,
    m2: z(),
    m3: z(),
    m4: z(),
    nonzero: z(),
    t: z(),
    deRank: new Int32Array(rows.length * G),
  } as DatasetStats;
  const conds: CompositionCondition[] = rows.map((r, row) => ({ row, perturbation: r.genes }));
  return { stats, conds, effect, G };
}

/** A stand-in network: single gene p → constant p + 1 on every gene, combinations → 100. */
/** no perturbed gene is measured */
const NO_TARGETS = new Int32Array(8).fill(-1);

const fakeNet: NetworkDeltas = (sets) => sets.map((p) => new Float32Array(30).fill(p.length === 1 ? p[0] + 1 : 100));

test('fitComposition recovers a sub-additive weight from training doubles and predicts held-out doubles', () => {
  const { stats, conds, effect, G } = subAdditive(0.6);
  // P7's single is held out: its effect must come from the network
  const train = conds.filter((c) => c.perturbation.length === 1 ? c.perturbation[0] !== 7 : c.row % 3 !== 0);
  const val = conds.filter((c) => c.perturbation.length === 2 && c.row % 3 === 0 && !c.perturbation.includes(7)).slice(0, 4);
  const comp = fitComposition(fakeNet, stats, { train, val }, NO_TARGETS);
  assert.equal(comp.singles.size, 7);
  assert.ok(!comp.singles.has(7));
  // doubles with P7 use the network's (wrong) single, so the global fit is pulled away from 0.6
  // only by those; on the clean pairs the per-gene weights land near 0.6
  const clean = fitComposition(fakeNet, stats, { train: train.filter((c) => !c.perturbation.includes(7)), val }, NO_TARGETS, { interactionGrid: [0] });
  assert.ok(Math.abs(clean.globalWeight - 0.6) < 0.01, `global weight ${clean.globalWeight}`);
  for (const w of clean.geneWeights) assert.ok(Math.abs(w - 0.6) < 0.05, `gene weight ${w}`);
  // the interaction term of the fake network is pure noise here, so validation rejects it
  assert.equal(clean.interactionWeight, 0);
  assert.ok(clean.selection.length > 1);
  const [d] = composedDeltas(clean, fakeNet, [[2, 5]], G);
  for (let g = 0; g < G; g++) assert.ok(Math.abs(d[g] - 0.6 * (effect[2][g] + effect[5][g])) < 0.05);
  // a pair with the unseen gene composes the measured single with the network's single for P7 (= 8)
  const [u] = composedDeltas(clean, fakeNet, [[1, 7]], G);
  for (let g = 0; g < G; g++) assert.ok(Math.abs(u[g] - clean.geneWeights[g] * (effect[1][g] + 8)) < 1e-5);
  // singles: the measured effect when trained on, the network's otherwise
  const [s1, s7] = composedDeltas(clean, fakeNet, [[1], [7]], G);
  assert.ok(Math.abs(s1[3] - effect[1][3]) < 1e-6);
  assert.equal(s7[0], 8);
});

test("a perturbed gene's own measured expression is the unweighted sum of single effects, and stays out of the weight fit", () => {
  const { stats, conds, effect, G } = subAdditive(0.6);
  // P2 targets measured gene G5; in the data its own change in doubles is additive, not 0.6×
  for (let c = 0; c < stats.conditions.length; c++) {
    const genes = conds[c].perturbation;
    if (genes.length === 2 && genes.includes(2)) stats.mean[c * G + 5] = effect[genes[0]][5] + effect[genes[1]][5];
  }
  const targets = NO_TARGETS.slice();
  targets[2] = 5;
  const comp = fitComposition(fakeNet, stats, { train: conds.filter((c) => c.row % 2 === 0 || c.perturbation.length < 2), val: [] }, targets, { interactionGrid: [0], ridgeGrid: [0.1] });
  assert.ok(Math.abs(comp.geneWeights[5] - 0.6) < 0.05, `weight of G5 fitted on the non-target doubles only: ${comp.geneWeights[5]}`);
  const [withTarget, without] = composedDeltas(comp, fakeNet, [[2, 6], [1, 6]], G);
  assert.ok(Math.abs(withTarget[5] - (effect[2][5] + effect[6][5])) < 1e-5);
  assert.ok(Math.abs(without[5] - comp.geneWeights[5] * (effect[1][5] + effect[6][5])) < 1e-5);
});

test('a combination with no measured single (combo_seen0) is the network prediction, and stays out of the fit', () => {
  const { stats, conds, G } = subAdditive(0.6);
  const unseen = (c: CompositionCondition) => c.perturbation.length === 1 && c.perturbation[0] >= 6;
  const train = conds.filter((c) => !unseen(c));
  const comp = fitComposition(fakeNet, stats, { train, val: [] }, NO_TARGETS, { interactionGrid: [0], ridgeGrid: [Infinity] });
  // P6+P7 trains but has nothing measured to compose, so it is not one of the fitted combinations
  assert.equal(comp.nCombinations, train.filter((c) => c.perturbation.length === 2).length - 1);
  const [joint, seen1] = composedDeltas(comp, fakeNet, [[6, 7], [0, 7]], G);
  assert.deepEqual(Array.from(joint), new Array(G).fill(100));
  assert.notEqual(seen1[0], 100);
});

test('without training combinations the composition is the plain sum of single effects', () => {
  const { stats, conds, effect, G } = subAdditive(0.6);
  const comp = fitComposition(fakeNet, stats, { train: conds.filter((c) => c.perturbation.length <= 1), val: [] }, NO_TARGETS);
  assert.equal(comp.globalWeight, 1);
  assert.equal(comp.interactionWeight, 0);
  const [d] = composedDeltas(comp, fakeNet, [[0, 3]], G);
  assert.ok(Math.abs(d[4] - (effect[0][4] + effect[3][4])) < 1e-5);
});

test('training with composition singles stores the composition in the checkpoint and predicts through it', async () => {
  const { inputs } = tinyDataset();
  const dir = mkdtempSync(join(tmpdir(), 'gears-comp-'));
  try {
    const r = await trainGears({ epochs: 1, batchSize: 4, composition: 'singles', model: { hiddenSize: 8, numGoGnnLayers: 1, numGeneGnnLayers: 1, uncertainty: false, coexpressionQuirk: 'fixed' } }, inputs);
    const c = r.model.composition;
    assert.ok(c, 'model carries a composition');
    assert.ok(c.nCombinations >= 3, `fitted on ${c.nCombinations} combinations`);
    const out = join(dir, 'ckpt');
    const meta = saveCheckpoint(r.model, out);
    assert.equal(meta.composition?.single_genes.length, c.singles.size);
    const { model } = await loadCheckpoint(out);
    const sets = [['GENE0'], ['GENE4', 'GENE5'], ['GENE1', 'GENE7']];
    const a = predictPerturbations(r.model, sets);
    const b = predictPerturbations(model, sets);
    for (let k = 0; k < sets.length; k++) assert.deepEqual(Array.from(b[k].predictedDelta), Array.from(a[k].predictedDelta));
    // GENE0's single was trained on: its prediction is its measured change
    const G = inputs.stats.genes.length;
    const row = inputs.stats.conditions.findIndex((x) => x.name === 'GENE0+ctrl');
    const measured = inputs.stats.mean[row * G + 2] - inputs.stats.mean[inputs.stats.controlIndex * G + 2];
    assert.ok(Math.abs(a[0].predictedDelta[2] - measured) < 1e-5);
    disposeModel(model);
    disposeModel(r.model);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an unknown composition is refused before training', async () => {
  const { inputs } = tinyDataset();
  await assert.rejects(trainGears({ epochs: 1, composition: 'sum' as never }, inputs), /unknown composition 'sum'/);
});

test('per-gene combination residuals: a gene whose doubles carry the same extra change is learned on training doubles, μ chosen on validation', () => {
  const { stats, conds, effect, G } = subAdditive(0.6);
  // every double with P0 gets the same extra change: +2 on G0..G4 (a partner-independent signature)
  for (let c = 0; c < stats.conditions.length; c++) {
    if (conds[c].perturbation.length === 2 && conds[c].perturbation.includes(0)) for (let g = 0; g < 5; g++) stats.mean[c * G + g] += 2;
  }
  const doubles = conds.filter((c) => c.perturbation.length === 2);
  const singles = conds.filter((c) => c.perturbation.length === 1);
  const test0 = [[0, 7], [0, 6]];
  const isTest = (c: CompositionCondition) => test0.some((t) => t[0] === c.perturbation[0] && t[1] === c.perturbation[1]);
  const rest = doubles.filter((c) => !isTest(c));
  const val = rest.filter((_, i) => i % 4 === 0);
  const train = [...singles, ...rest.filter((_, i) => i % 4 !== 0)];
  const comp = fitComposition(fakeNet, stats, { train, val }, NO_TARGETS, { interactionGrid: [0], residualRidges: [1, 4, 16] });
  const r = comp.residuals!;
  assert.ok(Number.isFinite(r.ridge), `validation keeps residuals: ${r.reason}`);
  assert.equal(r.selection.length, 4);
  assert.equal(r.selection[0].ridge, Infinity);
  assert.ok(r.selection.every((s) => s.valSse >= r.selection.find((x) => x.ridge === r.ridge)!.valSse));
  // P0's residual carries most of the signature (shrunk by μ, shared with the weights' fit)
  assert.ok(r.byPerturbation.get(0)![0] > 1, `r_P0[G0] = ${r.byPerturbation.get(0)![0]}`);
  assert.ok(Math.abs(r.byPerturbation.get(0)![20]) < 0.3);
  // the training-only fit (what auto scores on validation) has the same μ but has not seen the validation doubles
  const held = comp.trainingOnly!;
  assert.equal(held.residuals!.ridge, r.ridge);
  assert.notEqual(held.residuals!.byPerturbation.get(0)![0], r.byPerturbation.get(0)![0]);
  assert.notEqual(held.geneWeights![0], comp.geneWeights[0]);
  // the residual form is used only where the per-kind choice says so
  const withResiduals = { ...comp, combos: { combo_seen2: { form: 'residuals' as const, decidedOn: 'rule' as const, reason: '', scores: [] } } };
  const [plain] = composedDeltas(comp, fakeNet, [[0, 7]], G);
  const [res] = composedDeltas(withResiduals, fakeNet, [[0, 7]], G);
  for (let g = 0; g < G; g++) assert.ok(Math.abs(res[g] - plain[g] - (r.byPerturbation.get(0)![g] + r.byPerturbation.get(7)![g])) < 1e-5);
  // on the held-out doubles with P0 the residual form is closer to the truth than the composition alone
  const truth = (a: number, b: number, g: number) => 0.6 * (effect[a][g] + effect[b][g]) + (g < 5 ? 2 : 0);
  const err = (d: Float32Array) => d.reduce((s, v, g) => s + (v - truth(0, 7, g)) ** 2, 0);
  assert.ok(err(res) < 0.5 * err(plain), `${err(res)} vs ${err(plain)}`);
});

test('per-gene combination residuals need validation combinations to choose μ; without residualRidges none are fitted', () => {
  const { stats, conds } = subAdditive(0.6);
  const doubles = conds.filter((c) => c.perturbation.length === 2);
  const train = [...conds.filter((c) => c.perturbation.length === 1), ...doubles.slice(4)];
  const few = fitComposition(fakeNet, stats, { train, val: doubles.slice(0, 2) }, NO_TARGETS, { interactionGrid: [0], residualRidges: [1, 4] });
  assert.equal(few.residuals!.byPerturbation.size, 0);
  assert.equal(few.residuals!.ridge, Infinity);
  assert.match(few.residuals!.reason, /validation combinations/);
  assert.equal(fitComposition(fakeNet, stats, { train, val: doubles.slice(0, 4) }, NO_TARGETS, { interactionGrid: [0] }).residuals, undefined);
});
