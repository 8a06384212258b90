/**
 * Golden test for combinations: the reference's eval-mode outputs for ctrl, singles, 2- and
 * 3-gene combinations (data/reference-synth/reference_forward_combos.json.gz, same weights as
 * reference_forward.json.gz), one example per forward and all 32 as one batch, within 1e-4.
 * Averaging instead of summing a combination's perturbation embeddings moves combination outputs
 * by 0.32–0.83, so it fails here.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend.ts';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from './config.ts';
import { createParams, disposeParams } from './params.ts';
import { forward, renormEmbeddings, type PreparedGraphs } from './network.ts';
import { gcnNormalize } from './sparse.ts';
import { fromTorchStateDict } from './torch-weights.ts';
import { loadReferenceCombos, loadReferenceForward, REPO_ROOT } from './reference-fixture.test-helper.ts';
import { loadOnnxRuntime } from './ort/runtime.ts';

const ref = loadReferenceForward();
const combos = loadReferenceCombos();
const toGraph = (g: { source: number[]; target: number[]; weight: number[] }) => ({ source: Int32Array.from(g.source), target: Int32Array.from(g.target), weight: Float64Array.from(g.weight) });

function model(cfg: Partial<ModelConfig> = {}) {
  const c: ModelConfig = { ...DEFAULT_MODEL_CONFIG, hiddenSize: ref.hidden_size, ...cfg };
  const p = createParams(c, ref.num_genes, ref.num_perts, 0, fromTorchStateDict(ref.weights, c, ref.num_genes, ref.num_perts));
  const graphs: PreparedGraphs = { coexpression: gcnNormalize(toGraph(ref.graphs.coexpression), ref.num_genes), go: gcnNormalize(toGraph(ref.graphs.go), ref.num_perts) };
  renormEmbeddings(p);
  return { p, graphs };
}

/** Largest |x + d − expected| per example kind. */
function worstByKind(deltas: number[][], expected: (e: (typeof combos.examples)[number]) => number[]): Map<string, number> {
  const worst = new Map<string, number>();
  combos.examples.forEach((e, i) => {
    const want = expected(e);
    let w = 0;
    for (let g = 0; g < combos.num_genes; g++) w = Math.max(w, Math.abs(e.x[g] + deltas[i][g] - want[g]));
    worst.set(e.kind, Math.max(worst.get(e.kind) ?? 0, w));
  });
  return worst;
}

test('the combinations fixture uses the weights of reference_forward.json.gz and covers ctrl, singles, 2- and 3-gene combinations', () => {
  const sha = createHash('sha256').update(readFileSync(join(REPO_ROOT, 'data/reference-synth', combos.weights_file))).digest('hex');
  assert.equal(sha, combos.weights_sha256);
  const kinds = new Set(combos.examples.map((e) => e.kind));
  assert.deepEqual([...kinds].sort(), ['combo2', 'combo3', 'ctrl', 'single']);
  assert.equal(combos.num_genes, ref.num_genes);
});

test('reproduces the reference for singles and 2- and 3-gene combinations, one example per forward, within 1e-4', async () => {
  await selectBackend('auto');
  const { p, graphs } = model();
  const deltas = combos.examples.map((e) => tf.tidy(() => forward(p, graphs, { perturbations: [e.pert_idx] }, 'eval').delta.arraySync()[0]));
  for (const [kind, w] of worstByKind(deltas, (e) => e.out_single)) assert.ok(w < 1e-4, `${kind}: max |ours − reference| = ${w}`);
  disposeParams(p);
});

test('reproduces the reference for all 32 examples as one batch within 1e-4 (fixed batching = out_single; reference quirk = out_batched)', async () => {
  await selectBackend('auto');
  const sets = combos.examples.map((e) => e.pert_idx);
  for (const [quirk, field] of [['fixed', 'out_single'], ['reference', 'out_batched']] as const) {
    const { p, graphs } = model({ coexpressionQuirk: quirk });
    const deltas = tf.tidy(() => forward(p, graphs, { perturbations: sets }, 'eval').delta.arraySync());
    for (const [kind, w] of worstByKind(deltas, (e) => e[field])) assert.ok(w < 1e-4, `${quirk} batch, ${kind}: max |ours − reference ${field}| = ${w}`);
    disposeParams(p);
  }
});

test('the onnxruntime backend reproduces the reference combinations within 1e-4 (one per forward and batched)', { skip: !loadOnnxRuntime().ort && 'onnxruntime-node not installed' }, async () => {
  await selectBackend('onnxruntime');
  try {
    const { p, graphs } = model();
    const single = combos.examples.map((e) => tf.tidy(() => forward(p, graphs, { perturbations: [e.pert_idx] }, 'eval').delta.arraySync()[0]));
    for (const [kind, w] of worstByKind(single, (e) => e.out_single)) assert.ok(w < 1e-4, `one per forward, ${kind}: ${w}`);
    const batched = tf.tidy(() => forward(p, graphs, { perturbations: combos.examples.map((e) => e.pert_idx) }, 'eval').delta.arraySync());
    for (const [kind, w] of worstByKind(batched, (e) => e.out_single)) assert.ok(w < 1e-4, `batched, ${kind}: ${w}`);
    disposeParams(p);
  } finally {
    await selectBackend('wasm');
  }
});
