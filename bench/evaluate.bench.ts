/**
 * Evaluate stage benchmark at Norman scale: 285 conditions (105 singles, 179 doubles + control)
 * × 5,045 genes, a GEARS-like split (~110 evaluated conditions), one "model" plus the four
 * baselines, GI on ~40 held-out doubles over 2,967 genes. Statistics are generated from a seed
 * (no cells, so no per-cell range metrics); outputs go to a temp dir. GI fits run on worker
 * threads (one per core), as runEvaluate does.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { resourceUsage, cpuUsage } from 'node:process';
import { conditionName, type DatasetStats, type SplitAssignment, mulberry32 } from '@gears-pipeline/core';
import { theilSen2 } from '../packages/evaluate/src/lib/gi/theil-sen.ts';
import { giDistanceCorrelations } from '../packages/evaluate/src/lib/gi/dcor.ts';
import { planGeneticInteractions } from '../packages/evaluate/src/lib/gi/analysis.ts';
import { oracleGiDistanceCorrelations, oracleTheilSen2 } from '../packages/evaluate/src/lib/testing/gi-oracle.ts';
import { evaluate, writeEvaluationTables, buildReport, scoredModels, evaluatedConditions, giCombinations, analyseGeneticInteractionsParallel, defaultGiThreads, type ModelPredictions } from '@gears-pipeline/evaluate';

export const name = 'evaluate';

const GENES = 5045;
const SINGLES = 105;
const DOUBLES = 179;
const GI_GENES = 2967;
/** fits re-run with the old implementation to check the fast one (each ≈ 0.1 s) */
const ORACLE_FITS = 12;

const rng = mulberry32;

/**
 * The fast GI fit against the straightforward implementation it replaced (kept as a test
 * oracle): the largest absolute difference of c1, c2 and the four distance correlations over the
 * first `n` fits of this run.
 */
function oracleDiff(args: Parameters<typeof planGeneticInteractions>[0], n: number): number {
  let worst = 0;
  for (const j of planGeneticInteractions(args).jobs.slice(0, n)) {
    const fast = [...theilSen2(j.deltaA, j.deltaB, j.deltaAB), ...giDistanceCorrelations(j.deltaA, j.deltaB, j.deltaAB)];
    const slow = [...oracleTheilSen2(j.deltaA, j.deltaB, j.deltaAB), ...oracleGiDistanceCorrelations(j.deltaA, j.deltaB, j.deltaAB)];
    fast.forEach((v, k) => (worst = Math.max(worst, Math.abs(v - slow[k]))));
  }
  return worst;
}

export async function run(): Promise<Record<string, unknown>> {
  const rand = rng(3);
  const genes = Array.from({ length: GENES }, (_, g) => `G${g}`);
  const pert = genes.slice(0, SINGLES);
  const names = ['ctrl', ...pert.map((g) => conditionName([g]))];
  const doubles = new Set<string>();
  while (doubles.size < DOUBLES) {
    const a = pert[Math.floor(rand() * SINGLES)];
    const b = pert[Math.floor(rand() * SINGLES)];
    if (a !== b) doubles.add(conditionName([a, b]));
  }
  names.push(...doubles);
  const C = names.length;
  const base = Float64Array.from({ length: GENES }, () => (rand() < 0.3 ? 0 : rand() * 3));
  const effect = new Map(pert.map((g) => [g, Float64Array.from({ length: GENES }, () => (rand() < 0.02 ? (rand() - 0.5) * 2 : 0))]));
  const mean = new Float64Array(C * GENES);
  const m2 = new Float64Array(C * GENES);
  const t = new Float64Array(C * GENES);
  const deRank = new Int32Array(C * GENES);
  const nonzero = new Float64Array(C * GENES);
  const n = 300;
  names.forEach((c, i) => {
    const gs = c === 'ctrl' ? [] : c.split('+').filter((x) => x !== 'ctrl');
    for (let g = 0; g < GENES; g++) {
      let v = base[g];
      for (const p of gs) v += effect.get(p)![g];
      v = Math.max(0, v + (rand() - 0.5) * 0.05);
      mean[i * GENES + g] = v;
      m2[i * GENES + g] = n * (0.2 + v * 0.3) ** 2;
      nonzero[i * GENES + g] = v > 0 ? Math.round(n * Math.min(1, v)) : 0;
      t[i * GENES + g] = i === 0 ? 0 : (v - base[g]) / 0.05;
    }
    const order = Array.from({ length: GENES }, (_, g) => g).sort((a, b) => Math.abs(t[i * GENES + b]) - Math.abs(t[i * GENES + a]) || a - b);
    order.forEach((g, r) => (deRank[i * GENES + g] = i === 0 ? -1 : r));
  });
  const stats: DatasetStats = {
    genes: genes.map((gene) => ({ gene, geneId: gene, mean: 0, dispersionNorm: 0, highlyVariable: true, isPerturbed: pert.includes(gene) })),
    conditions: names.map((c) => ({ name: c, genes: c === 'ctrl' ? [] : c.split('+').filter((x) => x !== 'ctrl'), nCells: n, isControl: c === 'ctrl' })),
    controlIndex: 0,
    mean,
    m2,
    m3: new Float64Array(C * GENES),
    m4: new Float64Array(C * GENES),
    nonzero,
    t,
    deRank,
  };
  // split: 75% of genes "seen"; singles of unseen genes and combos with an unseen gene → test
  const seen = new Set(pert.filter(() => rand() < 0.75));
  const split: SplitAssignment[] = names.map((c) => {
    if (c === 'ctrl') return { condition: c, split: 'train', subgroup: '' };
    const gs = c.split('+').filter((x) => x !== 'ctrl');
    const k = gs.filter((g) => seen.has(g)).length;
    if (gs.length === 1) return k ? { condition: c, split: 'train', subgroup: '' } : { condition: c, split: 'test', subgroup: 'unseen_single' };
    if (k === 2) return rand() < 0.75 ? { condition: c, split: 'train', subgroup: '' } : { condition: c, split: 'test', subgroup: 'combo_seen2' };
    return { condition: c, split: 'test', subgroup: k === 1 ? 'combo_seen1' : 'combo_seen0' };
  });
  const model: ModelPredictions = { model: 'gears', genes, mean: new Map(names.slice(1).map((c, i) => [c, Float64Array.from(mean.subarray((i + 1) * GENES, (i + 2) * GENES), (v) => v + (rand() - 0.5) * 0.2)])) };
  const giGeneSet = genes.filter(() => rand() < GI_GENES / GENES);

  const t0 = performance.now();
  const cpu0 = cpuUsage();
  const models = scoredModels({ stats, split, predictions: [model] });
  const gi = await analyseGeneticInteractionsParallel({ stats, combinations: giCombinations(evaluatedConditions(stats, split)), predictions: models, geneSet: giGeneSet });
  const tGi = performance.now();
  const cpuGi = cpuUsage(cpu0);
  const result = evaluate({ stats, split, predictions: models, baselines: false, giGeneSet, gi });
  const t1 = performance.now();
  const dir = mkdtempSync(join(tmpdir(), 'gears-bench-eval-'));
  try {
    const files = writeEvaluationTables(dir, stats, result);
    const t2 = performance.now();
    const html = buildReport(stats, result);
    const t3 = performance.now();
    return {
      conditions: C,
      genes: GENES,
      evaluatedConditions: result.evaluated.length,
      models: result.predictions.length,
      giCombinations: new Set(result.gi.rows.map((r) => r.combination)).size,
      giGenes: result.gi.genes.length,
      metricRows: result.metrics.length,
      predictionRows: files.get('predictions.parquet'),
      giThreads: defaultGiThreads(),
      giSeconds: Number(((tGi - t0) / 1000).toFixed(2)),
      /** CPU time of the GI fits over all threads: on an idle machine wall ≈ this / giThreads */
      giCpuSeconds: Number(((cpuGi.user + cpuGi.system) / 1e6).toFixed(2)),
      giFits: gi.rows.length,
      giMaxDiffVsOracle: oracleDiff({ stats, combinations: giCombinations(evaluatedConditions(stats, split)), predictions: models, geneSet: giGeneSet }, ORACLE_FITS),
      giOracleFits: ORACLE_FITS,
      metricsSeconds: Number(((t1 - tGi) / 1000).toFixed(2)),
      evaluateSeconds: Number(((t1 - t0) / 1000).toFixed(2)),
      writeParquetSeconds: Number(((t2 - t1) / 1000).toFixed(2)),
      reportSeconds: Number(((t3 - t2) / 1000).toFixed(2)),
      reportKiB: Math.round(html.length / 1024),
      peakRssMiB: Math.round(resourceUsage().maxRSS / 1024),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
