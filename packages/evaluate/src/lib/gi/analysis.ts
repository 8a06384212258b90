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
  /** combinations scored both observed and by the model (k = min(10, this)) */
  nCombinations: number;
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
  /** the requested GI gene set: genes listed, how many are measured, and whether all genes were used instead */
  geneSet?: GiGeneSetUse;
}

export interface GiGeneSetUse {
  listed: number;
  measured: number;
  /** fewer than MIN_GI_GENES listed genes are measured: every gene was used instead */
  fellBack: boolean;
}

/** How a requested GI gene set applies to the dataset (undefined when none was requested). */
export function giGeneSetUse(stats: DatasetStats, geneSet?: readonly string[]): GiGeneSetUse | undefined {
  if (!geneSet) return undefined;
  const want = new Set(geneSet);
  const measured = geneNames(stats).filter((n) => want.has(n)).length;
  return { listed: want.size, measured, fellBack: measured < MIN_GI_GENES };
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

/** One GI fit to run: the three δ vectors of a combination for one model (or the observed data). */
export interface GiJob {
  combination: string;
  model: string;
  deltaA: Float64Array;
  deltaB: Float64Array;
  deltaAB: Float64Array;
}

export interface GiPlan {
  jobs: GiJob[];
  skipped: GiAnalysis['skipped'];
  genes: string[];
  geneSet?: GiGeneSetUse;
}

/** Collects the δ vectors of every (combination, model) to fit; cheap, no fitting. */
export function planGeneticInteractions(args: GiAnalysisArgs): GiPlan {
  const { stats } = args;
  const G = stats.genes.length;
  const idx = giGeneIndices(stats, args.geneSet);
  const control = row(stats.mean, stats.controlIndex, G);
  const ci = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const delta = (mean: ArrayLike<number>) => {
    const d = new Float64Array(idx.length);
    for (let k = 0; k < idx.length; k++) d[k] = mean[idx[k]] - control[idx[k]];
    return d;
  };
  const jobs: GiJob[] = [];
  const skipped: GiAnalysis['skipped'] = [];
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
    jobs.push({ combination: combo, model: OBSERVED_MODEL, deltaA: delta(row(stats.mean, ia, G)), deltaB: delta(row(stats.mean, ib, G)), deltaAB: delta(row(stats.mean, iab, G)) });
    for (const p of args.predictions) {
      const pa = p.mean.get(a);
      const pb = p.mean.get(b);
      const pab = p.mean.get(combo);
      if (!pa || !pb || !pab) {
        skipped.push({ combination: combo, reason: `model ${p.model} has no prediction for ${[a, b, combo].filter((c) => !p.mean.has(c)).join(', ')}` });
        continue;
      }
      jobs.push({ combination: combo, model: p.model, deltaA: delta(pa), deltaB: delta(pb), deltaAB: delta(pab) });
    }
  }
  return { jobs, skipped, genes: idx.map((g) => stats.genes[g].gene), geneSet: giGeneSetUse(stats, args.geneSet) };
}

/**
 * The fits of a plan with identical inputs, found so each is computed once: the training-mean
 * baseline predicts the same change for every condition (so all its combinations have the same
 * three δ vectors), the no-change baseline zero everywhere. A fit is a deterministic function of
 * its δ vectors, so sharing the result is exact. `unique` are the distinct jobs; job k's scores
 * are those of unique[slot[k]] (see `spreadScores`).
 */
export function distinctJobs(jobs: readonly GiJob[]): { unique: GiJob[]; slot: Int32Array } {
  const unique: GiJob[] = [];
  const slot = new Int32Array(jobs.length);
  const byHash = new Map<number, number[]>();
  jobs.forEach((job, k) => {
    const bits = [job.deltaA, job.deltaB, job.deltaAB].map((d) => new Uint32Array(d.buffer, d.byteOffset, d.length * 2));
    let h = 0x811c9dc5;
    for (const b of bits) for (let i = 0; i < b.length; i++) h = Math.imul(h ^ b[i], 0x01000193);
    const candidates = byHash.get(h) ?? [];
    let found = candidates.find((u) => sameBits(unique[u], bits));
    if (found === undefined) {
      found = unique.length;
      unique.push(job);
      candidates.push(found);
      byHash.set(h, candidates);
    }
    slot[k] = found;
  });
  return { unique, slot };
}

/** The scores of every job of a plan from those of its distinct jobs (each row its own object). */
export function spreadScores(slot: Int32Array, uniqueScores: readonly GiScores[]): GiScores[] {
  return Array.from(slot, (u) => ({ ...uniqueScores[u] }));
}

function sameBits(job: GiJob, bits: Uint32Array[]): boolean {
  return [job.deltaA, job.deltaB, job.deltaAB].every((d, v) => {
    const a = new Uint32Array(d.buffer, d.byteOffset, d.length * 2);
    const b = bits[v];
    if (a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
    return true;
  });
}

/** Turns the fitted scores of a plan (same order as its jobs) into GI rows, types and precision@k. */
export function assembleGeneticInteractions(plan: GiPlan, scores: readonly GiScores[]): GiAnalysis {
  const rows: GiRow[] = [];
  const observed = new Map<string, GiScores>();
  const perModel = new Map<string, Map<string, GiScores>>();
  plan.jobs.forEach((job, k) => {
    const s = scores[k];
    rows.push({ combination: job.combination, model: job.model, scores: s, giType: giTypeCalls(s), nGenes: plan.genes.length });
    if (job.model === OBSERVED_MODEL) observed.set(job.combination, s);
    else {
      if (!perModel.has(job.model)) perModel.set(job.model, new Map());
      perModel.get(job.model)!.set(job.combination, s);
    }
  });
  const precision: GiPrecisionRow[] = [];
  for (const [model, byCombo] of perModel) {
    for (const r of precisionAtK(observed, byCombo)) precision.push({ model, ...r });
  }
  return { rows, precision, genes: plan.genes, skipped: plan.skipped, ...(plan.geneSet ? { geneSet: plan.geneSet } : {}) };
}

/** The whole GI analysis in this thread (see `analyseGeneticInteractionsParallel` for worker threads). */
export function analyseGeneticInteractions(args: GiAnalysisArgs): GiAnalysis {
  const plan = planGeneticInteractions(args);
  const { unique, slot } = distinctJobs(plan.jobs);
  return assembleGeneticInteractions(plan, spreadScores(slot, unique.map((j) => giScores(j.deltaA, j.deltaB, j.deltaAB, args.theilSen))));
}
