#!/usr/bin/env node
// Renders bench/results.json as the README's benchmark table (between the bench markers):
//   node scripts/bench-table.mjs [--write]
import { readFileSync, writeFileSync } from 'node:fs';

const r = JSON.parse(readFileSync('bench/results.json', 'utf8'));
const b = r.benchmarks;
const m = r.machine;
const rows = [];
let current = {};
const row = (what, size, time, rss, note = '') => rows.push(`| ${what} | ${size} | ${time} | ${rss} | ${note} | ${current.measuredAt ?? '–'} |`);
const s = (x) => (x === undefined || Number.isNaN(Number(x)) ? '–' : `${Number(x).toFixed(1)} s`);
const mib = (x) => (x === undefined || Number.isNaN(Number(x)) ? '–' : `${(Number(x) / 1024).toFixed(2)} GiB`);
const met = (ok) => (ok ? '**met**' : '**missed**');
current = b.ingest ?? {};
if (b.ingest?.ingest?.h5ad) {
  // issue 13: ≥ 10,000 cells/s (100,000 cells in ≤ 10 s) and ≤ 2 GiB per input format
  const names = { h5ad: 'h5ad', parquet: 'Parquet cells', parquetDuckdb: 'Parquet cells, `--engine duckdb`', mtx: '10x MTX (gzip)' };
  for (const [k, v] of Object.entries(b.ingest.ingest)) {
    const ok = v.cellsPerSecond >= 10_000 && v.peakRssMiB <= 2048;
    row(`ingest, ${names[k] ?? k}`, `${b.ingest.generation.cells.toLocaleString('en')} cells × ${b.ingest.generation.genes.toLocaleString('en')} genes, ${(b.ingest.generation.density * 100).toFixed(1)}% non-zero`, s(v.wallSeconds), mib(v.peakRssMiB), `${v.cellsPerSecond.toLocaleString('en')} cells/s, ${v.cpuSeconds} CPU s, load ${v.loadAverage1m}; target ≥ 10,000 cells/s and ≤ 2 GiB: ${met(ok)}`);
  }
} else if (b.ingest) row('ingest (`gears ingest`)', `${b.ingest.ingest.cells.toLocaleString('en')} cells × 5,000 genes, ${(b.ingest.generation.density * 100).toFixed(1)}% non-zero, raw counts`, s(b.ingest.ingest.wallSeconds), mib(b.ingest.peakRssMiB), `${b.ingest.ingest.cellsPerSecond.toLocaleString('en')} cells/s; target < 60 s, < 2 GiB`);
current = b.simulate ?? {};
if (b.simulate) row('simulate (`gears simulate --preset norman`)', `${b.simulate.cells.toLocaleString('en')} cells × ${b.simulate.genes.toLocaleString('en')} genes → h5ad`, s(b.simulate.h5ad.seconds), mib(b.simulate.peakRssMiB), `${b.simulate.h5ad.cellsPerSecond.toLocaleString('en')} cells/s`);
current = b.graphs ?? {};
if (b.graphs) {
  row('GO graph', `all ${b.graphs.goGenes.toLocaleString('en')} annotated human genes → ${b.graphs.goEdges.toLocaleString('en')} edges`, s(b.graphs.goBuildSeconds), mib(b.graphs.peakRssMiB), 'target < 30 s');
  row('co-expression graph', `${b.graphs.coexpressionGenes.toLocaleString('en')} genes × ${b.graphs.coexpressionCells.toLocaleString('en')} cells, 10% non-zero`, s(b.graphs.coexpressionSeconds), mib(b.graphs.peakRssMiB), 'includes generating the cells; target < 30 s');
}
current = b.model ?? {};
if (b.model) {
  row('train, `moments`, one epoch', `${b.model.genes.toLocaleString('en')} genes, ${b.model.conditions} conditions (${b.model.doubles} doubles), ${b.model.stepsPerEpoch} steps`, s(b.model.momentsSecondsPerEpoch), mib(b.model.peakRssMiB), `${b.model.gflopsAchieved} GFLOP/s on ${b.model.backend}, ${b.model.cpuSeconds ?? '–'} CPU s for the whole benchmark, load ${b.model.loadAverage1m?.join('→') ?? '–'}`);
  row('train, `moments`, full run', `${b.model.epochs} epochs`, s(b.model.momentsFullRunSeconds), mib(b.model.peakRssMiB), `target ≤ 60 s: ${met(b.model.momentsFullRunSeconds <= 60)} (the reference: ≈ 22 min on an H100)`);
  row('train, `cells` (reference objective)', 'per cell', `${b.model.cellsObjectiveSecondsPerCell} s`, '–', `≈ ${(b.model.cellsObjectiveProjectedNormanEpochSeconds / 60).toFixed(0)} min per Norman epoch (91,205 cells); target ≤ 5 ms per cell: ${met(b.model.cellsObjectiveSecondsPerCell <= 0.005)}`);
}
current = b.evaluate ?? {};
if (b.evaluate) {
  const e = b.evaluate;
  const gi = e.giCpuSeconds !== undefined ? `GI fits ${e.giSeconds} s wall, ${e.giCpuSeconds} CPU s on ${e.giThreads} threads (max |Δ| vs the old fit ${Number(e.giMaxDiffVsOracle).toExponential(1)}); load ${e.loadAverage1m?.join('→')}` : 'mostly the Theil–Sen GI fits';
  // the stage as a user waits for it: GI fits + metrics + writing every table (and the report)
  const whole = e.totalSeconds ?? e.evaluateSeconds;
  const parts = e.totalSeconds !== undefined ? `GI ${e.giSeconds} s + metrics ${e.metricsSeconds} s + writing tables ${e.writeParquetSeconds} s + report ${e.reportSeconds} s; ${e.cpuSeconds} CPU s; ` : '';
  row('evaluate', `${e.conditions} conditions × ${e.genes.toLocaleString('en')} genes, ${e.models} models, ${e.giCombinations} GI combinations`, s(whole), mib(e.peakRssMiB), `${parts}${gi}; target ≤ 20 s: ${met(whole <= 20)}`);
}
current = b.pipeline ?? {};
if (b.pipeline?.stages) {
  for (const [stage, v] of Object.entries(b.pipeline.stages)) {
    row(`pipeline: ${stage}`, `Norman-scale synthetic (${b.pipeline.data.cells.toLocaleString('en')} cells × ${b.pipeline.data.genes.toLocaleString('en')} genes)`, s(v.seconds), mib(v.peakRssMiB), [v.cellsPerSecond ? `${v.cellsPerSecond.toLocaleString('en')} cells/s` : '', v.epochs ? `${v.epochs} epochs, ${v.secondsPerEpoch} s/epoch, ${v.backend}` : ''].filter(Boolean).join('; '));
  }
  row('pipeline: all stages', '', s(b.pipeline.pipelineSeconds), '–', 'each stage a separate `gears run --run.stages <stage>` process');
}
current = b['genome-wide'] ?? {};
if (b['genome-wide']?.stages) {
  const g = b['genome-wide'];
  const x = g.extrapolated;
  const size = `genome-wide preset × ${g.data.scale}: ${g.data.cells.toLocaleString('en')} cells × ${g.data.genes.toLocaleString('en')} genes, ${g.data.conditions.toLocaleString('en')} conditions`;
  for (const [stage, v] of Object.entries(g.stages)) {
    const e = x?.stageSeconds?.[stage];
    const ext = e === undefined ? '' : `extrapolated to 1,000,000 cells / 10,000 perturbations${stage === 'train' ? ' / 20 epochs' : ''}: ${Array.isArray(e) ? `${(e[0] / 60).toFixed(0)}–${(e[1] / 60).toFixed(0)}` : (e / 60).toFixed(0)} min`;
    row(`genome-wide: ${stage}`, size, s(v.seconds), mib(v.peakRssMiB), [`${v.cpuSeconds} CPU s`, v.epochs ? `${v.epochs} epoch(s), ${v.secondsPerStep} s/step, ${v.backend}` : '', ext].filter(Boolean).join('; '));
  }
  const total = x ? `extrapolated (linear, not measured): ${(x.pipelineSeconds / 3600).toFixed(1)}–${(x.pipelineSecondsUpper / 3600).toFixed(1)} h; condition × gene statistics arrays ${x.denseStatsArrayGiB} GiB each at full size` : '';
  row('genome-wide: all stages', size, s(g.pipelineSeconds), mib(g.stagesPeakRssMiB), `${total}; target ≤ 1 h and ≤ 8 GiB at full size: ${met(false)} (see below)`);
}
const text = [
  `Measured by \`npm run bench\` on ${m.cpus} cores (${m.cpuModel}), ${m.memoryGiB} GiB, Node ${m.node}, WebAssembly backend; each row dated (rows of 2026-12-02 ran with up to 8 other jobs on the machine, load average 8–16, so their wall times are 2–4× an idle machine's; CPU seconds are the steadier figure). Raw numbers: [bench/results.json](bench/results.json). Peak RSS is per process.`,
  '',
  '| what | size | wall time | peak RSS | notes | measured |',
  '|---|---|---:|---:|---|---|',
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
