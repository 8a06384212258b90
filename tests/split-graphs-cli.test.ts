import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { DuckDBInstance } from '@duckdb/node-api';
import { gears, repoRoot } from './helpers.ts';

const synth = (f: string) => join(repoRoot, 'data/reference-synth', f);

test('gears split and gears graphs on the synthetic set: reference split, graphs queryable by SQL, actionable failures', async (t) => {
  const ws = mkdtempSync(join(tmpdir(), 'gears-cli-graphs-'));
  t.after(() => rmSync(ws, { recursive: true, force: true }));
  assert.equal(gears(['ingest', '--input', synth('synth_raw.h5ad'), '--out', join(ws, 'dataset'), '--json']).code, 0);

  const split = gears(['split', '--workspace', ws, '--gene2go', synth('gene2go.tsv'), '--json']);
  assert.equal(split.code, 0, split.stderr);
  assert.ok(split.events.some((e) => e.event === 'split.condition_excluded' && e.condition === 'NOGOGENE+ctrl'));
  const graphs = gears(['graphs', '--workspace', ws, '--gene2go', synth('gene2go.tsv'), '--json']);
  assert.equal(graphs.code, 0, graphs.stderr);

  const db = await DuckDBInstance.create(':memory:');
  const con = await db.connect();
  const q = async (sql: string) => (await con.runAndReadAll(sql)).getRows();
  const ref = JSON.parse(readFileSync(synth('reference_split_seed1.json'), 'utf8'))['synth_simulation_1_0.75_subgroup.pkl'].test_subgroup;
  const subgroups = await q(`select subgroup, count(*) from '${join(ws, 'split/split.parquet')}' where split = 'test' group by subgroup order by subgroup`);
  assert.deepEqual(subgroups.map((r) => [r[0], Number(r[1])]), Object.entries(ref).map(([k, v]) => [k, (v as string[]).length]).sort());
  const go = await q(`select count(*), max(n) from (select target, count(*) n from '${join(ws, 'graphs/go_edges.parquet')}' group by target)`);
  assert.equal(Number(go[0][0]), 200);
  assert.equal(Number(go[0][1]), 21);
  const selfLoops = await q(`select count(*) from '${join(ws, 'graphs/coexpression_edges.parquet')}' where source = target and weight > 0.99`);
  assert.equal(Number(selfLoops[0][0]), 200);

  // a split that cannot be made: exit code 1, says what is needed and what would work
  const bad = gears(['split', '--workspace', ws, '--gene2go', synth('gene2go.tsv'), '--split', 'combo_seen2', '--test-fraction', '0.01', '--out', join(ws, 'bad'), '--json']);
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /test set empty/);
  assert.match(bad.stderr, /--split simulation/);
  const usage = gears(['split', '--workspace', ws, '--split', 'random']);
  assert.equal(usage.code, 2);
});
