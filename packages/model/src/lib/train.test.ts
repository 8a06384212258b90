import { test } from 'node:test';
import assert from 'node:assert/strict';
import { trainGears, type TrainArgs } from './train.ts';
import { disposeModel } from './model.ts';
import { predictPerturbations } from './predict.ts';
import { tinyDataset } from './tiny-dataset.test-helper.ts';

const small: Partial<TrainArgs> = { epochs: 4, batchSize: 4, model: { hiddenSize: 16, numGoGnnLayers: 1, numGeneGnnLayers: 1, uncertainty: false, coexpressionQuirk: 'fixed' }, lrGamma: 0.9, learningRate: 5e-3, patience: 10, minStepsPerEpoch: 0 };

test('moments training lowers the loss, validates every epoch and is deterministic for a seed', async () => {
  const { inputs } = tinyDataset();
  const a = await trainGears(small, inputs);
  const b = await trainGears(small, inputs);
  assert.equal(a.history.length, 4);
  assert.ok(a.history[3].trainLoss < a.history[0].trainLoss, `loss ${a.history.map((h) => h.trainLoss)}`);
  assert.ok(a.history.every((h) => Number.isFinite(h.valMseDe)));
  assert.deepEqual(a.history.map((h) => h.trainLoss), b.history.map((h) => h.trainLoss));
  assert.deepEqual(a.conditions.val.sort(), ['GENE6+GENE7', 'GENE7+ctrl']);
  assert.ok(a.conditions.train.includes('ctrl'));
  // kept weights are those of the best validation epoch
  const best = Math.min(...a.history.map((h) => h.valMseDe));
  assert.equal(a.history[a.bestEpoch - 1].valMseDe, best);
  assert.equal(a.test.length, 1);
  disposeModel(a.model);
  disposeModel(b.model);
});

test('cells objective trains on streamed paired cells with the same loop', async () => {
  const { inputs } = tinyDataset();
  const r = await trainGears({ ...small, objective: 'cells', batchSize: 16, epochs: 3 }, inputs);
  assert.equal(r.history.length, 3);
  // 40 control + 8 training conditions × 12 cells... = steps per epoch from the stream
  assert.ok(r.history[0].steps >= 5);
  assert.ok(r.history[2].trainLoss < r.history[0].trainLoss, `loss ${r.history.map((h) => h.trainLoss)}`);
  disposeModel(r.model);
});

test('uncertainty head, tanh direction loss and the quirk mode train without diverging', async () => {
  const { inputs } = tinyDataset();
  const r = await trainGears({ ...small, epochs: 2, directionLoss: 'tanh', model: { ...small.model!, uncertainty: true } }, inputs);
  assert.ok(r.history.every((h) => Number.isFinite(h.trainLoss)));
  const [p] = predictPerturbations(r.model, [['GENE1', 'GENE2']]);
  assert.equal(p.logVariance?.length, 24);
  assert.ok(p.logVariance!.every(Number.isFinite));
  disposeModel(r.model);
  // the reference co-expression batching quirk also trains (comparison mode)
  const q = await trainGears({ ...small, epochs: 1, model: { ...small.model!, coexpressionQuirk: 'reference' } }, inputs);
  assert.ok(Number.isFinite(q.history[0].trainLoss));
  disposeModel(q.model);
});

test('moments epochs make enough passes over the conditions for minStepsPerEpoch steps', async () => {
  const { inputs } = tinyDataset();
  // 10 training conditions (control included) in batches of 4, 4, 2 → 3 steps per pass → 4 passes for ≥ 10 steps
  const r = await trainGears({ ...small, epochs: 1, minStepsPerEpoch: 10 }, inputs);
  assert.equal(r.history[0].steps, 12);
  disposeModel(r.model);
});

test('the batch size follows the objective when not given (or 0): 4 conditions for moments, 32 cells for cells', async () => {
  const { inputs } = tinyDataset();
  const started: Record<string, unknown>[] = [];
  const log = { info: (event: string, f?: Record<string, unknown>) => event === 'train_start' && started.push(f!), warn() {}, progress() {} };
  const { batchSize: _b, ...noBatch } = small;
  for (const [objective, batchSize] of [['moments', undefined], ['cells', undefined], ['cells', 0], ['moments', 0], ['cells', 8]] as const) {
    const r = await trainGears({ ...noBatch, objective, batchSize, epochs: 1 }, inputs, log);
    disposeModel(r.model);
  }
  assert.deepEqual(started.map((s) => [s.objective, s.batchSize]), [['moments', 4], ['cells', 32], ['cells', 32], ['moments', 4], ['cells', 8]]);
});

test('the cells and moments losses are on the same scale (per cell and gene): equal in expectation for the same network output', async () => {
  const { inputs } = tinyDataset();
  const { momentsObjective } = await import('./moments-objective.ts');
  const { cellsObjective } = await import('./cells-objective.ts');
  const tf = await import('@tensorflow/tfjs');
  const { usableConditions } = await import('./train.ts');
  const conditions = usableConditions(inputs.stats, inputs.split, inputs.pertVocabulary).train;
  const common = { stats: inputs.stats, conditions, seed: 1, directionLambda: 0, directionLoss: 'reference' as const, uncertaintyReg: 1 };
  // one batch holding every training condition: the loss is the mean over conditions either way
  const mean = async (obj: { epoch: (e: number, step: (b: import('./objective.ts').StepBatch) => void) => Promise<void> }) => {
    const losses: number[] = [];
    await obj.epoch(1, (b) => losses.push(tf.tidy(() => b.loss(tf.fill([b.perturbations.length, inputs.stats.genes.length], 0.1) as import('@tensorflow/tfjs').Tensor2D).dataSync()[0])));
    return losses.reduce((a, v) => a + v, 0) / losses.length;
  };
  const moments = await mean(momentsObjective({ ...common, batchSize: conditions.length, passes: 1 }));
  const cells = await mean(await cellsObjective({ ...common, chunks: inputs.cellChunks!, batchSize: 100000 }));
  // the cells loss is one draw of the control pairing; the moments loss its expectation
  assert.ok(Math.abs(cells / moments - 1) < 0.25, `cells ${cells} vs moments ${moments}`);
});
