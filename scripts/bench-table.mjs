#!/usr/bin/env node
// Renders bench/results.json as the README's benchmark table (between the bench markers):
//   node scripts/bench-table.mjs [--write]
import { readFileSync, writeFileSync } from 'node:fs';

const r = JSON.parse(readFileSync('bench/results.json', 'utf8'));
const b = r.benchmarks;
const m = r.machine;
const rows = [];
const row = (what, size, time, rss, note = '') => rows.push(`| ${what} | ${size} | ${time} | ${rss} | ${note} |`);
const s = (x) => (x === undefined || Number.isNaN(Number(x)) ? '–' : `${Number(x).toFixed(1)} s`);
const mib = (x) => (x === undefined || Number.isNaN(Number(x)) ? '–' : `${(Number(x) / 1024).toFixed(2)} GiB`);
if (b.ingest) row('ingest (`gears ingest`)', `${b.ingest.ingest.cells.toLocaleString('en')} cells × 5,000 genes, ${(b.ingest.generation.density * 100).toFixed(1)}% non-zero, raw counts`, s(b.ingest.ingest.wallSeconds), mib(b.ingest.peakRssMiB), `${b.ingest.ingest.cellsPerSecond.toLocaleString('en')} cells/s; target < 60 s, < 2 GiB`);
if (b.simulate) row('simulate (`gears simulate --preset norman`)', `${b.simulate.cells.toLocaleString('en')} cells × ${b.simulate.genes.toLocaleString('en')} genes → h5ad`, s(b.simulate.h5ad.seconds), mib(b.simulate.peakRssMiB), `${b.simulate.h5ad.cellsPerSecond.toLocaleString('en')} cells/s`);
if (b.graphs) {
  row('GO graph', `all ${b.graphs.goGenes.toLocaleString('en')} annotated human genes → ${b.graphs.goEdges.toLocaleString('en')} edges`, s(b.graphs.goBuildSeconds), mib(b.graphs.peakRssMiB), 'target < 30 s');
  row('co-expression graph', `${b.graphs.coexpressionGenes.toLocaleString('en')} genes × ${b.graphs.coexpressionCells.toLocaleString('en')} cells, 10% non-zero`, s(b.graphs.coexpressionSeconds), mib(b.graphs.peakRssMiB), 'includes generating the cells; target < 30 s');
}
if (b.model) {
  row('train, `moments`, one epoch', `${b.model.genes.toLocaleString('en')} genes, ${b.model.conditions} conditions (${b.model.doubles} doubles), ${b.model.stepsPerEpoch} steps`, s(b.model.momentsSecondsPerEpoch), mib(b.model.peakRssMiB), `${b.model.gflopsAchieved} GFLOP/s on ${b.model.backend}`);
  row('train, `moments`, full run', `${b.model.epochs} epochs`, s(b.model.momentsFullRunSeconds), mib(b.model.peakRssMiB), 'target < 10 min; the reference: ≈ 22 min on an H100');
  row('train, `cells` (reference objective)', 'per cell', `${b.model.cellsObjectiveSecondsPerCell} s`, '–', `≈ ${(b.model.cellsObjectiveProjectedNormanEpochSeconds / 60).toFixed(0)} min per Norman epoch (91,205 cells)`);
}
if (b.evaluate) row('evaluate', `${b.evaluate.conditions} conditions × ${b.evaluate.genes.toLocaleString('en')} genes, ${b.evaluate.models} models, ${b.evaluate.giCombinations} GI combinations`, s(b.evaluate.evaluateSeconds), mib(b.evaluate.peakRssMiB), 'mostly the Theil–Sen GI fits');
if (b.pipeline?.stages) {
  for (const [stage, v] of Object.entries(b.pipeline.stages)) {
    row(`pipeline: ${stage}`, `Norman-scale synthetic (${b.pipeline.data.cells.toLocaleString('en')} cells × ${b.pipeline.data.genes.toLocaleString('en')} genes)`, s(v.seconds), mib(v.peakRssMiB), [v.cellsPerSecond ? `${v.cellsPerSecond.toLocaleString('en')} cells/s` : '', v.epochs ? `${v.epochs} epochs, ${v.secondsPerEpoch} s/epoch, ${v.backend}` : ''].filter(Boolean).join('; '));
  }
  row('pipeline: all stages', '', s(b.pipeline.pipelineSeconds), '–', 'each stage a separate `gears run --run.stages <stage>` process');
}
const text = [
  `Measured by \`npm run bench\` on ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, WebAssembly backend, ${r.date.slice(0, 10)}; other jobs shared the machine, so times vary by ±25 %. Raw numbers: [bench/results.json](bench/results.json). Peak RSS is per process.`,
  '',
  '| what | size | wall time | peak RSS | notes |',
  '|---|---|---:|---:|---|',
  ...rows,
].join('\n');
process.stdout.write(text + '\n');
if (process.argv.includes('--write')) {
  const src = readFileSync('README.md', 'utf8');
  const a = '<!-- bench:start -->';
  const z = '<!-- bench:end -->';
  const i = src.indexOf(a);
  const j = src.indexOf(z);
  if (i < 0 || j < 0) throw new Error('README.md lacks the bench markers');
  writeFileSync('README.md', src.slice(0, i + a.length) + '\n' + text + '\n' + src.slice(j));
}
