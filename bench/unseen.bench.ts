/**
 * `npm run bench:unseen`: how well genes never perturbed in training are predicted, by the forms
 * of composition auto (packages/model/src/lib/unseen) against the network and the baselines.
 *
 * 1. Leave-genes-out cross-validation of single perturbations on the whole Norman 2019 pseudobulk
 *    table: UNSEEN_FOLDS (5) folds over the perturbed genes × UNSEEN_SEEDS (2) seeds; a fold's
 *    genes are test and every condition containing them is left out; 15 % of the other single
 *    genes are validation. One network per fold, UNSEEN_PSEUDOBULK_EPOCHS (5, fewer than the
 *    reference's 20 to keep the run near 20 min on 2 cores; stated in the tables).
 * 2. The GEARS simulation split (UNSEEN_SPLIT_SEEDS (5) seeds: 1, 2, …) on the reference synthetic
 *    set, the Norman cells of the bundled devel.h5ad, and its McFaline-Figueroa CRISPRi cells, run
 *    per cell line (A172, T98G, U87MG: one model per line, since a line changes every gene's
 *    baseline). Default epochs. Five seeds, not two: these sets have 9–21 singles, so one seed's
 *    split tests 2–6 unseen genes and two seeds left the comparisons at the noise of a few genes.
 *
 * Every model is scored per test condition (Pearson δ, top-20 DE MSE, L2); tables give the mean ±
 * sd over units (folds × seeds, or seeds) of the per-unit means, and the paired Wilcoxon
 * signed-rank test over conditions of the chosen form against training_mean and linear.
 * Environment: UNSEEN_NETWORK=0 (pseudobulk CV without networks: closed forms only), UNSEEN_FOLDS, UNSEEN_SEEDS, UNSEEN_PSEUDOBULK_EPOCHS,
 * UNSEEN_SPLIT_SEEDS, UNSEEN_RESIDUAL_NETWORK=0 (skip the residual-on-the-mean network, bench/unseen/residual-network.ts), UNSEEN_ONLY (comma list of
 * data set keys: norman-pseudobulk, synthetic, norman-cells, mcfaline-A172, …).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { annotateByAlias, BUNDLED_HUMAN_GENE2GO, BUNDLED_HUMAN_GENE_ALIASES, buildGoGraph, buildVocabulary, pseudobulkCoexpressionConditions, pseudobulkCoexpressionGraph, readAliasTable, readGene2Go, runGraphs, runSplit } from '@gears-pipeline/graphs';
import { runIngest } from '@gears-pipeline/ingest';
import { disposeModel, formsInUse, loadTrainInputs, trainGears, type TrainArgs, type TrainInputs } from '@gears-pipeline/model';
import { loadNormanPseudobulk } from './norman-doubles/data.ts';
import { geneFolds } from './unseen/harness.ts';
import { residualNetworkPredictions } from './unseen/residual-network.ts';
import { scoreClosedForms, scoreModel, scorePredictions, summarise, testSingles, type ScoreRow } from './unseen/score.ts';

export const name = 'unseen';

const root = resolve(import.meta.dirname, '..');
const only = process.env.UNSEEN_ONLY?.split(',');
const wanted = (key: string) => !only || only.includes(key);

/** UNSEEN_RESIDUAL_NETWORK=0 skips the residual-on-the-mean network (one more network per unit) */
const residualNetwork = process.env.UNSEEN_RESIDUAL_NETWORK !== '0';

/** The residual-on-the-mean network of a unit, scored on its single-gene test conditions. */
async function residualRows(unit: string, args: Partial<TrainArgs>, inputs: TrainInputs): Promise<{ alpha: number; rows: ScoreRow[] }> {
  const conditions = testSingles(inputs.stats, inputs.split, inputs.pertVocabulary);
  const { alpha, preds } = await residualNetworkPredictions(args, inputs, conditions);
  return { alpha, rows: scorePredictions(unit, inputs.stats, inputs.split, conditions, preds) };
}

interface DatasetResult {
  protocol: string;
  seconds: number;
  choices: unknown[];
  summary: ReturnType<typeof summarise>;
}

async function pseudobulkCv(): Promise<DatasetResult> {
  const t0 = Date.now();
  const nFolds = Number(process.env.UNSEEN_FOLDS ?? 5);
  const nSeeds = Number(process.env.UNSEEN_SEEDS ?? 2);
  const epochs = Number(process.env.UNSEEN_PSEUDOBULK_EPOCHS ?? 5);
  const withNetwork = process.env.UNSEEN_NETWORK !== '0';
  const stats = await loadNormanPseudobulk();
  const gene2go = readGene2Go(BUNDLED_HUMAN_GENE2GO);
  annotateByAlias(gene2go, stats.conditions.flatMap((c) => c.genes), readAliasTable(BUNDLED_HUMAN_GENE_ALIASES));
  const vocabulary = buildVocabulary([...stats.genes.map((g) => g.gene), ...stats.conditions.flatMap((c) => c.genes)], gene2go);
  const goGraph = buildGoGraph(vocabulary.genes, gene2go).graph;
  const rows: ScoreRow[] = [];
  const choices: unknown[] = [];
  for (let seed = 1; seed <= nSeeds; seed++) {
    for (const fold of geneFolds(stats, new Set(vocabulary.genes), nFolds, seed)) {
      const unit = `seed ${seed} fold ${fold.fold}`;
      if (!withNetwork) {
        const { rows: r, choice } = scoreClosedForms(unit, stats, fold.split, goGraph);
        rows.push(...r);
        choices.push({ unit, unseen_single: { form: choice.params.form, own_expression: choice.params.own !== null, decided_on: choice.decidedOn, reason: choice.reason } });
        continue;
      }
      const coex = pseudobulkCoexpressionConditions(fold.split);
      const coexpressionGraph = pseudobulkCoexpressionGraph(stats, (c) => coex.has(c)).graph;
      const inputs = { stats, split: fold.split, goGraph, coexpressionGraph, pertVocabulary: vocabulary.genes };
      const r = await trainGears({ seed, epochs, composition: 'auto' }, inputs);
      rows.push(...scoreModel(unit, stats, fold.split, r.model));
      const residual = residualNetwork ? await residualRows(unit, { seed, epochs }, inputs) : undefined;
      choices.push({ unit, unseen_single: formsInUse(r.model.composition).unseen_single, bestEpoch: r.bestEpoch, ...(residual ? { residualNetworkAlpha: residual.alpha } : {}) });
      if (residual) rows.push(...residual.rows);
      process.stderr.write(`${unit}: ${JSON.stringify(formsInUse(r.model.composition).unseen_single.form)} ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      disposeModel(r.model);
    }
  }
  return { protocol: `leave-genes-out CV of singles, ${nFolds} folds × ${nSeeds} seeds, ${withNetwork ? `network ${epochs} epochs max` : 'closed forms only (UNSEEN_NETWORK=0: no network trained; the form chosen on leave-one-out over the trained singles)'}`, seconds: (Date.now() - t0) / 1000, choices, summary: summarise(rows) };
}

async function simulationSplit(key: string, input: string, obsFilter: Record<string, string>, gene2go?: string): Promise<DatasetResult> {
  const t0 = Date.now();
  const ws = mkdtempSync(join(tmpdir(), `gears-unseen-${key}-`));
  const rows: ScoreRow[] = [];
  const choices: unknown[] = [];
  const nSeeds = Number(process.env.UNSEEN_SPLIT_SEEDS ?? 5);
  try {
    await runIngest({ input, outDir: join(ws, 'dataset'), obsFilter });
    for (let seed = 1; seed <= nSeeds; seed++) {
      await runSplit({ workspace: ws, gene2go, split: 'simulation', seed, force: true });
      await runGraphs({ workspace: ws, gene2go, force: true });
      const data = await loadTrainInputs({ dataset: join(ws, 'dataset'), split: join(ws, 'split/split.parquet'), graphs: join(ws, 'graphs') });
      const r = await trainGears({ seed, composition: 'auto' }, data);
      rows.push(...scoreModel(`seed ${seed}`, data.stats, data.split, r.model));
      const residual = residualNetwork ? await residualRows(`seed ${seed}`, { seed }, data) : undefined;
      choices.push({ seed, forms: formsInUse(r.model.composition), bestEpoch: r.bestEpoch, ...(residual ? { residualNetworkAlpha: residual.alpha } : {}) });
      if (residual) rows.push(...residual.rows);
      process.stderr.write(`${key} seed ${seed}: unseen ${formsInUse(r.model.composition).unseen_single.form} ${((Date.now() - t0) / 1000).toFixed(0)} s\n`);
      disposeModel(r.model);
    }
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
  return { protocol: `GEARS simulation split, seeds 1–${nSeeds}, default training (20 epochs max, early stop)`, seconds: (Date.now() - t0) / 1000, choices, summary: summarise(rows) };
}

export async function run(): Promise<Record<string, unknown>> {
  // the machine is shared: record its load and this process's CPU time beside the wall times
  const loadAverageStart = loadavg();
  const cpu0 = process.cpuUsage();
  const devel = join(root, 'data/norman2019-devel/devel.h5ad');
  const out: Record<string, DatasetResult> = {};
  if (wanted('norman-pseudobulk')) out['norman-pseudobulk'] = await pseudobulkCv();
  if (wanted('synthetic')) out.synthetic = await simulationSplit('synthetic', join(root, 'data/reference-synth/synth_raw.h5ad'), {}, join(root, 'data/reference-synth/gene2go.tsv'));
  if (wanted('norman-cells')) out['norman-cells'] = await simulationSplit('norman-cells', devel, { dataset: 'norman19' });
  for (const line of ['A172', 'T98G', 'U87MG']) {
    if (wanted(`mcfaline-${line}`)) out[`mcfaline-${line}`] = await simulationSplit(`mcfaline-${line}`, devel, { dataset: 'mcfaline23', cell_type: line });
  }
  const cpu = process.cpuUsage(cpu0);
  return { loadAverageStart, loadAverageEnd: loadavg(), cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(1)), datasets: out };
}
