/**
 * Produces the measured tables of packages/evaluate/README.md (run from the repository root):
 *   node --import tsx packages/evaluate/scripts/measure.ts
 * 1. synth_raw.h5ad with the reference seed-1 simulation split (data/reference-synth);
 * 2. the bundled Norman 2019 subset (devel.h5ad, dataset == norman19) with the GEARS
 *    simulation split, seed 1, from `runSplit` (graphs stage);
 * 3. the Norman GI ranking check (data/gi).
 * Baselines only; GEARS rows are added when its predictions are passed to runEvaluate.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIngest } from '@gears-pipeline/ingest';
import { runSplit } from '@gears-pipeline/graphs';
import { runEvaluate, AGGREGATE_CONDITION, type RunEvaluateResult } from '../src/index.ts';
import { compareWithNormanFits } from '../src/lib/testing/norman-gi.ts';

const METRICS = ['pearson_delta', 'pearson_delta_de', 'mse_top20_de_non_dropout', 'frac_correct_direction_top20_non_dropout', 'l2_top1000_expressed', 'pearson_delta_systema'];
const GROUPS = ['unseen_single', 'combo_seen0', 'combo_seen1', 'combo_seen2', 'overall'];

function table(r: RunEvaluateResult, split = 'test'): string {
  const agg = new Map<string, { v: number; n: number }>();
  for (const m of r.metrics) if (m.condition === AGGREGATE_CONDITION && m.split === split) agg.set(`${m.model}|${m.subgroup}|${m.metric}`, { v: m.value, n: m.nConditions });
  const models = r.predictions.map((p) => p.model);
  const lines: string[] = [];
  for (const metric of METRICS) {
    lines.push(`\n${metric} (${split}; n = conditions)\n`);
    lines.push(`| model | ${GROUPS.map((g) => `${g} (n=${agg.get(`${models[0]}|${g}|${metric}`)?.n ?? 0})`).join(' | ')} |`);
    lines.push(`|---|${GROUPS.map(() => '---:').join('|')}|`);
    for (const model of models) {
      lines.push(`| ${model} | ${GROUPS.map((g) => {
        const a = agg.get(`${model}|${g}|${metric}`);
        return a && Number.isFinite(a.v) ? a.v.toFixed(4) : '–';
      }).join(' | ')} |`);
    }
  }
  const gi = r.gi.precision.filter((p) => p.type === 'synergy' || p.type === 'additive');
  if (gi.length) lines.push(`\nGI precision@k (k = ${gi[0].k}, ${new Set(r.gi.rows.map((x) => x.combination)).size} combinations): ${gi.map((p) => `${p.model} ${p.type} ${p.precision.toFixed(2)}`).join('; ')}`);
  return lines.join('\n');
}

const dir = mkdtempSync(join(tmpdir(), 'gears-measure-'));
try {
  let t = Date.now();
  await runIngest({ input: 'data/reference-synth/synth_raw.h5ad', outDir: join(dir, 'synth', 'dataset') });
  const synth = await runEvaluate({ datasetDir: join(dir, 'synth', 'dataset'), splitPath: 'data/reference-synth/reference_split_seed1.json', outDir: join(dir, 'synth', 'evaluate') });
  console.log(`## synth_raw.h5ad, reference seed-1 simulation split (${synth.evaluated.length} evaluated conditions, ${((Date.now() - t) / 1000).toFixed(1)} s incl. ingest)`);
  console.log(table(synth));

  t = Date.now();
  await runIngest({ input: 'data/norman2019-devel/devel.h5ad', outDir: join(dir, 'norman', 'dataset'), obsFilter: { dataset: 'norman19' } });
  const split = await runSplit({ workspace: join(dir, 'norman'), seed: 1 });
  const norman = await runEvaluate({
    datasetDir: join(dir, 'norman', 'dataset'),
    split: split.assignments,
    outDir: join(dir, 'norman', 'evaluate'),
    giGenesPath: 'data/gi/gears_gi_genes_with_hi_mean.txt',
  });
  console.log(`\n## Norman 2019 devel subset (norman19 cells), GEARS simulation split seed 1 (${norman.evaluated.length} evaluated conditions; excluded by the split: ${split.excluded.length}; ${((Date.now() - t) / 1000).toFixed(1)} s incl. ingest + split)`);
  console.log(table(norman));

  for (const gs of ['hi_mean', 'all'] as const) {
    t = Date.now();
    const c = compareWithNormanFits('data/gi', { geneSet: gs });
    const s = c.spearman;
    console.log(`\nNorman GI check (${gs}: ${c.nGenes} genes, ${c.nMatched}/${c.nDoubles} doubles matched, ${((Date.now() - t) / 1000).toFixed(1)} s): Spearman mag vs ts_norm ${s.mag_vs_ts_norm.toFixed(3)}, dcor ${s.dcor.toFixed(3)}, corr_fit ${s.corr_fit.toFixed(3)}, dcor_singles ${s.dcor_singles.toFixed(3)}, eq_contr vs min/max(dcor_first, dcor_second) ${s.eq_contr_vs_dcor_ratio.toFixed(3)}`);
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
