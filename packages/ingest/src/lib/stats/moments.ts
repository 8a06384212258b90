/**
 * Per (condition, gene) count, mean and central moment sums M2..M4 in one streaming pass over
 * sparse cells, in float64.
 *
 * Method: for each gene g we accumulate power sums of the *shifted* values (x − K_g) over the
 * stored (non-zero) values only, T_p = Σ (x − K_g)^p, and add the zeros analytically at the end:
 * each of the (n − nnz) zeros contributes (−K_g)^p. The cost is O(non-zeros), not O(cells × genes).
 * Central moments follow from the shifted sums with d = T1/n:
 *   M2 = T2 − n d²,  M3 = T3 − 3 d T2 + 2 n d³,  M4 = T4 − 4 d T3 + 6 d² T2 − 3 n d⁴.
 * Raw power sums lose precision when |mean| ≫ sd (catastrophic cancellation); with the shift
 * K_g ≈ the gene's mean over all cells the loss is governed by |mean_c − K_g| / sd, which is
 * small for expression data, so float64 keeps ~12 significant digits. Shards (files, workers)
 * merge exactly with `mergeMoments` (Pébay 2008 / Terriberry pairwise formulas).
 */
import type { CellChunk } from '@gears-pipeline/core';

export interface Moments {
  nConditions: number;
  nGenes: number;
  /** cells per condition */
  n: Float64Array;
  /** [C × G] row-major */
  mean: Float64Array;
  m2: Float64Array;
  m3: Float64Array;
  m4: Float64Array;
  nonzero: Float64Array;
}

export class MomentAccumulator {
  readonly C: number;
  readonly G: number;
  private readonly shift: Float64Array;
  private readonly index: Map<string, number>;
  private readonly cells: Float64Array;
  private readonly t1: Float64Array;
  private readonly t2: Float64Array;
  private readonly t3: Float64Array;
  private readonly t4: Float64Array;
  private readonly nnz: Float64Array;

  /**
   * @param conditions condition names, in the order of the output rows
   * @param nGenes genes per cell
   * @param shift per-gene shift K_g (any value is exact in exact arithmetic; the gene's overall
   *   mean is best numerically); zeros when absent
   * @param only when given, only the conditions c with only[c] = 1 are accumulated (their rows
   *   are then exactly those of an accumulator over all conditions: see `takeConditions`)
   */
  constructor(conditions: readonly string[], nGenes: number, shift?: Float64Array, only?: Uint8Array) {
    this.C = conditions.length;
    this.G = nGenes;
    // with `only`, the cells of conditions outside it are ignored like unknown conditions
    this.index = new Map(conditions.flatMap((c, i) => (only && !only[i] ? [] : [[c, i] as [string, number]])));
    this.shift = shift ?? new Float64Array(nGenes);
    const size = this.C * this.G;
    this.cells = new Float64Array(this.C);
    this.t1 = new Float64Array(size);
    this.t2 = new Float64Array(size);
    this.t3 = new Float64Array(size);
    this.t4 = new Float64Array(size);
    this.nnz = new Float64Array(size);
  }

  /**
   * Adds a chunk's cells; cells of conditions not in the list are ignored.
   *
   * The cells are visited grouped by condition (a stable counting sort of the rows), so a
   * condition's five accumulator rows stay in cache across its cells; each (condition, gene)
   * still receives its cells in chunk order, so the sums are bit for bit those of a visit in
   * row order. ≈ 2× faster on the 100,000-cell benchmark (281 conditions in random cell order).
   * Keeping the five sums interleaved in one array instead was 1.5–2× slower (measured).
   */
  add(chunk: CellChunk): void {
    const { indptr, indices, values, conditions } = chunk;
    const G = this.G;
    const K = this.shift;
    const { t1, t2, t3, t4, nnz } = this;
    const n = conditions.length;
    const rowCondition = new Int32Array(n);
    const start = new Int32Array(this.C + 1);
    for (let r = 0; r < n; r++) {
      const c = this.index.get(conditions[r]);
      rowCondition[r] = c ?? -1;
      if (c !== undefined) start[c + 1]++;
    }
    for (let c = 0; c < this.C; c++) start[c + 1] += start[c];
    const order = new Int32Array(start[this.C]);
    for (let r = 0; r < n; r++) if (rowCondition[r] >= 0) order[start[rowCondition[r]]++] = r;
    for (let i = 0; i < order.length; i++) {
      const r = order[i];
      const c = rowCondition[r];
      this.cells[c]++;
      const base = c * G;
      for (let k = indptr[r]; k < indptr[r + 1]; k++) {
        const v = values[k];
        if (v === 0) continue; // an explicitly stored zero is a zero
        const g = indices[k];
        const j = base + g;
        const d = v - K[g];
        const d2 = d * d;
        t1[j] += d;
        t2[j] += d2;
        t3[j] += d2 * d;
        t4[j] += d2 * d2;
        nnz[j]++;
      }
    }
  }

  /** The moments of everything added so far (the accumulator can keep going afterwards). */
  result(): Moments {
    const { C, G } = this;
    const mk = () => new Float64Array(C * G);
    const out: Moments = { nConditions: C, nGenes: G, n: Float64Array.from(this.cells), mean: mk(), m2: mk(), m3: mk(), m4: mk(), nonzero: Float64Array.from(this.nnz) };
    for (let c = 0; c < C; c++) {
      const n = this.cells[c];
      if (n === 0) continue;
      for (let g = 0; g < G; g++) {
        const j = c * G + g;
        if (this.nnz[j] === 0) continue; // all zeros: mean and moments are exactly 0
        const K = this.shift[g];
        const z = n - this.nnz[j];
        const k2 = K * K;
        // add the zeros: (0 − K)^p each
        const T1 = this.t1[j] - z * K;
        const T2 = this.t2[j] + z * k2;
        const T3 = this.t3[j] - z * k2 * K;
        const T4 = this.t4[j] + z * k2 * k2;
        const d = T1 / n;
        const d2 = d * d;
        out.mean[j] = K + d;
        out.m2[j] = Math.max(0, T2 - n * d2);
        out.m3[j] = T3 - 3 * d * T2 + 2 * n * d2 * d;
        out.m4[j] = Math.max(0, T4 - 4 * d * T3 + 6 * d2 * T2 - 3 * n * d2 * d2);
      }
    }
    return out;
  }
}

/**
 * Merges the moments of two disjoint sets of cells for one (condition, gene): Pébay's pairwise
 * update. Returns [n, mean, M2, M3, M4].
 */
export function mergeMoment(
  na: number, meanA: number, m2a: number, m3a: number, m4a: number,
  nb: number, meanB: number, m2b: number, m3b: number, m4b: number,
): [number, number, number, number, number] {
  if (na === 0) return [nb, meanB, m2b, m3b, m4b];
  if (nb === 0) return [na, meanA, m2a, m3a, m4a];
  const n = na + nb;
  const delta = meanB - meanA;
  const dn = delta / n;
  const dn2 = dn * dn;
  const mean = meanA + nb * dn;
  const m2 = m2a + m2b + delta * dn * na * nb;
  const m3 = m3a + m3b + dn2 * delta * na * nb * (na - nb) + 3 * dn * (na * m2b - nb * m2a);
  const m4 =
    m4a + m4b +
    dn2 * dn * delta * na * nb * (na * na - na * nb + nb * nb) +
    6 * dn2 * (na * na * m2b + nb * nb * m2a) +
    4 * dn * (na * m3b - nb * m3a);
  return [n, mean, m2, m3, m4];
}

/**
 * The moments of all conditions from two accumulators that split the conditions between them
 * (`only` = `fromA` for the first, its complement for the second): condition c's rows from `a`
 * where fromA[c] = 1, else from `b`. Each condition's sums only ever see its own cells, in order,
 * so the result equals one accumulator over everything, bit for bit.
 */
export function takeConditions(a: Moments, b: Moments, fromA: Uint8Array): Moments {
  const { nConditions: C, nGenes: G } = a;
  if (b.nConditions !== C || b.nGenes !== G) throw new Error('takeConditions: the moments have different conditions or genes');
  const out: Moments = { nConditions: C, nGenes: G, n: Float64Array.from(b.n), mean: Float64Array.from(b.mean), m2: Float64Array.from(b.m2), m3: Float64Array.from(b.m3), m4: Float64Array.from(b.m4), nonzero: Float64Array.from(b.nonzero) };
  for (let c = 0; c < C; c++) {
    if (!fromA[c]) continue;
    out.n[c] = a.n[c];
    for (const k of ['mean', 'm2', 'm3', 'm4', 'nonzero'] as const) out[k].set(a[k].subarray(c * G, (c + 1) * G), c * G);
  }
  return out;
}

/** Merges the moments of two disjoint shards (same conditions and genes, e.g. two files). */
export function mergeMoments(a: Moments, b: Moments): Moments {
  const { nConditions: C, nGenes: G } = a;
  if (b.nConditions !== C || b.nGenes !== G) throw new Error('mergeMoments: shards have different conditions or genes');
  const mk = () => new Float64Array(C * G);
  const out: Moments = { nConditions: C, nGenes: G, n: new Float64Array(C), mean: mk(), m2: mk(), m3: mk(), m4: mk(), nonzero: mk() };
  for (let c = 0; c < C; c++) {
    out.n[c] = a.n[c] + b.n[c];
    for (let g = 0; g < G; g++) {
      const j = c * G + g;
      const r = mergeMoment(a.n[c], a.mean[j], a.m2[j], a.m3[j], a.m4[j], b.n[c], b.mean[j], b.m2[j], b.m3[j], b.m4[j]);
      out.mean[j] = r[1];
      out.m2[j] = r[2];
      out.m3[j] = r[3];
      out.m4[j] = r[4];
      out.nonzero[j] = a.nonzero[j] + b.nonzero[j];
    }
  }
  return out;
}
