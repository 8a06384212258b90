/**
 * The co-expression graph of a dataset without cells (ingest format `pseudobulk`): the pseudobulk
 * adaptation of `get_coexpression_network_from_train`. Each condition's mean profile (a row of
 * the dataset statistics) is one observation, and genes are correlated across the profiles of
 * the training conditions — control and every training-split perturbation, singles and
 * combinations, since one profile per condition leaves far fewer observations than cells do and
 * training combinations leak nothing held out. The graph rule is unchanged (`coexpressionFromGram`):
 * |Pearson r|, each target's k + 1 largest, then those above the threshold.
 */
import { CONTROL, type DatasetStats, type SplitAssignment } from '@gears-pipeline/core';
import { GramAccumulator } from './gram.ts';
import { coexpressionFromGram, type CoexpressionResult } from './coexpression-graph.ts';

/** The conditions whose profiles enter the pseudobulk correlation: control and every training condition. */
export function pseudobulkCoexpressionConditions(split: readonly SplitAssignment[]): Set<string> {
  return new Set([CONTROL, ...split.filter((a) => a.split === 'train').map((a) => a.condition)]);
}

/** Builds the co-expression graph from the mean profiles of the included conditions; `nCells` = profiles used. */
export function pseudobulkCoexpressionGraph(
  stats: DatasetStats,
  include: (condition: string) => boolean,
  opts: { threshold?: number; topK?: number } = {},
): CoexpressionResult {
  const G = stats.genes.length;
  const acc = new GramAccumulator(G);
  const rows = stats.conditions.map((c, i) => ({ c, i })).filter(({ c }) => include(c.name));
  if (rows.length < 3) {
    throw new Error(`pseudobulk co-expression needs at least 3 training condition profiles (control included), found ${rows.length}`);
  }
  const indptr = new Int32Array(rows.length + 1);
  const indices: number[] = [];
  const values: number[] = [];
  rows.forEach(({ i }, r) => {
    for (let g = 0; g < G; g++) {
      const v = stats.mean[i * G + g];
      if (v !== 0) {
        indices.push(g);
        values.push(v);
      }
    }
    indptr[r + 1] = indices.length;
  });
  // one chunk of "cells" = the profiles (float32 like cell values; the accumulator sums in float64)
  acc.addChunk({
    cellIds: rows.map(({ c }) => c.name),
    conditions: rows.map(({ c }) => c.name),
    nGenes: G,
    indptr,
    indices: Int32Array.from(indices),
    values: Float32Array.from(values),
  });
  acc.flush();
  return { graph: coexpressionFromGram(acc, stats.genes.map((g) => g.gene), opts), nCells: acc.nCells };
}
