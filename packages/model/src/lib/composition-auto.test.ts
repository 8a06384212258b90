import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadCheckpoint, saveCheckpoint } from './checkpoint.ts';
import { formsInUse } from './composition-auto.ts';
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
    const forms = formsInUse(c);
    assert.equal(forms.composition, 'auto');
    assert.equal(forms.unseen_single.form, c.unseen!.params.form);
    const out = join(dir, 'ckpt');
    const meta = saveCheckpoint(r.model, out);
    assert.equal(meta.composition?.mode, 'auto');
    assert.equal(meta.composition?.unseen?.params.form, c.unseen!.params.form);
    const { model } = await loadCheckpoint(out);
    const sets = [['GENE7'], ['GENE6', 'GENE7'], ['GENE1', 'GENE7'], ['GENE0']];
    const a = predictPerturbations(r.model, sets);
    const b = predictPerturbations(model, sets);
    for (let k = 0; k < sets.length; k++) for (let g = 0; g < a[k].predictedDelta.length; g++) assert.ok(Math.abs(a[k].predictedDelta[g] - b[k].predictedDelta[g]) < 1e-5);
    // the unseen single GENE7 is the chosen closed form, not the network's output
    const p7 = model.pertVocabulary.indexOf('GENE7');
    const expected = model.composition!.unseen!.predictor.predict(p7, model.composition!.unseen!.params);
    for (let g = 0; g < expected.length; g++) assert.ok(Math.abs(b[0].predictedDelta[g] - expected[g]) < 1e-5);
    disposeModel(model);
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
