/**
 * The co-expression graph (reference `get_coexpression_network_from_train`): Pearson correlation
 * between genes over control cells and training single-perturbation cells, |r|, for each gene
 * (target) its 21 largest |r| (itself included), then those above 0.4; edge source j → target i.
 *
 * The correlation comes from the streamed Gram matrix, so cells are never held in memory. The
 * reference computes in float32 on a dense cells × genes matrix; here float64 sums are used, so
 * weights agree with it to float32 rounding (its self-loops read 0.999998 instead of 1).
 */
import { CONTROL, type CellChunk, type GeneGraph, type Logger, type SplitAssignment } from '@gears-pipeline/core';
import { GramAccumulator, DEFAULT_GRAM_BLOCK_CELLS } from './gram.ts';

export const DEFAULT_COEXPRESSION_THRESHOLD = 0.4;
/** each target keeps its k + 1 = 21 most correlated genes before the threshold */
export const DEFAULT_COEXPRESSION_TOP_K = 20;

export interface CoexpressionOptions {
  threshold?: number;
  topK?: number;
  /** condition → include its cells; default: see `coexpressionConditions` */
  include: (condition: string) => boolean;
  blockCells?: number;
  log?: Logger;
  /** total cells, for progress only */
  totalCells?: number;
}

export interface CoexpressionResult {
  graph: GeneGraph;
  /** cells that entered the correlation */
  nCells: number;
}

/**
 * The reference's cell selection: training-split conditions whose name contains `ctrl`, i.e.
 * control and training single perturbations (no combinations, nothing from val or test).
 */
export function coexpressionConditions(split: readonly SplitAssignment[]): Set<string> {
  return new Set(split.filter((a) => a.split === 'train' && a.condition.split('+').includes(CONTROL)).map((a) => a.condition));
}

/**
 * Pearson correlation matrix row i (|r|, NaN → 0) from Gram sums. A gene with zero variance
 * has no correlation (NaN in the reference, set to 0 there too), itself included.
 */
function absCorrelationRow(acc: GramAccumulator, variance: Float64Array, i: number, out: Float64Array): void {
  const G = acc.nGenes;
  const n = acc.nCells;
  const si = acc.sums[i];
  for (let j = 0; j < G; j++) {
    const denom = Math.sqrt(variance[i] * variance[j]);
    if (!(denom > 0)) {
      out[j] = 0;
      continue;
    }
    const cov = acc.at(i, j) - (si * acc.sums[j]) / n;
    const r = cov / denom;
    out[j] = Math.min(1, Math.abs(r));
  }
}

/** Builds the graph from an accumulated Gram matrix over `genes` (dataset gene order). */
export function coexpressionFromGram(acc: GramAccumulator, genes: readonly string[], opts: { threshold?: number; topK?: number } = {}): GeneGraph {
  const threshold = opts.threshold ?? DEFAULT_COEXPRESSION_THRESHOLD;
  const keep = (opts.topK ?? DEFAULT_COEXPRESSION_TOP_K) + 1;
  const G = acc.nGenes;
  const n = acc.nCells;
  // centred sum of squares; values within rounding of zero mean a constant gene
  const variance = new Float64Array(G);
  for (let i = 0; i < G; i++) {
    const sq = acc.at(i, i);
    const v = sq - (acc.sums[i] * acc.sums[i]) / n;
    variance[i] = n > 1 && v > 1e-12 * Math.max(sq, 1e-300) ? v : 0;
  }
  const row = new Float64Array(G);
  const order = new Int32Array(keep);
  const src: number[] = [];
  const tgt: number[] = [];
  const w: number[] = [];
  for (let i = 0; i < G; i++) {
    absCorrelationRow(acc, variance, i, row);
    // the k+1 largest; among equal values the later gene wins, as the last entries of an
    // ascending argsort would
    let size = 0;
    for (let j = 0; j < G; j++) {
      const v = row[j];
      if (size === keep && v < row[order[keep - 1]]) continue;
      let pos = size < keep ? size++ : keep - 1;
      while (pos > 0 && v >= row[order[pos - 1]]) {
        order[pos] = order[pos - 1];
        pos--;
      }
      order[pos] = j;
    }
    // ascending like the reference's edge list
    for (let r = size - 1; r >= 0; r--) {
      const j = order[r];
      if (row[j] > threshold) {
        src.push(j);
        tgt.push(i);
        w.push(row[j]);
      }
    }
  }
  return { nodes: [...genes], source: Int32Array.from(src), target: Int32Array.from(tgt), weight: Float64Array.from(w) };
}

/** Streams cells into the Gram matrix and builds the co-expression graph. */
export async function buildCoexpressionGraph(
  cells: AsyncIterable<CellChunk>,
  genes: readonly string[],
  opts: CoexpressionOptions,
): Promise<CoexpressionResult> {
  const G = genes.length;
  // the packed Gram matrix is the memory of this step: G(G+1)/2 float64
  opts.log?.info('coexpression.start', { genes: G, gramMiB: Math.round((G * (G + 1) * 4) / 2 ** 20) });
  const acc = new GramAccumulator(G, opts.blockCells ?? DEFAULT_GRAM_BLOCK_CELLS);
  let seen = 0;
  for await (const chunk of cells) {
    if (chunk.nGenes !== genes.length) throw new Error(`cell chunk has ${chunk.nGenes} genes, the gene list ${genes.length}`);
    acc.addChunk(chunk, opts.include);
    seen += chunk.indptr.length - 1;
    opts.log?.progress('co-expression cells', seen, opts.totalCells, 'cells');
  }
  acc.flush();
  if (acc.nCells < 2) {
    throw new Error(`co-expression needs at least 2 control or training single-perturbation cells, found ${acc.nCells}`);
  }
  return { graph: coexpressionFromGram(acc, genes, opts), nCells: acc.nCells };
}
