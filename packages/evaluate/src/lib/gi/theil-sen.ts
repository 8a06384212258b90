/**
 * Theil–Sen regression without intercept for two predictors, with scikit-learn's behaviour
 * (TheilSenRegressor(fit_intercept=False, max_subpopulation=1e5), as GEARS' get_coeffs uses it):
 * every pair of samples (genes) gives the exact least-squares solution of its 2 × 2 system
 * (minimum-norm when singular, like LAPACK gelss); with more than `maxSubpopulation` pairs,
 * that many random pairs are drawn (seeded, so results are deterministic — not numpy's stream);
 * the coefficients are the spatial median of the solutions (modified Weiszfeld iteration,
 * started at their mean, stopping when the squared step is below tol², at most maxIter steps).
 */
import { mulberry32 } from '@gears-pipeline/core';

export const THEIL_SEN_MAX_SUBPOPULATION = 100_000;
/** GEARS passes max_iter=1000 to TheilSenRegressor (sklearn's default would be 300). */
export const THEIL_SEN_MAX_ITER = 1000;
export const THEIL_SEN_TOL = 1e-3;
export const THEIL_SEN_SEED = 1000;
const EPS = 2.220446049250313e-16;

export interface TheilSenOptions {
  maxSubpopulation?: number;
  maxIter?: number;
  tol?: number;
  seed?: number;
}

/**
 * The sample pairs a fit uses, as [i0, j0, i1, j1, …]: all pairs i < j, or `maxSub` seeded random
 * pairs. Every fit over the same number of genes uses the same pairs (the seed is fixed), so the
 * last list is kept and reused: at Norman scale ≈ 600 fits share one list.
 */
let cachedPairs: { key: string; pairs: Int32Array } | undefined;
export function theilSenPairs(n: number, maxSub: number, seed: number): Int32Array {
  const key = `${n}/${maxSub}/${seed}`;
  if (cachedPairs?.key === key) return cachedPairs.pairs;
  const nPairs = (n * (n - 1)) / 2;
  let pairs: Int32Array;
  if (nPairs <= maxSub) {
    pairs = new Int32Array(2 * nPairs);
    let k = 0;
    for (let i = 0; i < n; i++)
      for (let j = i + 1; j < n; j++) {
        pairs[k++] = i;
        pairs[k++] = j;
      }
  } else {
    pairs = new Int32Array(2 * maxSub);
    const rand = mulberry32(seed);
    for (let k = 0; k < maxSub; k++) {
      const i = Math.floor(rand() * n);
      let j = Math.floor(rand() * (n - 1));
      if (j >= i) j++;
      pairs[2 * k] = i;
      pairs[2 * k + 1] = j;
    }
  }
  cachedPairs = { key, pairs };
  return pairs;
}

/**
 * The pair solutions of the current fit, reused across fits: a fresh 1.6 MB array per fit cost
 * more than the 1e5 solves themselves (allocation and the GC pressure of external memory).
 * Fits run one at a time per thread, so one buffer per thread suffices.
 */
let solutions = new Float64Array(0);
function solutionBuffer(length: number): Float64Array {
  if (solutions.length < length) solutions = new Float64Array(length);
  return solutions.subarray(0, length);
}

/**
 * Fits y ≈ c1·x1 + c2·x2; returns [c1, c2]. Typed arrays throughout (no per-pair objects): the
 * arithmetic and its order are those of the straightforward version kept as a test oracle
 * (testing/gi-oracle.ts), so results are bit-identical to it.
 */
export function theilSen2(x1: ArrayLike<number>, x2: ArrayLike<number>, y: ArrayLike<number>, opts: TheilSenOptions = {}): [number, number] {
  const n = y.length;
  const pairs = theilSenPairs(n, opts.maxSubpopulation ?? THEIL_SEN_MAX_SUBPOPULATION, opts.seed ?? THEIL_SEN_SEED);
  const m = pairs.length / 2;
  if (m === 0) return [NaN, NaN];
  // both predictors zero for every gene (the no-change baseline): every pair's system is the zero
  // matrix, solved by (0, 0), whose spatial median is (0, 0) — skip the 1e5 solves and the median
  if (allZero(x1) && allZero(x2)) return [0, 0];
  const sol = solutionBuffer(2 * m);
  for (let k = 0; k < m; k++) {
    const i = pairs[2 * k];
    const j = pairs[2 * k + 1];
    solveInto(sol, k, x1[i], x2[i], x1[j], x2[j], y[i], y[j]);
  }
  return spatialMedian2(sol, opts.maxIter ?? THEIL_SEN_MAX_ITER, opts.tol ?? THEIL_SEN_TOL);
}

/** Every value is ±0. */
export function allZero(x: ArrayLike<number>): boolean {
  for (let i = 0; i < x.length; i++) if (x[i] !== 0) return false;
  return true;
}

/**
 * Least-squares solution of [[a, b], [c, d]] · [u, v] = [e, f], minimum-norm when the matrix is
 * singular (pseudo-inverse with gelss' default cutoff: singular values below eps·σmax ignored).
 */
export function solve2(a: number, b: number, c: number, d: number, e: number, f: number): [number, number] {
  const out = new Float64Array(2);
  solveInto(out, 0, a, b, c, d, e, f);
  return [out[0], out[1]];
}

/** `solve2` writing its solution to out[2k], out[2k + 1]. */
function solveInto(out: Float64Array, k: number, a: number, b: number, c: number, d: number, e: number, f: number): void {
  const det = a * d - b * c;
  const fro = Math.sqrt(a * a + b * b + c * c + d * d);
  if (fro === 0) {
    out[2 * k] = 0;
    out[2 * k + 1] = 0;
    return;
  }
  // singular values of a 2×2 matrix
  const s1sq = (a * a + b * b + c * c + d * d) / 2;
  const disc = Math.sqrt(Math.max(0, s1sq * s1sq - det * det));
  const smax = Math.sqrt(s1sq + disc);
  const smin = Math.abs(det) / smax;
  if (smin > 2 * EPS * smax) {
    out[2 * k] = (d * e - b * f) / det;
    out[2 * k + 1] = (a * f - c * e) / det;
    return;
  }
  // rank 1: M = smax · u vᵀ; pseudo-inverse = v uᵀ / smax
  // v = dominant right singular vector (of MᵀM), u = M v / smax
  const mtm00 = a * a + c * c;
  const mtm01 = a * b + c * d;
  const mtm11 = b * b + d * d;
  let v0: number;
  let v1: number;
  if (Math.abs(mtm01) > 0) {
    const lam = smax * smax;
    v0 = mtm01;
    v1 = lam - mtm00;
    if (Math.abs(v0) + Math.abs(v1) === 0) {
      v0 = lam - mtm11;
      v1 = mtm01;
    }
  } else if (mtm00 >= mtm11) {
    v0 = 1;
    v1 = 0;
  } else {
    v0 = 0;
    v1 = 1;
  }
  const vn = Math.hypot(v0, v1);
  v0 /= vn;
  v1 /= vn;
  const u0 = (a * v0 + b * v1) / smax;
  const u1 = (c * v0 + d * v1) / smax;
  const proj = (u0 * e + u1 * f) / smax;
  out[2 * k] = v0 * proj;
  out[2 * k + 1] = v1 * proj;
}

/** Spatial (L1) median of 2-D points stored as [x0, y0, x1, y1, …], modified Weiszfeld. */
export function spatialMedian2(points: Float64Array, maxIter = THEIL_SEN_MAX_ITER, tol = THEIL_SEN_TOL): [number, number] {
  const n = points.length / 2;
  let mx = 0;
  let my = 0;
  for (let k = 0; k < n; k++) {
    mx += points[2 * k];
    my += points[2 * k + 1];
  }
  let ox = mx / n;
  let oy = my / n;
  let nx = ox;
  let ny = oy;
  const tol2 = tol * tol;
  for (let it = 0; it < maxIter; it++) {
    // one Weiszfeld step from (ox, oy), inlined so the loop allocates nothing
    let qx = 0; // Σ diff / ‖diff‖
    let qy = 0;
    let wx = 0; // Σ X / ‖diff‖
    let wy = 0;
    let w = 0; // Σ 1 / ‖diff‖
    let inX = 0;
    for (let k = 0; k < n; k++) {
      const px = points[2 * k];
      const py = points[2 * k + 1];
      const dx = px - ox;
      const dy = py - oy;
      const norm = Math.sqrt(dx * dx + dy * dy);
      if (norm < EPS) {
        inX = 1;
        continue;
      }
      qx += dx / norm;
      qy += dy / norm;
      wx += px / norm;
      wy += py / norm;
      w += 1 / norm;
    }
    let quotient = Math.hypot(qx, qy);
    let tx: number;
    let ty: number;
    if (quotient > EPS) {
      tx = wx / w;
      ty = wy / w;
    } else {
      tx = 1;
      ty = 1;
      quotient = 1;
    }
    const keep = Math.min(1, inX / quotient);
    const move = Math.max(0, 1 - inX / quotient);
    nx = move * tx + keep * ox;
    ny = move * ty + keep * oy;
    const step = (ox - nx) ** 2 + (oy - ny) ** 2;
    if (step < tol2) break;
    ox = nx;
    oy = ny;
  }
  return [nx, ny];
}
