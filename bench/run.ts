/**
 * `npm run bench [-- name ...]`: runs the benchmarks in bench/*.bench.ts (each exports
 * `name` and `run(): Promise<Record<string, unknown>>`), one child process each so peak RSS is
 * per benchmark, and writes bench/results.json with the machine they ran on.
 */
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { spawnSync } from 'node:child_process';
import os from 'node:os';
import { writeFileAtomic } from '@gears-pipeline/core';

const dir = resolve(import.meta.dirname);
const only = process.argv.slice(2);
const files = readdirSync(dir).filter((f) => f.endsWith('.bench.ts')).sort();
const resultsPath = join(dir, 'results.json');
const previous = existsSync(resultsPath) ? JSON.parse(readFileSync(resultsPath, 'utf8')) : { benchmarks: {} };
const benchmarks: Record<string, unknown> = { ...(previous.benchmarks ?? {}) };
for (const f of files) {
  const name = f.replace(/\.bench\.ts$/, '');
  if (only.length && !only.includes(name)) continue;
  process.stderr.write(`bench ${name} …\n`);
  const r = spawnSync(process.execPath, ['--import', 'tsx', '--expose-gc', join(dir, 'child.ts'), join(dir, f)], {
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 64 * 1024 * 1024,
  });
  const out = r.stdout.toString().trim().split('\n').pop() ?? '';
  try {
    benchmarks[name] = { ...JSON.parse(out), measuredAt: new Date().toISOString().slice(0, 10) };
  } catch {
    benchmarks[name] = { error: `exit ${r.status}`, output: out.slice(-500) };
  }
  process.stderr.write(`${name}: ${JSON.stringify(benchmarks[name])}\n`);
}
const machine = { cpus: os.cpus().length, cpuModel: os.cpus()[0]?.model, memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version, platform: `${os.platform()} ${os.arch()}` };
writeFileAtomic(resultsPath, JSON.stringify({ date: new Date().toISOString(), machine, benchmarks }, null, 2) + '\n');
process.stderr.write(`wrote ${resultsPath}\n`);
