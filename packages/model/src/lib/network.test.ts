import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend.ts';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from './config.ts';
import { createParams, disposeParams, parameterCount } from './params.ts';
import { forward, renormEmbeddings, type PreparedGraphs } from './network.ts';
import { gcnNormalize } from './sparse.ts';
import { fromTorchStateDict } from './torch-weights.ts';
import { loadReferenceForward } from './reference-fixture.test-helper.ts';

const ref = loadReferenceForward();
const toGraph = (g: { source: number[]; target: number[]; weight: number[] }) => ({
  source: Int32Array.from(g.source),
  target: Int32Array.from(g.target),
  weight: Float64Array.from(g.weight),
});

function referenceModel(cfg: ModelConfig) {
  const G = ref.num_genes;
  const P = ref.num_perts;
  const values = fromTorchStateDict(ref.weights, cfg, G, P);
  const p = createParams(cfg, G, P, 0, values);
  const graphs: PreparedGraphs = { coexpression: gcnNormalize(toGraph(ref.graphs.coexpression), G), go: gcnNormalize(toGraph(ref.graphs.go), P) };
  return { p, graphs };
}

test('reproduces the reference out_single for all 32 examples within 1e-4 (default backend)', async () => {
  await selectBackend('auto');
  const cfg: ModelConfig = { ...DEFAULT_MODEL_CONFIG, hiddenSize: ref.hidden_size };
  const { p, graphs } = referenceModel(cfg);
  renormEmbeddings(p);
  // One condition per example; the network returns d_p, the residual adds the control cell x.
  const delta = tf.tidy(() => forward(p, graphs, { perturbations: ref.examples.map((e) => e.pert_idx) }, 'eval').delta.arraySync());
  let worst = 0;
  ref.examples.forEach((e, i) => {
    for (let g = 0; g < ref.num_genes; g++) worst = Math.max(worst, Math.abs(e.x[g] + delta[i][g] - e.out_single[g]));
  });
  assert.ok(worst < 1e-4, `max |ours − reference| = ${worst}`);
  disposeParams(p);
});

test('the reference batching quirk (coexpressionQuirk: reference) reproduces out_batched', async () => {
  await selectBackend('auto');
  const cfg: ModelConfig = { ...DEFAULT_MODEL_CONFIG, hiddenSize: ref.hidden_size, coexpressionQuirk: 'reference' };
  const { p, graphs } = referenceModel(cfg);
  renormEmbeddings(p);
  const delta = tf.tidy(() => forward(p, graphs, { perturbations: ref.examples.map((e) => e.pert_idx) }, 'eval').delta.arraySync());
  let worst = 0;
  let quirkSize = 0;
  ref.examples.forEach((e, i) => {
    for (let g = 0; g < ref.num_genes; g++) {
      worst = Math.max(worst, Math.abs(e.x[g] + delta[i][g] - e.out_batched[g]));
      quirkSize = Math.max(quirkSize, Math.abs(e.out_batched[g] - e.out_single[g]));
    }
  });
  assert.ok(quirkSize > 1e-4, 'fixture distinguishes the two behaviours');
  assert.ok(worst < 1e-4, `max |ours − reference batched| = ${worst}`);
  disposeParams(p);
});

test('parameter count matches the reference formula (minus its two unused layers)', () => {
  const cfg = DEFAULT_MODEL_CONFIG;
  for (const [G, P] of [[200, 200], [57, 91]]) {
    const p = createParams(cfg, G, P, 1);
    // reference: 323·G + 64·P + 47 424, including pert_w (128) and bn_pert_base_trans (128)
    assert.equal(parameterCount(p), 323 * G + 64 * P + 47424 - 256);
    disposeParams(p);
  }
});
