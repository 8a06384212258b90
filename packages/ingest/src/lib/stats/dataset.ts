/**
 * From streamed cells to the dataset statistics every later stage reads (core `DatasetStats`):
 * moments per (condition, gene), Welch t against control and the |t| ranking.
 */
import type { Observable } from 'rxjs';
import { CONTROL, GearsInputError, type CellChunk, type ConditionInfo, type DatasetStats, type GeneInfo } from '@gears-pipeline/core';
import { MomentAccumulator, type Moments } from './moments.ts';
import { rankByAbsT, welchT } from './de.ts';

/**
 * Accumulates moments over a chunk stream (AsyncIterable or Observable).
 * @example const m = await accumulateStats(readCellChunks(dir), ['ctrl', 'A+ctrl'], 200);
 */
export async function accumulateStats(
  chunks: AsyncIterable<CellChunk> | Observable<CellChunk>,
  conditions: readonly string[],
  nGenes: number,
  shift?: Float64Array,
): Promise<Moments> {
  if (!(Symbol.asyncIterator in chunks)) return accumulateStats$(chunks as Observable<CellChunk>, conditions, nGenes, shift);
  const acc = new MomentAccumulator(conditions, nGenes, shift);
  for await (const c of chunks as AsyncIterable<CellChunk>) acc.add(c);
  return acc.result();
}

/** Accumulates moments from an Observable of chunks (each chunk is consumed synchronously). */
export function accumulateStats$(chunks$: Observable<CellChunk>, conditions: readonly string[], nGenes: number, shift?: Float64Array): Promise<Moments> {
  const acc = new MomentAccumulator(conditions, nGenes, shift);
  return new Promise((resolve, reject) => {
    chunks$.subscribe({ next: (c) => acc.add(c), error: reject, complete: () => resolve(acc.result()) });
  });
}

/**
 * Welch t against control and the |t| ranking for every condition; control's row gets t = 0 and
 * de_rank = −1. Fails clearly on a condition with fewer than two cells.
 */
export function buildDatasetStats(m: Moments, conditions: ConditionInfo[], genes: GeneInfo[], file = '(cells)'): DatasetStats {
  const C = conditions.length;
  const G = genes.length;
  const controlIndex = conditions.findIndex((c) => c.name === CONTROL);
  if (controlIndex < 0) throw new GearsInputError({ file, field: 'condition', problem: 'no control (ctrl) cells', fix: 'set the control label with --control-label' });
  for (let c = 0; c < C; c++) {
    if (m.n[c] < 2) {
      throw new GearsInputError({ file, field: 'condition', problem: `condition ${conditions[c].name} has ${m.n[c]} cell(s); the t-test needs at least two`, fix: 'remove it or use --min-cells 2' });
    }
  }
  const t = new Float64Array(C * G);
  const deRank = new Int32Array(C * G).fill(-1);
  const nr = m.n[controlIndex];
  const rb = controlIndex * G;
  for (let c = 0; c < C; c++) {
    if (c === controlIndex) continue;
    const n = m.n[c];
    const base = c * G;
    for (let g = 0; g < G; g++) t[base + g] = welchT(m.mean[base + g], m.m2[base + g], n, m.mean[rb + g], m.m2[rb + g], nr);
    deRank.set(rankByAbsT(t.subarray(base, base + G)), base);
  }
  return {
    genes,
    conditions: conditions.map((c, i) => ({ ...c, nCells: m.n[i] })),
    controlIndex,
    mean: m.mean,
    m2: m.m2,
    m3: m.m3,
    m4: m.m4,
    nonzero: m.nonzero,
    t,
    deRank,
  };
}
