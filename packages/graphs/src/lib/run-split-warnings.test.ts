// A custom split that is accepted but suspicious says so, naming the split file, the empty set and
// the conditions no set lists.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { silentLogger } from '@gears-pipeline/core';
import { runIngest } from '@gears-pipeline/ingest';
import { runSplit } from './run-split.ts';

const synth = (f: string) => fileURLToPath(new URL(`../../../../data/reference-synth/${f}`, import.meta.url));

test('custom split: an empty test set and conditions in no set are warned about by name', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'gears-split-warn-'));
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  const ds = await runIngest({ input: synth('synth_raw.h5ad'), outDir: join(ws, 'dataset') }, silentLogger);
  const perturbed = ds.stats.conditions.filter((c) => !c.isControl && c.name !== 'NOGOGENE+ctrl').map((c) => c.name);
  const json = join(ws, 'split.json');
  writeFileSync(json, JSON.stringify({ train: perturbed.slice(0, 10), val: perturbed.slice(10, 12), test: [] }));
  const warnings: Array<[string, Record<string, unknown>]> = [];
  const log = { ...silentLogger, warn: (e: string, f?: Record<string, unknown>) => warnings.push([e, f ?? {}]) };
  await runSplit({ workspace: ws, gene2go: synth('gene2go.tsv'), split: 'custom', splitFile: json }, log);
  const empty = warnings.find(([e]) => e === 'split.custom_empty_set');
  assert.equal(empty?.[1].set, 'test');
  assert.equal(empty?.[1].file, json);
  const unlisted = warnings.find(([e]) => e === 'split.custom_unlisted_conditions')?.[1];
  assert.deepEqual(unlisted?.conditions, perturbed.slice(12).slice(0, 30));
  assert.equal(unlisted?.count, perturbed.length - 12);
});
