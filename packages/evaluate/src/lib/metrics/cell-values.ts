/**
 * The per-cell side of the range metrics (`frac_in_range*`), which moments cannot give: for each
 * evaluated condition, the sorted per-cell values of the few genes the metrics look at (its top-20
 * DE, top-20 non-dropout DE and top-20 non-zero DE genes), gathered in one streamed pass over the
 * dataset's cells (CellChunk CSR blocks, e.g. from ingest's `readCellChunks`). Memory: conditions ×
 * ≤ 60 genes × cells per condition.
 */
import { conditionGeneLists, type CellChunk, type DatasetStats } from '@gears-pipeline/core';

/** condition → gene index → that gene's value in every cell of the condition, sorted ascending */
export type CellValues = Map<string, Map<number, Float64Array>>;

/** The genes whose per-cell values the range metrics need, per condition. */
export function cellValueNeeds(stats: DatasetStats, conditions: readonly string[]): Map<string, number[]> {
  const ci = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const out = new Map<string, number[]>();
  for (const c of conditions) {
    const i = ci.get(c);
    if (i === undefined) continue;
    const l = conditionGeneLists(stats, i);
    out.set(c, [...new Set([...l.topDe20, ...l.topNonDropoutDe20, ...l.topNonZeroDe20])]);
  }
  return out;
}

/** Collects the needed per-cell values from a stream of cell chunks (absent CSR entries are 0). */
export async function collectCellValues(chunks: AsyncIterable<CellChunk>, needs: Map<string, number[]>): Promise<CellValues> {
  const raw = new Map<string, { genes: Map<number, number>; columns: number[][] }>();
  for (const [c, genes] of needs) raw.set(c, { genes: new Map(genes.map((g, k) => [g, k])), columns: genes.map(() => []) });
  for await (const chunk of chunks) {
    const n = chunk.indptr.length - 1;
    for (let r = 0; r < n; r++) {
      const want = raw.get(chunk.conditions[r]);
      if (!want) continue;
      const cell = new Float64Array(want.columns.length);
      for (let k = chunk.indptr[r]; k < chunk.indptr[r + 1]; k++) {
        const pos = want.genes.get(chunk.indices[k]);
        if (pos !== undefined) cell[pos] = chunk.values[k];
      }
      for (let p = 0; p < cell.length; p++) want.columns[p].push(cell[p]);
    }
  }
  const out: CellValues = new Map();
  for (const [c, { genes, columns }] of raw) {
    const m = new Map<number, Float64Array>();
    for (const [g, p] of genes) m.set(g, Float64Array.from(columns[p]).sort());
    out.set(c, m);
  }
  return out;
}

/** numpy's default (linear) quantile of sorted values. */
export function quantileSorted(x: Float64Array, q: number): number {
  if (x.length === 0) return NaN;
  const pos = q * (x.length - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return x[lo] + (pos - lo) * (x[hi] - x[lo]);
}

/**
 * frac_in_range{,_45_55,_40_60,_25_75}{suffix} over the DE genes that are not zero in every cell
 * (the reference's nonzero_des): the share whose predicted mean lies within [min, max] or the
 * quantile band of the observed per-cell values.
 */
export function rangeMetrics(pred: Float64Array, de: readonly number[], values: Map<number, Float64Array>, suffix: string): Record<string, number> {
  const out: Record<string, number> = {};
  const genes = de.filter((g) => {
    const v = values.get(g);
    return v !== undefined && v.length > 0 && !(v[0] === 0 && v[v.length - 1] === 0);
  });
  if (genes.length === 0 || de.some((g) => !values.has(g))) return out;
  const bands: [string, number, number][] = [
    ['frac_in_range', 0, 1],
    ['frac_in_range_45_55', 0.45, 0.55],
    ['frac_in_range_40_60', 0.4, 0.6],
    ['frac_in_range_25_75', 0.25, 0.75],
  ];
  for (const [name, qlo, qhi] of bands) {
    let hit = 0;
    for (const g of genes) {
      const v = values.get(g)!;
      if (pred[g] >= quantileSorted(v, qlo) && pred[g] <= quantileSorted(v, qhi)) hit++;
    }
    out[`${name}${suffix}`] = hit / genes.length;
  }
  return out;
}
