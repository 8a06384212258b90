import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { silentLogger, writeManifest, sha256File, PACKAGE_VERSION } from '@gears-pipeline/core';
import { runPipeline, type StageDefinition } from './orchestrator.ts';

function fakeStages(root: string, cfg: { a: number; b: number }, ran: string[], failAt?: string): StageDefinition[] {
  const mk = (name: string, config: unknown, upstream: string[]): StageDefinition => ({
    name,
    dir: join(root, name),
    config,
    files: [join(root, 'input.txt')],
    upstream,
    async run() {
      if (failAt === name) throw new Error(`boom in ${name}`);
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
  // 'second' was invalidated when its failed run started, so it reruns even with the old config;
  // it writes the same output as before, so 'third' (which reads it) stays current.
  assert.deepEqual(ran, ['second']);
  ran = [];
  writeFileSync(join(root, 'third', 'out.txt'), 'edited by hand');
  await runPipeline(fakeStages(root, { a: 1, b: 1 }, ran), { log: silentLogger });
  assert.deepEqual(ran, ['third']);
});
