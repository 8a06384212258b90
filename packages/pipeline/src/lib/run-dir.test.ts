// The run directory's lock between real processes, and stale temporaries of killed processes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { silentLogger, type Logger } from '@gears-pipeline/core';
import { cleanStaleTemporaries, LOCK_FILE, lockRunDirectory } from './run-dir.ts';

const runDirModule = resolve(import.meta.dirname, 'run-dir.ts');
const gears = resolve(import.meta.dirname, '../../bin/gears.js');

/** A pid that existed and has exited (so no process has it now, barring reuse within the test). */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  return Number(r.stdout);
}

/** Starts a second process that takes the lock, says so on stdout, and holds it until told to stop (a line on its stdin). */
function holder(runDir: string): Promise<{ pid: number; stop: () => void; exited: Promise<void> }> {
  const code = `const { lockRunDirectory } = await import(${JSON.stringify(runDirModule)});
const release = await lockRunDirectory(${JSON.stringify(runDir)}, { log: { info() {}, warn() {}, progress() {} }, command: 'gears run (test holder)' });
process.stdout.write('locked\\n');
process.stdin.on('data', () => { release(); process.exit(0); });`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'inherit'] });
  const exited = new Promise<void>((r) => child.on('exit', () => r()));
  const stop = () => child.stdin.write('stop\n');
  return new Promise((ok) => child.stdout.on('data', (b: Buffer) => b.toString().includes('locked') && ok({ pid: child.pid!, stop, exited })));
}

function captureLog() {
  const lines: string[] = [];
  const log: Logger = { info: (e, f) => lines.push(`${e} ${JSON.stringify(f)}`), warn: (e, f) => lines.push(`${e} ${JSON.stringify(f)}`), progress() {} };
  return { log, lines };
}

test('a second process is refused with a message naming the holder, or waits with --wait', async () => {
  const runDir = mkdtempSync(join(tmpdir(), 'gears-lock-'));
  const h = await holder(runDir);
  const lock = JSON.parse(readFileSync(join(runDir, LOCK_FILE), 'utf8'));
  assert.equal(lock.pid, h.pid);
  assert.equal(lock.host, hostname());
  assert.ok(Date.parse(lock.startedAt) > 0);
  await assert.rejects(lockRunDirectory(runDir, { log: silentLogger }), (e: Error) => {
    assert.match(e.message, new RegExp(`is in use by another gears process \\(pid ${h.pid} on ${hostname()}, \`gears run \\(test holder\\)\` since .*Fix: .*--wait`));
    return true;
  });
  // the CLI: exit code 1 and the same one-line message
  const cli = spawnSync(process.execPath, [gears, 'run', '--run.out', runDir, '--run.stages', 'split'], { encoding: 'utf8' });
  assert.equal(cli.status, 1, cli.stderr);
  assert.match(cli.stderr, new RegExp(`in use by another gears process \\(pid ${h.pid}`));
  let acquired = false;
  const waiting = lockRunDirectory(runDir, { log: silentLogger, wait: true }).then((r) => ((acquired = true), r));
  await new Promise((r) => setTimeout(r, 1200));
  assert.equal(acquired, false, 'still waiting while the holder runs');
  h.stop();
  const release = await waiting;
  assert.equal(JSON.parse(readFileSync(join(runDir, LOCK_FILE), 'utf8')).pid, process.pid);
  release();
  assert.ok(!existsSync(join(runDir, LOCK_FILE)));
  await h.exited;
});

test('a lock left by a dead process on this host is taken over with a warning', async () => {
  const runDir = mkdtempSync(join(tmpdir(), 'gears-lock-'));
  const pid = deadPid();
  writeFileSync(join(runDir, LOCK_FILE), JSON.stringify({ pid, host: hostname(), startedAt: new Date().toISOString(), command: 'gears run' }));
  const { log, lines } = captureLog();
  const release = await lockRunDirectory(runDir, { log });
  assert.ok(lines.some((l) => l.includes('run.stale_lock_taken_over') && l.includes(`pid ${pid}`)), lines.join('\n'));
  release();
});

test('temporaries of dead processes are removed anywhere in the run directory; a set-aside output is restored; live ones stay', () => {
  const runDir = mkdtempSync(join(tmpdir(), 'gears-tmp-'));
  const dead = deadPid();
  // ingest killed while writing: .dataset.tmp-<pid>-<stamp>/ beside the (previous) dataset
  mkdirSync(join(runDir, 'dataset'));
  mkdirSync(join(runDir, `.dataset.tmp-${dead}-abc`));
  writeFileSync(join(runDir, `.dataset.tmp-${dead}-abc`, 'cells.parquet'), 'half');
  // an atomic write inside a stage folder, and a checkpoint folder two levels down
  mkdirSync(join(runDir, 'model', `.checkpoint.${dead}.k2.tmp`), { recursive: true });
  writeFileSync(join(runDir, 'graphs.parquet'), 'x');
  writeFileSync(join(runDir, `.graphs.parquet.${dead}.z9.tmp`), 'half');
  // a previous good output set aside (.old-) whose replacement was never renamed in
  mkdirSync(join(runDir, `.predictions.old-${dead}-q1`));
  writeFileSync(join(runDir, `.predictions.old-${dead}-q1`, 'predictions.parquet'), 'good');
  // a temporary of a live process (this one's parent) is not touched
  const live = join(runDir, `.evaluate.${process.ppid}.a1.tmp`);
  writeFileSync(live, 'in progress');
  const handled = cleanStaleTemporaries(runDir, silentLogger);
  assert.equal(handled.length, 4);
  assert.ok(!existsSync(join(runDir, `.dataset.tmp-${dead}-abc`)));
  assert.ok(!existsSync(join(runDir, 'model', `.checkpoint.${dead}.k2.tmp`)));
  assert.ok(!existsSync(join(runDir, `.graphs.parquet.${dead}.z9.tmp`)));
  assert.equal(readFileSync(join(runDir, 'predictions', 'predictions.parquet'), 'utf8'), 'good');
  assert.ok(existsSync(live));
  assert.ok(existsSync(join(runDir, 'dataset')));
});
