import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { GearsInputError, readManifest, silentLogger } from '@gears-pipeline/core';
import { runIngest } from '@gears-pipeline/ingest';
import { runSplit } from './run-split.ts';
import { runGraphs } from './run-graphs.ts';
import { readSplit, writeSplit } from './split/split-io.ts';
import { readGeneGraph } from './graph-io.ts';

const synth = (f: string) => fileURLToPath(new URL(`../../../../data/reference-synth/${f}`, import.meta.url));
const gene2go = synth('gene2go.tsv');

test('split and graphs stages on the synthetic set reproduce the reference and skip when current', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'gears-graphs-'));
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  await runIngest({ input: synth('synth_raw.h5ad'), outDir: join(ws, 'dataset') }, silentLogger);

  const warnings: string[] = [];
  const log = { ...silentLogger, warn: (e: string, f?: Record<string, unknown>) => warnings.push(`${e} ${String(f?.condition)}`) };
  const s = await runSplit({ workspace: ws, gene2go }, log);
  assert.equal(s.skipped, false);
  assert.deepEqual(warnings, ['split.condition_excluded NOGOGENE+ctrl']);
  assert.ok(s.excluded.some((e) => e.condition === 'NOGOGENE+ctrl' && /GO vocabulary/.test(e.reason)));
  const ref = JSON.parse(readFileSync(synth('reference_split_seed1.json'), 'utf8'))['synth_simulation_1_0.75.pkl'];
  const stored = await readSplit(s.path);
  for (const part of ['train', 'val', 'test'] as const) {
    assert.deepEqual(stored.filter((a) => a.split === part).map((a) => a.condition).sort(), [...ref[part]].sort(), part);
  }
  assert.ok(readManifest(s.outDir)?.outputs['split.parquet']);

  const g = await runGraphs({ workspace: ws, gene2go }, silentLogger);
  assert.equal(g.goEdges, 3958);
  assert.equal(g.coexpressionEdges, 672);
  assert.equal(g.vocabularySize, 200);
  const go = await readGeneGraph(join(g.outDir, 'go_edges.parquet'));
  assert.equal(go.nodes.length, 200);
  assert.equal(go.source.length, 3958);
  const co = await readGeneGraph(join(g.outDir, 'coexpression_edges.parquet'));
  const refCo = readFileSync(synth('reference_coexpression_edges.tsv'), 'utf8').trim().split('\n').slice(1).map((l) => l.split('\t').slice(0, 2).join('>'));
  assert.deepEqual(Array.from(co.source.keys(), (e) => `${co.nodes[co.source[e]]}>${co.nodes[co.target[e]]}`).sort(), refCo.sort());

  // unchanged inputs: both stages are skipped; a changed option reruns
  assert.equal((await runSplit({ workspace: ws, gene2go }, silentLogger)).skipped, true);
  assert.equal((await runGraphs({ workspace: ws, gene2go }, silentLogger)).skipped, true);
  assert.equal((await runSplit({ workspace: ws, gene2go, seed: 2 }, silentLogger)).skipped, false);

  // a pinned split (custom, from the Parquet written above, edited) is used as given
  const pinned = join(ws, 'pinned.parquet');
  writeSplit(pinned, stored.map((a) => (a.condition === 'GENE000+ctrl' ? { ...a, split: 'test' as const, subgroup: '' as const } : a)));
  const c = await runSplit({ workspace: ws, gene2go, split: 'custom', splitFile: pinned, outDir: join(ws, 'split-custom') }, silentLogger);
  assert.equal(c.assignments.find((a) => a.condition === 'GENE000+ctrl')?.split, 'test');
  const json = join(ws, 'split.json');
  writeFileSync(json, JSON.stringify({ train: ['GENE000+ctrl'], val: ['GENE001+ctrl'], test: ['GENE002+GENE003'] }));
  await assert.rejects(runSplit({ workspace: ws, gene2go, split: 'custom', splitFile: json, outDir: join(ws, 'x') }), /not in the data set/);
  await assert.rejects(runGraphs({ workspace: join(ws, 'nowhere'), gene2go }), GearsInputError);
});
