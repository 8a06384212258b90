#!/usr/bin/env node
// The README's test command: runs each workspace's tests in dependency order and ends with
// one line "N passed, N failed" totalled over all packages (CI reads that line).
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

const workspaces = ['core', 'ingest', 'graphs', 'model', 'evaluate', 'pipeline']
  .map((p) => `packages/${p}`)
  .concat(['tests']);
let passed = 0;
let failed = 0;
const broken = [];
for (const ws of workspaces) {
  console.log(`\n=== ${ws} ===`);
  const out = await new Promise((done) => {
    const child = spawn(process.execPath, [resolve('scripts/run-tests.mjs'), resolve(ws)], {
      cwd: resolve(ws),
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let text = '';
    child.stdout.on('data', (b) => {
      process.stdout.write(b);
      text += b.toString();
    });
    child.on('close', (code) => done({ text, code }));
  });
  const p = /ℹ pass (\d+)/.exec(out.text);
  const f = /ℹ fail (\d+)/.exec(out.text);
  const np = p ? Number(p[1]) : 0;
  let nf = f ? Number(f[1]) : 0;
  // A crash before the summary (e.g. a syntax error) counts as one failure, never as silence.
  if (!p && out.code !== 0) nf = Math.max(nf, 1);
  if (out.code !== 0) broken.push(ws);
  passed += np;
  failed += nf;
}
if (broken.length) console.log(`\nfailing workspaces: ${broken.join(', ')}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 || broken.length > 0 ? 1 : 0);
