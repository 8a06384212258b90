import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_TRAIN_ARGS } from '@gears-pipeline/model';
import { defaultConfig } from './config-schema.ts';

test('the pipeline config defaults equal the training defaults of the model package', () => {
  const t = defaultConfig().train;
  const d = DEFAULT_TRAIN_ARGS;
  assert.deepEqual(
    [t.epochs, t.batchSize, t.hiddenSize, t.lr, t.weightDecay, t.lrDecay, t.patience, t.direction, t.directionLambda, t.seed, t.minStepsPerEpoch, t.composition],
    [d.epochs, d.batchSize, d.model.hiddenSize, d.learningRate, d.weightDecay, d.lrGamma, d.patience, d.directionLoss, d.directionLambda, d.seed, d.minStepsPerEpoch, d.composition],
  );
});

test('the ingest config offers the pseudobulk format and kinds the ingest package reads', async () => {
  const { CONFIG_FIELDS } = await import('./config-schema.ts');
  const field = (k: string) => CONFIG_FIELDS.find((f) => f.section === 'ingest' && f.key === k)!;
  assert.ok(field('format').values!.includes('pseudobulk'));
  assert.deepEqual(field('pseudobulkKind').values, ['auto', 'lfc', 'mean']);
  assert.equal(defaultConfig().ingest.pseudobulkKind, 'auto');
});
