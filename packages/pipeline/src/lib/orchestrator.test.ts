import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, writeManifest, sha256File, PACKAGE_VERSION } from '@gears-pipeline/core';
import { runPipeline, type StageDefinition } from './orchestrator.ts';

function fakeStages(root: string, cfg: { a: number; b: number }, ran: string[], failAt?: string): StageDefinition[] {
  const mk = (name: string, config: unknown, upstream: string[]): StageDefinition => ({
    name,
    dir: join(root, name),
    config,
    inputs: Object.fromEntries([['input', join(root, 'input.txt')], ...upstream.map((u) => [u, join(root, u)])]),
    async run() {
      mkdirSync(join(root, name), { recursive: true }); // a stage makes its own directory
      if (failAt === name) {
        // a crash after replacing one output, before the manifest: the old manifest no longer matches
        writeFileSync(join(root, name, 'out.txt'), 'partial');
        throw new Error(`boom in ${name}`);
      }
      ran.push(name);
      const out = join(root, name, 'out.txt');
      writeFileSync(out, `${name} ${JSON.stringify(config)}`);
      writeManifest(join(root, name), { stage: name, version: PACKAGE_VERSION, config, inputs: {}, outputs: { 'out.txt': { sha256: await sha256File(out) } }, startedAt: '', finishedAt: '', seconds: 0 });
    },
  });
  return [mk('first', { a: cfg.a }, []), mk('second', { b: cfg.b }, ['first']), mk('third', {}, ['second'])];
}

test('unchanged stages are skipped; a config change reruns that stage and the ones after it', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gears-orch-'));
  writeFileSync(join(root, 'input.txt'), 'cells v1');
  let ran: string[] = [];
  await runPipeline(fakeStages(root, { a: 1, b: 1 }, ran), { log: silentLogger });
  assert.deepEqual(ran, ['first', 'second', 'third']);
  ran = [];
  const ev = await runPipeline(fakeStages(root, { a: 1, b: 1 }, ran), { log: silentLogger });
  assert.deepEqual(ran, []);
  assert.deepEqual(ev.map((e) => e.status), ['skipped', 'skipped', 'skipped']);
  ran = [];
  await runPipeline(fakeStages(root, { a: 1, b: 2 }, ran), { log: silentLogger });
  assert.deepEqual(ran, ['second', 'third']);
  ran = [];
  writeFileSync(join(root, 'input.txt'), 'cells v2');
  await runPipeline(fakeStages(root, { a: 1, b: 2 }, ran), { log: silentLogger });
  assert.deepEqual(ran, ['first', 'second', 'third']);
  ran = [];
  await runPipeline(fakeStages(root, { a: 1, b: 2 }, ran), { log: silentLogger, force: true });
  assert.deepEqual(ran, ['first', 'second', 'third']);
});

test('a failed stage reruns next time and a tampered output is detected', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gears-orch-'));
  writeFileSync(join(root, 'input.txt'), 'cells');
  let ran: string[] = [];
  await runPipeline(fakeStages(root, { a: 1, b: 1 }, ran), { log: silentLogger });
  ran = [];
  await assert.rejects(runPipeline(fakeStages(root, { a: 1, b: 3 }, ran, 'second'), { log: silentLogger }), /boom in second/);
  ran = [];
  await runPipeline(fakeStages(root, { a: 1, b: 1 }, ran), { log: silentLogger });
  // the failed run replaced second's output, which no longer matches its manifest, so it reruns
  // even with the old config; it writes the same output as before, so 'third' stays current.
  assert.deepEqual(ran, ['second']);
  ran = [];
  writeFileSync(join(root, 'third', 'out.txt'), 'edited by hand');
  await runPipeline(fakeStages(root, { a: 1, b: 1 }, ran), { log: silentLogger });
  assert.deepEqual(ran, ['third']);
});

test('a stage run alone sees upstream outputs rewritten by an earlier separate run (no constant for unselected stages)', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gears-orch-'));
  writeFileSync(join(root, 'input.txt'), 'cells');
  let ran: string[] = [];
  await runPipeline(fakeStages(root, { a: 1, b: 1 }, ran), { log: silentLogger });
  ran = [];
  // only 'first' reruns with another setting, as `gears run --run.stages first` or `gears first` would
  await runPipeline(fakeStages(root, { a: 2, b: 1 }, ran).slice(0, 1), { log: silentLogger });
  assert.deepEqual(ran, ['first']);
  ran = [];
  // then only the later stages: 'second' reads first's new output, so it reruns; its own output
  // is unchanged (it depends on b only), so 'third' stays current
  await runPipeline(fakeStages(root, { a: 2, b: 1 }, ran).slice(1), { log: silentLogger });
  assert.deepEqual(ran, ['second']);
  ran = [];
  await runPipeline(fakeStages(root, { a: 2, b: 1 }, ran).slice(1), { log: silentLogger });
  assert.deepEqual(ran, []);
});

test('the code version is part of every key: an upgrade reruns every stage', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gears-orch-'));
  writeFileSync(join(root, 'input.txt'), 'cells');
  let ran: string[] = [];
  await runPipeline(fakeStages(root, { a: 1, b: 1 }, ran), { log: silentLogger, version: '1.0.0' });
  ran = [];
  await runPipeline(fakeStages(root, { a: 1, b: 1 }, ran), { log: silentLogger, version: '1.0.0' });
  assert.deepEqual(ran, []);
  await runPipeline(fakeStages(root, { a: 1, b: 1 }, ran), { log: silentLogger, version: '1.1.0' });
  assert.deepEqual(ran, ['first', 'second', 'third']);
  assert.equal(JSON.parse(readFileSync(join(root, 'third', 'pipeline-key.json'), 'utf8')).version, '1.1.0');
});

test('an upstream output corrupted after its stage wrote it is an error naming the file, not reused', async () => {
  const root = mkdtempSync(join(tmpdir(), 'gears-orch-'));
  writeFileSync(join(root, 'input.txt'), 'cells');
  const ran: string[] = [];
  await runPipeline(fakeStages(root, { a: 1, b: 1 }, ran), { log: silentLogger });
  writeFileSync(join(root, 'first', 'out.txt'), 'bit rot');
  await assert.rejects(runPipeline(fakeStages(root, { a: 1, b: 1 }, ran).slice(1), { log: silentLogger }), (e: Error) => {
    assert.match(e.message, /first\/out\.txt: sha256: content differs from the hash first recorded.*Fix: rerun `gears first`/);
    return true;
  });
});
