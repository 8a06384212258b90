/**
 * Produces the "Results" section of the README, as measured (no hand editing):
 *   node --import tsx scripts/results.ts          # prints the tables
 *   node --import tsx scripts/results.ts --write  # and replaces the README section between markers
 * For each data set the whole pipeline runs with its defaults (objective `moments`), then training
 * and prediction are repeated with the reference's per-cell objective (`cells`), and both models
 * are scored with the baselines on the same split by one evaluate call.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { silentLogger } from '@gears-pipeline/core';
import { runEvaluate, readPredictionsParquet, AGGREGATE_CONDITION, type RunEvaluateResult } from '@gears-pipeline/evaluate';
import { readDatasetStats } from '@gears-pipeline/core';
import { runPipeline } from '../packages/pipeline/src/lib/orchestrator.ts';
import { buildStages } from '../packages/pipeline/src/lib/stages.ts';
import { applyFlags } from '../packages/pipeline/src/lib/config.ts';
import { defaultConfig } from '../packages/pipeline/src/lib/config-schema.ts';

const root = resolve(import.meta.dirname, '..');
const METRICS: [string, string][] = [
  ['pearson_delta', 'Pearson δ (all genes) ↑'],
  ['pearson_delta_de', 'Pearson δ (top-20 DE) ↑'],
  ['mse_de', 'MSE top-20 DE ↓'],
  ['frac_correct_direction_top20_non_dropout', 'direction correct, top-20 DE ↑'],
];
const GROUPS = ['unseen_single', 'combo_seen0', 'combo_seen1', 'combo_seen2', 'overall'];

interface DataSet {
  title: string;
  flags: Record<string, unknown>;
}

const DATA: DataSet[] = [
  {
    title: 'Norman 2019 subset (bundled default: 33 perturbations, 500 genes), GEARS simulation split seed 1',
    flags: {},
  },
  {
    title: 'reference synthetic set (`data/reference-synth/synth_raw.h5ad`, 40 perturbations, 200 genes), seed-1 simulation split (identical to the reference\'s)',
    flags: { 'ingest.input': 'data/reference-synth/synth_raw.h5ad', 'ingest.obsFilter': [''], 'graphs.goTable': 'data/reference-synth/gene2go.tsv' },
  },
];

function table(r: RunEvaluateResult): string {
  const agg = new Map<string, { v: number; n: number }>();
  for (const m of r.metrics) if (m.condition === AGGREGATE_CONDITION && m.split === 'test') agg.set(`${m.model}|${m.subgroup}|${m.metric}`, { v: m.value, n: m.nConditions });
  const models = r.predictions.map((p) => p.model);
  const lines: string[] = [];
  for (const [metric, label] of METRICS) {
    lines.push('', `${label} — test conditions`, '');
    lines.push(`| model | ${GROUPS.map((g) => `${g} (n=${agg.get(`${models[0]}|${g}|${metric}`)?.n ?? 0})`).join(' | ')} |`);
    lines.push(`|---|${GROUPS.map(() => '---:').join('|')}|`);
    for (const model of models) {
      lines.push(`| ${model} | ${GROUPS.map((g) => {
        const a = agg.get(`${model}|${g}|${metric}`);
        return a && Number.isFinite(a.v) ? a.v.toFixed(3) : '–';
      }).join(' | ')} |`);
    }
  }
  return lines.join('\n');
}

const parts: string[] = [];
const work = mkdtempSync(join(tmpdir(), 'gears-results-'));
try {
  for (const ds of DATA) {
    const t0 = Date.now();
    const out = join(work, String(parts.length));
    const config = applyFlags(defaultConfig(), { ...ds.flags, 'run.out': out });
    await runPipeline(buildStages(config, root), { log: silentLogger });
    // The per-cell objective on the same dataset, split and graphs.
    const cellsOut = `${out}-cells`;
    for (const d of ['dataset', 'split', 'graphs']) cpSync(join(out, d), join(cellsOut, d), { recursive: true });
    const cellsConfig = applyFlags(config, { 'run.out': cellsOut, 'train.objective': 'cells', 'train.batchSize': '32', 'run.stages': ['train', 'predict'] });
    await runPipeline(buildStages(cellsConfig, root), { log: silentLogger, force: true });
    const stats = await readDatasetStats(join(out, 'dataset'));
    const genes = stats.genes.map((g) => g.gene);
    const predictions = [
      ...(await readPredictionsParquet(join(out, 'predictions', 'predictions.parquet'), genes, 'gears')),
      // the table names its model (gears); relabel the per-cell run so both are scored side by side
      ...(await readPredictionsParquet(join(cellsOut, 'predictions', 'predictions.parquet'), genes)).map((p) => ({ ...p, model: 'gears_cells' })),
    ];
    const r = await runEvaluate({ datasetDir: join(out, 'dataset'), splitPath: join(out, 'split', 'split.parquet'), predictions, outDir: join(out, 'evaluate-both') }, silentLogger);
    parts.push(`#### ${ds.title}\n\n(\`gears\` = default objective \`moments\` with the default composition \`auto\`; \`gears_cells\` = the reference's per-cell objective; ${((Date.now() - t0) / 1000).toFixed(0)} s for both pipelines on 2 cores)\n${table(r)}`);
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
const text = parts.join('\n\n');
process.stdout.write(text + '\n');
if (process.argv.includes('--write')) {
  const readme = join(root, 'README.md');
  const src = readFileSync(readme, 'utf8');
  const start = '<!-- results:start -->';
  const end = '<!-- results:end -->';
  const i = src.indexOf(start);
  const j = src.indexOf(end);
  if (i < 0 || j < 0) throw new Error('README.md lacks the results markers');
  writeFileSync(readme, src.slice(0, i + start.length) + '\n' + text + '\n' + src.slice(j));
}
