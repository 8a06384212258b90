import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { decideComboForm, formsInUse } from './composition-auto.ts';
import { disposeModel } from './model.ts';
import { predictPerturbations } from './predict.ts';
import { trainGears } from './train.ts';
import { tinyDataset } from './tiny-dataset.test-helper.ts';

const SMALL = { hiddenSize: 8, numGoGnnLayers: 1, numGeneGnnLayers: 1, uncertainty: false, coexpressionQuirk: 'fixed' as const };

test('composition auto: chooses and records the unseen-single form and the per-kind combination forms; the checkpoint predicts the same after loading', async () => {
  const { inputs } = tinyDataset();
  const dir = mkdtempSync(join(tmpdir(), 'gears-auto-'));
  try {
    const r = await trainGears({ epochs: 1, batchSize: 4, composition: 'auto', model: SMALL }, inputs);
    const c = r.model.composition!;
    assert.equal(c.mode, 'auto');
    // GENE7 is the only validation single (< 3): the choice falls to leave-one-out over the 7 trained singles
    assert.equal(c.unseen!.choice.decidedOn, 'leave-one-out');
    assert.equal(c.unseen!.choice.nLeaveOneOut, 7);
    assert.notEqual(c.unseen!.params.form, 'network');
    // one validation combination (GENE6+GENE7) is too few for any kind: the reference network is kept
    for (const kind of ['combo_seen0', 'combo_seen1', 'combo_seen2'] as const) {
      assert.equal(c.combos![kind]!.form, 'network');
      assert.equal(c.combos![kind]!.decidedOn, 'fallback');
    }
    // chosen on validation, the form is refitted with the validation single GENE7 in its basis and
    // the mean change over training + validation perturbations; the combination choice saw neither
    const p7 = r.model.pertVocabulary.indexOf('GENE7');
    assert.deepEqual(c.unseen!.predictor.basis.genes.length, 8);
    assert.ok(c.unseen!.predictor.basis.genes.includes(p7));
    assert.equal(c.trainingOnly!.unseen!.predictor.basis.genes.length, 7);
    assert.ok(!c.singles.has(p7));
    const { stats, split } = inputs;
    const G = stats.genes.length;
    const rowOf = new Map(stats.conditions.map((x, i) => [x.name, i]));
    const pert = split.filter((a) => a.split !== 'test' && a.condition !== 'ctrl').map((a) => rowOf.get(a.condition)!);
    for (const g of [0, 5, 11]) {
      const m = pert.reduce((acc, row) => acc + stats.mean[row * G + g] - stats.mean[stats.controlIndex * G + g], 0) / pert.length;
      assert.ok(Math.abs(c.unseen!.predictor.basis.meanChange[g] - m) < 1e-9);
    }
    const forms = formsInUse(c);
    assert.equal(forms.composition, 'auto');
    assert.equal(forms.unseen_single.form, c.unseen!.params.form);
    const out = join(dir, 'ckpt');
    const meta = saveCheckpoint(r.model, out);
    assert.equal(meta.composition?.mode, 'auto');
    assert.equal(meta.composition?.unseen?.params.form, c.unseen!.params.form);
    assert.deepEqual(meta.composition?.unseen?.extra_single_genes, ['GENE7']);
    const { model } = await loadCheckpoint(out);
    assert.deepEqual(model.composition!.unseen!.predictor.basis.genes, c.unseen!.predictor.basis.genes);
    const sets = [['GENE7'], ['GENE6', 'GENE7'], ['GENE1', 'GENE7'], ['GENE0']];
    const a = predictPerturbations(r.model, sets);
    const b = predictPerturbations(model, sets);
    for (let k = 0; k < sets.length; k++) for (let g = 0; g < a[k].predictedDelta.length; g++) assert.ok(Math.abs(a[k].predictedDelta[g] - b[k].predictedDelta[g]) < 1e-5);
    // the unseen single GENE7 is the chosen closed form, not the network's output
    const expected = model.composition!.unseen!.predictor.predict(p7, model.composition!.unseen!.params);
    for (let g = 0; g < expected.length; g++) assert.ok(Math.abs(b[0].predictedDelta[g] - expected[g]) < 1e-5);
    disposeModel(model);
    // format 3 (written before the refit): loads with the basis of the composition's singles, and says so
    const metaPath = join(out, 'checkpoint.json');
    const v4 = JSON.parse(readFileSync(metaPath, 'utf8'));
    delete v4.composition.unseen.extra_single_genes;
    writeFileSync(metaPath, JSON.stringify({ ...v4, format_version: 3 }));
    const old = await loadCheckpoint(out);
    assert.match(old.meta.migrated ?? '', /format 3 read as 4.*training singles only/);
    assert.equal(old.model.composition!.unseen!.predictor.basis.genes.length, 7);
    disposeModel(old.model);
    disposeModel(r.model);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('composition singles uses the unseen-single form for a combination with an unseen gene', async () => {
  const { inputs } = tinyDataset();
  const r = await trainGears({ epochs: 1, batchSize: 4, composition: 'singles', model: SMALL }, inputs);
  const c = r.model.composition!;
  const [single, combo] = predictPerturbations(r.model, [['GENE7'], ['GENE1', 'GENE7']]);
  const p7 = r.model.pertVocabulary.indexOf('GENE7');
  const u = c.unseen!.predictor.predict(p7, c.unseen!.params);
  for (let g = 0; g < u.length; g++) assert.ok(Math.abs(single.predictedDelta[g] - u[g]) < 1e-5);
  // combo_seen1 is composed: with λ = 0 it is w ⊙ (s(GENE1) + u(GENE7)) away from the perturbed genes
  if (c.interactionWeight === 0) {
    const p1 = r.model.pertVocabulary.indexOf('GENE1');
    const s1 = c.singles.get(p1)!;
    for (const g of [10, 15, 20]) assert.ok(Math.abs(combo.predictedDelta[g] - c.geneWeights[g] * (s1[g] + u[g])) < 1e-4);
  }
  disposeModel(r.model);
});

test('combination form choice: each candidate must beat the choice so far, starting from the network', () => {
  const s = (form: 'network' | 'singles' | 'residuals', pearsonDelta: number, mseDe: number, mse: number) => ({ form, n: 13, pearsonDelta, mseDe, mse });
  // residuals beat the composition, which beats the network
  assert.equal(decideComboForm([s('network', 0.4, 3, 0.3), s('singles', 0.7, 0.77, 0.13), s('residuals', 0.72, 0.69, 0.12)], 'validation', '').form, 'residuals');
  // residuals better on Pearson δ only and worse on MSE: the composition stays
  assert.equal(decideComboForm([s('network', 0.4, 3, 0.3), s('singles', 0.7, 0.77, 0.13), s('residuals', 0.71, 0.8, 0.14)], 'validation', '').form, 'singles');
  // the composition loses to the network, but the residual form beats the network on both
  assert.equal(decideComboForm([s('network', 0.5, 1, 0.2), s('singles', 0.45, 1.1, 0.19), s('residuals', 0.55, 0.9, 0.18)], 'validation', '').form, 'residuals');
  // nothing beats the network
  assert.equal(decideComboForm([s('network', 0.5, 1, 0.2), s('singles', 0.45, 1.1, 0.25)], 'validation', '').form, 'network');
});

test('a checkpoint with per-gene combination residuals predicts the same after loading; a format-2 checkpoint still loads', async () => {
  const { inputs } = tinyDataset();
  const dir = mkdtempSync(join(tmpdir(), 'gears-resid-'));
  try {
    const r = await trainGears({ epochs: 1, batchSize: 4, composition: 'auto', model: SMALL }, inputs);
    const plain = join(dir, 'plain');
    saveCheckpoint(r.model, plain);
    // residuals for GENE1 and GENE2 as validation would have chosen them, used for combo_seen2
    const G = r.model.genes.length;
    const p1 = r.model.pertVocabulary.indexOf('GENE1');
    const p2 = r.model.pertVocabulary.indexOf('GENE2');
    const c = r.model.composition!;
    c.residuals = { byPerturbation: new Map([[p1, new Float32Array(G).fill(0.5)], [p2, Float32Array.from({ length: G }, (_, g) => g / 100)]]), ridge: 4, reason: 'μ 4 lowest validation SSE', selection: [{ ridge: Infinity, valSse: 10 }, { ridge: 4, valSse: 8 }] };
    c.combos = { ...c.combos, combo_seen2: { form: 'residuals', decidedOn: 'validation', reason: 'test', scores: [] } };
    const out = join(dir, 'resid');
    const meta = saveCheckpoint(r.model, out);
    assert.equal(meta.format_version, 4);
    assert.deepEqual(meta.composition?.residuals?.genes, ['GENE1', 'GENE2']);
    assert.deepEqual(meta.composition?.residuals?.selection[0], { ridge: null, valSse: 10 });
    const { model } = await loadCheckpoint(out);
    assert.equal(model.composition!.residuals!.ridge, 4);
    assert.equal(model.composition!.residuals!.selection[0].ridge, Infinity);
    const sets = [['GENE1', 'GENE2'], ['GENE0', 'GENE3']];
    const a = predictPerturbations(r.model, sets);
    const b = predictPerturbations(model, sets);
    for (let k = 0; k < sets.length; k++) for (let g = 0; g < G; g++) assert.ok(Math.abs(a[k].predictedDelta[g] - b[k].predictedDelta[g]) < 1e-5);
    assert.equal(formsInUse(model.composition).combo_seen2.form, 'composition + gene residuals');
    assert.equal(formsInUse(model.composition).combo_seen2.residuals?.ridge, 4);
    // the residuals are added: GENE1+GENE2 differs from the composition alone by r_GENE1 + r_GENE2
    const [without] = predictPerturbations({ ...model, composition: { ...model.composition!, combos: { ...model.composition!.combos, combo_seen2: { form: 'singles', decidedOn: 'rule', reason: '', scores: [] } } } }, [sets[0]]);
    for (const g of [0, 7]) assert.ok(Math.abs(b[0].predictedDelta[g] - without.predictedDelta[g] - (0.5 + g / 100)) < 1e-5);
    disposeModel(model);
    // format 2 (written before residuals existed): loads as format 3 without residuals, and says so
    const metaPath = join(plain, 'checkpoint.json');
    const v3 = JSON.parse(readFileSync(metaPath, 'utf8'));
    assert.match(v3.composition.residuals.reason, /no residuals/); // the tiny set has 1 validation combination
    delete v3.composition.residuals;
    writeFileSync(metaPath, JSON.stringify({ ...v3, format_version: 2 }));
    const old = await loadCheckpoint(plain);
    assert.match(old.meta.migrated ?? '', /format 2 read as 4/);
    assert.equal(old.model.composition!.residuals, undefined);
    assert.equal(old.model.composition!.mode, 'auto');
    disposeModel(old.model);
    disposeModel(r.model);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
