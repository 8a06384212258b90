/**
 * Real pipeline data: the reference synthetic set ingested by the ingest stage (cells.parquet
 * included) and evaluated on the reference's own seed-1 simulation split.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runIngest } from '@gears-pipeline/ingest';
import { runEvaluate } from './run-evaluate.ts';
import { AGGREGATE_CONDITION } from './types.ts';

const data = fileURLToPath(new URL('../../../../data/reference-synth/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gears-eval-synth-'));

test('synthetic reference set: subgroups, range metrics from cells, baselines in the expected order', async () => {
  await runIngest({ input: join(data, 'synth_raw.h5ad'), outDir: join(dir, 'dataset') });
  const r = await runEvaluate({ datasetDir: join(dir, 'dataset'), splitPath: join(data, 'reference_split_seed1.json'), outDir: join(dir, 'evaluate') });
  assert.equal(r.evaluated.filter((e) => e.split === 'test').length, 17);
  assert.equal(r.evaluated.filter((e) => e.split === 'val').length, 3);
  const agg = (model: string, subgroup: string, metric: string) => r.metrics.find((m) => m.condition === AGGREGATE_CONDITION && m.split === 'test' && m.model === model && m.subgroup === subgroup && m.metric === metric)!;
  assert.deepEqual(
    ['unseen_single', 'combo_seen0', 'combo_seen1', 'combo_seen2'].map((g) => agg('no_change', g, 'mse').nConditions),
    [5, 1, 8, 3],
  );
  const ranges = r.metrics.filter((m) => m.metric.startsWith('frac_in_range') && m.condition !== AGGREGATE_CONDITION);
  assert.ok(ranges.length > 0, 'cells.parquet was read for frac_in_range*');
  for (const m of ranges) assert.ok(m.value >= 0 && m.value <= 1);
  // the additive baseline uses both observed singles for seen-2 combinations
  assert.ok(agg('additive', 'combo_seen2', 'pearson_delta').value > agg('training_mean', 'combo_seen2', 'pearson_delta').value);
  assert.ok(agg('additive', 'combo_seen2', 'mse_top20_de_non_dropout').value < agg('no_change', 'combo_seen2', 'mse_top20_de_non_dropout').value);
  // GI: every test/val combination has both singles in the synthetic set
  assert.equal(new Set(r.gi.rows.filter((g) => g.model === 'observed').map((g) => g.combination)).size, 13);
});

test.after(() => rmSync(dir, { recursive: true, force: true }));
