#!/usr/bin/env node
// Renders the norman-doubles benchmark of bench/results.json as the double-perturbation table of
// docs/experiments.md and README.md (between the accuracy markers):
//   node scripts/accuracy-table.mjs [--write]
import { readFileSync, writeFileSync } from 'node:fs';

const r = JSON.parse(readFileSync('bench/results.json', 'utf8'));
const b = r.benchmarks['norman-doubles'];
if (!b || !b.models) throw new Error('bench/results.json has no norman-doubles result: run npm run bench:accuracy');
const f = (x, d) => Number(x).toFixed(d);
const rows = Object.entries(b.models).map(
  ([name, m]) => `| ${name} | ${f(m.l2, 2)} | ${f(m.pearsonDelta, 3)} | ${f(m.mseDe, 3)} | ${m.l2ByPartition.map((x) => f(x, 2)).join(' / ')} |`,
);
const text = [
  `${b.partitions} seeded partitions (train: all singles + half of the 126 doubles with both singles measured, a fifth of those for validation; test: the other half, ${b.perPartition[0].testDoubles} doubles), GEARS trained ${b.epochs} epochs max per partition (${f(b.trainSeconds / 60, 1)} min of training in all); mean over partitions of the mean over test doubles. L2 over ${b.l2Genes.toLocaleString('en')} genes (the table holds log fold changes, so expression levels are unknown). Measured by \`npm run bench:accuracy\` on ${r.machine.cpus} cores, ${r.date.slice(0, 10)}.`,
  '',
  '| model | L2 ↓ | Pearson δ ↑ | top-20 DE MSE ↓ | L2 per partition |',
  '|---|---:|---:|---:|---|',
  ...rows,
].join('\n');
process.stdout.write(text + '\n');
if (process.argv.includes('--write')) {
  for (const file of ['docs/experiments.md', 'README.md']) {
    const src = readFileSync(file, 'utf8');
    const a = '<!-- accuracy:start -->';
    const z = '<!-- accuracy:end -->';
    const i = src.indexOf(a);
    const j = src.indexOf(z);
    if (i < 0 || j < 0) throw new Error(`${file} lacks the accuracy markers`);
    writeFileSync(file, src.slice(0, i + a.length) + '\n' + text + '\n' + src.slice(j));
  }
}
