#!/usr/bin/env node
// Renders the unseen benchmark of bench/results.json as tables in docs/experiments.md (full:
// every form, every subgroup) and README.md (unseen singles: chosen form against the network and
// the baselines), between the unseen markers:
//   node scripts/unseen-table.mjs [--write]
import { readFileSync, writeFileSync } from 'node:fs';

const r = JSON.parse(readFileSync('bench/results.json', 'utf8'));
const b = r.benchmarks.unseen;
if (!b || !b.datasets) throw new Error('bench/results.json has no unseen result: run npm run bench:unseen');
const CHOSEN = 'gears auto (chosen)';
// the split-half ceiling of each cell data set (bench/unseen-ceiling.bench.ts), when measured
const ceilings = r.benchmarks['unseen-ceiling']?.datasets ?? {};
const ceilingCell = (key) => {
  const c = ceilings[key];
  return c ? `${c.halfFromOtherHalf.toFixed(2)} / ${c.halfFromMean.toFixed(2)} / ${c.residualSplitHalf.toFixed(2)}` : '–';
};
const NAMES = {
  'norman-pseudobulk': 'Norman 2019 pseudobulk (whole screen, 2,000 genes)',
  synthetic: 'reference synthetic set (200 genes)',
  'norman-cells': 'Norman 2019 cells (devel.h5ad subset, 500 genes)',
  'mcfaline-A172': 'McFaline-Figueroa CRISPRi, A172',
  'mcfaline-T98G': 'McFaline-Figueroa CRISPRi, T98G',
  'mcfaline-U87MG': 'McFaline-Figueroa CRISPRi, U87MG',
};
const ms = (m, d) => (m ? `${m.mean.toFixed(d)} ± ${m.sd.toFixed(d)}` : '–');
// top-20 DE MSE to 3 significant digits below 1: on the cell data sets it is ≈ 0.03–0.08, where
// 3 decimals would print a loss of 0.0734 against 0.0732 as a tie
const de = (x) => (Math.abs(x) >= 1 ? x.toFixed(3) : x.toPrecision(3));
const msDe = (m) => (m ? `${de(m.mean)} ± ${de(m.sd)}` : '–');
const p = (t) => (t ? `${t.p < 0.001 ? t.p.toExponential(1) : t.p.toFixed(3)} (n ${t.n})` : '–');
const order = (models) => [CHOSEN, 'gears auto, form fitted on training only', 'gears network (reference)', 'network, residual on the mean', 'network, residual on the mean, shrunk (α on validation)', ...Object.keys(models).filter((m) => m.startsWith('form ')), 'training_mean', 'training_mean (train + val)', 'linear', 'additive'].filter((m) => models[m]);
const chosenForms = (d) => {
  const seen = d.choices.map((c) => {
    const u = c.unseen_single ?? c.forms?.unseen_single;
    return `${u.form}${u.own_expression ? ' + own' : ''} (${u.decided_on})`;
  });
  const counts = {};
  for (const s of seen) counts[s] = (counts[s] ?? 0) + 1;
  return Object.entries(counts).map(([k, v]) => `${k} ×${v}`).join(', ');
};

const full = [];
const short = [
  `Unseen single genes (never perturbed in training), test means ± sd over units; p = paired Wilcoxon signed-rank over genes of the chosen form against the baseline (Pearson δ / top-20 DE MSE). Ceiling (cell data sets, no model): Pearson of half a single's cells with its other half / with the mean change of the other singles / split-half correlation of its change minus that mean — where the last is ≈ 0 a gene's own effect is noise at this number of cells and nothing can beat training_mean but by chance (bench/unseen/ceiling.ts). \`npm run bench:unseen\`, ${r.machine.cpus} cores, measured ${b.measuredAt ?? r.date.slice(0, 10)} (load average ${b.loadAverageStart?.[0]?.toFixed(1) ?? '–'} at the start).`,
  '',
  '| data set (protocol) | chosen form(s) | Pearson δ ↑ chosen | network | training_mean | linear | top-20 DE MSE ↓ chosen | network | training_mean | linear | p vs training_mean | p vs linear | ceiling: own half / mean / own-part r |',
  '|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|---|',
];
for (const [key, d] of Object.entries(b.datasets)) {
  const u = d.summary.table.unseen_single;
  const t = d.summary.tests.unseen_single ?? {};
  full.push(`#### ${NAMES[key] ?? key}`, '', `${d.protocol}; ${(d.seconds / 60).toFixed(1)} min. Unseen-single form chosen per unit: ${chosenForms(d)}.`, '');
  for (const [sub, models] of Object.entries(d.summary.table)) {
    const n = models[CHOSEN]?.n ?? 0;
    full.push(`${sub} (${n} test conditions over ${models[CHOSEN]?.units ?? 0} units)`, '', '| model | Pearson δ ↑ | top-20 DE MSE ↓ | L2 ↓ |', '|---|---:|---:|---:|');
    for (const m of order(models)) full.push(`| ${m} | ${ms(models[m].pearsonDelta, 3)} | ${msDe(models[m].mseDe)} | ${ms(models[m].l2, 2)} |`);
    const tt = d.summary.tests[sub];
    if (tt) full.push('', `Wilcoxon (chosen vs training_mean): Pearson δ p ${p(tt['chosen vs training_mean']?.pearsonDelta)}, DE MSE p ${p(tt['chosen vs training_mean']?.mseDe)}; (chosen vs linear): Pearson δ p ${p(tt['chosen vs linear']?.pearsonDelta)}, DE MSE p ${p(tt['chosen vs linear']?.mseDe)}.`);
    full.push('');
  }
  if (!u) continue;
  const v = (m, k, dd) => (u[m] ? (k === 'mseDe' ? de(u[m][k].mean) : u[m][k].mean.toFixed(dd)) : '–');
  short.push(
    `| ${NAMES[key] ?? key} (${key === 'norman-pseudobulk' ? 'gene CV' : 'simulation split'}, n ${u[CHOSEN].n}) | ${chosenForms(d)} | **${v(CHOSEN, 'pearsonDelta', 3)}** | ${v('gears network (reference)', 'pearsonDelta', 3)} | ${v('training_mean', 'pearsonDelta', 3)} | ${v('linear', 'pearsonDelta', 3)} | **${v(CHOSEN, 'mseDe', 3)}** | ${v('gears network (reference)', 'mseDe', 3)} | ${v('training_mean', 'mseDe', 3)} | ${v('linear', 'mseDe', 3)} | ${p(t['chosen vs training_mean']?.pearsonDelta)} / ${p(t['chosen vs training_mean']?.mseDe)} | ${p(t['chosen vs linear']?.pearsonDelta)} / ${p(t['chosen vs linear']?.mseDe)} | ${ceilingCell(key)} |`,
  );
}
const texts = { 'docs/experiments.md': [short.join('\n'), '', full.join('\n')].join('\n'), 'README.md': short.join('\n') };
process.stdout.write(texts['docs/experiments.md'] + '\n');
if (process.argv.includes('--write')) {
  for (const [file, text] of Object.entries(texts)) {
    const src = readFileSync(file, 'utf8');
    const a = '<!-- unseen:start -->';
    const z = '<!-- unseen:end -->';
    const i = src.indexOf(a);
    const j = src.indexOf(z);
    if (i < 0 || j < 0) throw new Error(`${file} lacks the unseen markers`);
    writeFileSync(file, src.slice(0, i + a.length) + '\n' + text + '\n' + src.slice(j));
  }
}
