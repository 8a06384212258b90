/**
 * GI analysis over the evaluated combinations: observed scores from the statistics, predicted
 * scores from each model's predicted means (its own predictions of the two singles and of the
 * combination, as GEARS' GI_predict does), GI type calls and precision@k per model.
 */
import { conditionGenes, conditionName, geneNames, row, type DatasetStats } from '@gears-pipeline/core';
import type { ModelPredictions } from '../types.ts';
import { giScores, type GiScores } from './scores.ts';
import { giTypeCalls, precisionAtK } from './types.ts';
import type { TheilSenOptions } from './theil-sen.ts';

/** Model name of the rows holding scores computed from the observed data. */
export const OBSERVED_MODEL = 'observed';
/** Fewer shared genes than this and the gene set is ignored (all genes used instead). */
export const MIN_GI_GENES = 20;

export interface GiRow {
  combination: string;
  model: string;
  scores: GiScores;
  giType: string;
  nGenes: number;
}

export interface GiPrecisionRow {
  model: string;
  type: string;
  precision: number;
  k: number;
  nTrue: number;
}

export interface GiAnalysisArgs {
  stats: DatasetStats;
  /** combinations (2-gene conditions) to score */
  combinations: readonly string[];
  predictions: readonly ModelPredictions[];
  /** restrict δ to these genes (GEARS' genes_with_hi_mean); all genes when absent or too few shared */
  geneSet?: readonly string[];
  theilSen?: TheilSenOptions;
}

export interface GiAnalysis {
  rows: GiRow[];
  precision: GiPrecisionRow[];
  /** genes the δ vectors were restricted to */
  genes: string[];
  /** combinations skipped and why */
  skipped: { combination: string; reason: string }[];
}

export function giGeneIndices(stats: DatasetStats, geneSet?: readonly string[]): number[] {
  const names = geneNames(stats);
  if (geneSet) {
    const want = new Set(geneSet);
    const idx = names.map((n, g) => (want.has(n) ? g : -1)).filter((g) => g >= 0);
    if (idx.length >= MIN_GI_GENES) return idx;
  }
  return names.map((_, g) => g);
}

export function analyseGeneticInteractions(args: GiAnalysisArgs): GiAnalysis {
  const { stats } = args;
  const G = stats.genes.length;
  const idx = giGeneIndices(stats, args.geneSet);
  const control = row(stats.mean, stats.controlIndex, G);
  const ci = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const delta = (mean: ArrayLike<number>) => Float64Array.from(idx, (g) => mean[g] - control[g]);
  const rows: GiRow[] = [];
  const skipped: GiAnalysis['skipped'] = [];
  const observed = new Map<string, GiScores>();
  const perModel = new Map<string, Map<string, GiScores>>();
  for (const combo of args.combinations) {
    const genes = conditionGenes(combo);
    if (genes.length !== 2) {
      skipped.push({ combination: combo, reason: 'not a two-gene combination' });
      continue;
    }
    const [a, b] = genes.map((g) => conditionName([g]));
    const ia = ci.get(a);
    const ib = ci.get(b);
    const iab = ci.get(combo);
    if (ia === undefined || ib === undefined || iab === undefined) {
      skipped.push({ combination: combo, reason: `observed ${[a, b, combo].filter((c) => !ci.has(c)).join(', ')} missing` });
      continue;
    }
    const obs = giScores(delta(row(stats.mean, ia, G)), delta(row(stats.mean, ib, G)), delta(row(stats.mean, iab, G)), args.theilSen);
    observed.set(combo, obs);
    rows.push({ combination: combo, model: OBSERVED_MODEL, scores: obs, giType: giTypeCalls(obs), nGenes: idx.length });
    for (const p of args.predictions) {
      const pa = p.mean.get(a);
      const pb = p.mean.get(b);
      const pab = p.mean.get(combo);
      if (!pa || !pb || !pab) {
        skipped.push({ combination: combo, reason: `model ${p.model} has no prediction for ${[a, b, combo].filter((c) => !p.mean.has(c)).join(', ')}` });
        continue;
      }
      const s = giScores(delta(pa), delta(pb), delta(pab), args.theilSen);
      if (!perModel.has(p.model)) perModel.set(p.model, new Map());
      perModel.get(p.model)!.set(combo, s);
      rows.push({ combination: combo, model: p.model, scores: s, giType: giTypeCalls(s), nGenes: idx.length });
    }
  }
  const precision: GiPrecisionRow[] = [];
  for (const [model, scores] of perModel) {
    for (const r of precisionAtK(observed, scores)) precision.push({ model, ...r });
  }
  return { rows, precision, genes: idx.map((g) => stats.genes[g].gene), skipped };
}
