/**
 * Distance correlation as the `dcor` package computes it by default (and GEARS reports it):
 * the biased (V-statistic) estimator, not squared:
 *   a_ij = ‖x_i − x_j‖, A = double-centred a (same for B);
 *   dCov² = mean(A∘B), dVar²_x = mean(A∘A);  dCor = sqrt(dCov² / sqrt(dVar²_x · dVar²_y)), 0 if a variance is 0.
 * Computed in two passes over the sample pairs without storing the n × n matrices, so a
 * 5,000-gene vector costs O(n²) time and O(n) memory.
 */
import { allZero } from './theil-sen.ts';

import { stableOrderByValue } from '@gears-pipeline/core';

/** Samples as columns: `vars[v][d]` is dimension d of variable v, each of length n. */
type Variable = readonly ArrayLike<number>[];

function distance(v: Variable, i: number, j: number): number {
  if (v.length === 1) return Math.abs(v[0][i] - v[0][j]);
  let s = 0;
  for (const col of v) s += (col[i] - col[j]) ** 2;
  return Math.sqrt(s);
}

/**
 * Distance correlations for several (x, y) pairs of variables over the same n samples; each
 * variable's distance matrix is centred once.
 */
export function distanceCorrelations(variables: readonly Variable[], pairs: readonly [number, number][]): number[] {
  const V = variables.length;
  const n = variables[0][0].length;
  if (n < 2) return pairs.map(() => NaN);
  const rowMean = variables.map(() => new Float64Array(n));
  const grand = new Float64Array(V);
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      for (let v = 0; v < V; v++) {
        const d = distance(variables[v], i, j);
        rowMean[v][i] += d;
        rowMean[v][j] += d;
      }
    }
  }
  for (let v = 0; v < V; v++) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      s += rowMean[v][i];
      rowMean[v][i] /= n;
    }
    grand[v] = s / (n * n);
  }
  // products needed: every pair and every variable with itself
  const needed: [number, number][] = [...pairs];
  for (let v = 0; v < V; v++) needed.push([v, v]);
  const sums = new Float64Array(needed.length);
  const centred = new Float64Array(V);
  const accumulate = (weight: number) => {
    for (let k = 0; k < needed.length; k++) sums[k] += weight * centred[needed[k][0]] * centred[needed[k][1]];
  };
  for (let i = 0; i < n; i++) {
    for (let v = 0; v < V; v++) centred[v] = -2 * rowMean[v][i] + grand[v];
    accumulate(1);
    for (let j = i + 1; j < n; j++) {
      for (let v = 0; v < V; v++) centred[v] = distance(variables[v], i, j) - rowMean[v][i] - rowMean[v][j] + grand[v];
      accumulate(2);
    }
  }
  const dvar = new Float64Array(V);
  for (let v = 0; v < V; v++) dvar[v] = sums[pairs.length + v] / (n * n);
  return pairs.map(([x, y], k) => {
    const denom = Math.sqrt(dvar[x] * dvar[y]);
    if (!(denom > 0)) return 0;
    const r2 = Math.max(0, sums[k] / (n * n)) / denom;
    return Math.sqrt(r2);
  });
}

/** Distance correlation of two (possibly multivariate) samples. */
export function distanceCorrelation(x: Variable, y: Variable): number {
  return distanceCorrelations([x, y], [[0, 1]])[0];
}

/**
 * Σ_j |x_i − x_j| for every i in O(n log n): sort, then each value's distances to those below
 * and above it come from prefix sums. Values are centred first so the prefix sums stay small.
 */
export function absoluteDistanceRowSums(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  // a loop, not Float64Array.from(x, fn): the mapping form is ~20× slower per element
  const v = new Float64Array(n);
  for (let i = 0; i < n; i++) v[i] = x[i] - mean;
  const order = stableOrderByValue(v) ?? Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a] - v[b]);
  let total = 0;
  for (let i = 0; i < n; i++) total += v[i];
  const rows = new Float64Array(n);
  let below = 0; // Σ of the values sorted before position k
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const vi = v[i];
    const above = total - below - vi;
    rows[i] = vi * k - below + (above - vi * (n - k - 1));
    below += vi;
  }
  return rows;
}

/** The values as a Float64Array: the array itself when it is one (only read here), else a copy. */
function asFloat64(x: ArrayLike<number>): Float64Array {
  if (x instanceof Float64Array) return x;
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i];
  return out;
}

/** Σ_{i<j} (x_i − x_j)² = n · Σ (x_i − x̄)². */
function sumSquaredDifferences(x: ArrayLike<number>): number {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  let s = 0;
  for (let i = 0; i < n; i++) s += (x[i] - mean) ** 2;
  return n * s;
}

/**
 * The four distance correlations of the GI scores: dCor([x1 x2], y), dCor(x1, x2), dCor(x1, y),
 * dCor(x2, y), the same V-statistic estimator as above, in one pass over the sample pairs.
 * With a_ij a distance matrix, r_i its row sums and g its total, the double-centred product is
 *   Σ_ij A_ij B_ij = Σ_ij a_ij b_ij − (2/n) Σ_i r^a_i r^b_i + g^a g^b / n²,
 * so only Σ_ij a_ij b_ij and the row sums are needed. Row sums of the 1-D distances come from
 * sorting, Σ_ij a_ij² from the variance; the single O(n²) pass takes one square root per pair
 * (the 2-D distance) and accumulates the 2-D row sums and the four cross products (per row
 * first, then over rows, to keep rounding small). Equal to the two-pass form within ~1e-12
 * (tested against the oracle in testing/gi-oracle.ts).
 */
export function giDistanceCorrelations(x1: ArrayLike<number>, x2: ArrayLike<number>, y: ArrayLike<number>): [number, number, number, number] {
  const n = y.length;
  if (n < 2) return [NaN, NaN, NaN, NaN];
  // both singles unchanged in every gene (the no-change baseline): the distance variances of x1,
  // x2 and [x1 x2] are 0, so each of the four correlations is 0, as the full pass finds — skip it
  if (allZero(x1) && allZero(x2)) return [0, 0, 0, 0];
  const A = asFloat64(x1);
  const B = asFloat64(x2);
  const C = asFloat64(y);
  const ra = absoluteDistanceRowSums(A);
  const rb = absoluteDistanceRowSums(B);
  const rc = absoluteDistanceRowSums(C);
  const rab = new Float64Array(n);
  // Σ_{i<j} of the products of distances
  let abC = 0;
  let aB = 0;
  let aC = 0;
  let bC = 0;
  for (let i = 0; i < n; i++) {
    const ai = A[i];
    const bi = B[i];
    const ci = C[i];
    let sab = 0;
    let sabC = 0;
    let saB = 0;
    let saC = 0;
    let sbC = 0;
    for (let j = i + 1; j < n; j++) {
      const da = Math.abs(ai - A[j]);
      const db = Math.abs(bi - B[j]);
      const dc = Math.abs(ci - C[j]);
      const dab = Math.sqrt(da * da + db * db);
      sab += dab;
      rab[j] += dab;
      sabC += dab * dc;
      saB += da * db;
      saC += da * dc;
      sbC += db * dc;
    }
    rab[i] += sab;
    abC += sabC;
    aB += saB;
    aC += saC;
    bC += sbC;
  }
  const aa = sumSquaredDifferences(A);
  const bb = sumSquaredDifferences(B);
  const cc = sumSquaredDifferences(C);
  const total = (r: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += r[i];
    return s;
  };
  const rowProducts = (r: Float64Array, q: Float64Array) => {
    let s = 0;
    for (let i = 0; i < n; i++) s += r[i] * q[i];
    return s;
  };
  const g = { a: total(ra), b: total(rb), c: total(rc), ab: total(rab) };
  // full-matrix Σ_ij A_ij B_ij from the upper-triangle sums (the matrices are symmetric, zero diagonal)
  const centred = (upper: number, r: Float64Array, q: Float64Array, gr: number, gq: number) => 2 * upper - (2 / n) * rowProducts(r, q) + (gr * gq) / (n * n);
  const cor = (cov: number, vx: number, vy: number) => {
    const denom = Math.sqrt(vx * vy);
    return denom > 0 ? Math.sqrt(Math.max(0, cov) / denom) : 0;
  };
  const vA = centred(aa, ra, ra, g.a, g.a);
  const vB = centred(bb, rb, rb, g.b, g.b);
  const vC = centred(cc, rc, rc, g.c, g.c);
  const vAB = centred(aa + bb, rab, rab, g.ab, g.ab);
  return [
    cor(centred(abC, rab, rc, g.ab, g.c), vAB, vC),
    cor(centred(aB, ra, rb, g.a, g.b), vA, vB),
    cor(centred(aC, ra, rc, g.a, g.c), vA, vC),
    cor(centred(bC, rb, rc, g.b, g.c), vB, vC),
  ];
}
