/**
 * Test oracle: the straightforward GI fit as it was before the fast path (evaluate ≤ 20 s at
 * Norman scale, issue 13): Theil–Sen over freshly built pair tuples and the two-pass O(n²)
 * distance correlations. The fast implementations in gi/ are checked against these on random
 * data with ties (gi/fast-vs-oracle.test.ts) and in the evaluate benchmark. Not exported.
 */
import { mulberry32 } from '@gears-pipeline/core';

const EPS = 2.220446049250313e-16;

export function oracleTheilSen2(x1: ArrayLike<number>, x2: ArrayLike<number>, y: ArrayLike<number>, opts: { maxSubpopulation?: number; maxIter?: number; tol?: number; seed?: number } = {}): [number, number] {
  const n = y.length;
  const maxSub = opts.maxSubpopulation ?? 100_000;
  const nPairs = (n * (n - 1)) / 2;
  const pairs: [number, number][] = [];
  if (nPairs <= maxSub) {
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) pairs.push([i, j]);
  } else {
    const rand = mulberry32(opts.seed ?? 1000);
    for (let k = 0; k < maxSub; k++) {
      const i = Math.floor(rand() * n);
      let j = Math.floor(rand() * (n - 1));
      if (j >= i) j++;
      pairs.push([i, j]);
    }
  }
  if (pairs.length === 0) return [NaN, NaN];
  const sol = new Float64Array(pairs.length * 2);
  pairs.forEach(([i, j], k) => {
    const [a, b] = oracleSolve2(x1[i], x2[i], x1[j], x2[j], y[i], y[j]);
    sol[2 * k] = a;
    sol[2 * k + 1] = b;
  });
  return oracleSpatialMedian2(sol, opts.maxIter ?? 1000, opts.tol ?? 1e-3);
}

function oracleSpatialMedian2(points: Float64Array, maxIter: number, tol: number): [number, number] {
  const n = points.length / 2;
  let mx = 0;
  let my = 0;
  for (let k = 0; k < n; k++) {
    mx += points[2 * k];
    my += points[2 * k + 1];
  }
  let old: [number, number] = [mx / n, my / n];
  const tol2 = tol * tol;
  let next = old;
  for (let it = 0; it < maxIter; it++) {
    next = weiszfeldStep(points, old);
    const step = (old[0] - next[0]) ** 2 + (old[1] - next[1]) ** 2;
    if (step < tol2) break;
    old = next;
  }
  return next;
}

function weiszfeldStep(points: Float64Array, x: [number, number]): [number, number] {
  const n = points.length / 2;
  let qx = 0; // Σ diff / ‖diff‖
  let qy = 0;
  let wx = 0; // Σ X / ‖diff‖
  let wy = 0;
  let w = 0; // Σ 1 / ‖diff‖
  let inX = 0;
  for (let k = 0; k < n; k++) {
    const px = points[2 * k];
    const py = points[2 * k + 1];
    const dx = px - x[0];
    const dy = py - x[1];
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
  let nx: number;
  let ny: number;
  if (quotient > EPS) {
    nx = wx / w;
    ny = wy / w;
  } else {
    nx = 1;
    ny = 1;
    quotient = 1;
  }
  const keep = Math.min(1, inX / quotient);
  const move = Math.max(0, 1 - inX / quotient);
  return [move * nx + keep * x[0], move * ny + keep * x[1]];
}

export function oracleGiDistanceCorrelations(x1: ArrayLike<number>, x2: ArrayLike<number>, y: ArrayLike<number>): [number, number, number, number] {
  const n = y.length;
  if (n < 2) return [NaN, NaN, NaN, NaN];
  const A = Float64Array.from(x1);
  const B = Float64Array.from(x2);
  const C = Float64Array.from(y);
  const ra = new Float64Array(n);
  const rb = new Float64Array(n);
  const rc = new Float64Array(n);
  const rab = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const ai = A[i];
    const bi = B[i];
    const ci = C[i];
    let sa = 0;
    let sb = 0;
    let sc = 0;
    let sab = 0;
    for (let j = i + 1; j < n; j++) {
      const da = Math.abs(ai - A[j]);
      const db = Math.abs(bi - B[j]);
      const dc = Math.abs(ci - C[j]);
      const dab = Math.sqrt(da * da + db * db);
      sa += da;
      sb += db;
      sc += dc;
      sab += dab;
      ra[j] += da;
      rb[j] += db;
      rc[j] += dc;
      rab[j] += dab;
    }
    ra[i] += sa;
    rb[i] += sb;
    rc[i] += sc;
    rab[i] += sab;
  }
  let ga = 0;
  let gb = 0;
  let gc = 0;
  let gab = 0;
  for (let i = 0; i < n; i++) {
    ga += ra[i];
    gb += rb[i];
    gc += rc[i];
    gab += rab[i];
    ra[i] /= n;
    rb[i] /= n;
    rc[i] /= n;
    rab[i] /= n;
  }
  const nn = n * n;
  ga /= nn;
  gb /= nn;
  gc /= nn;
  gab /= nn;
  // sums of products of double-centred distances; diagonal terms weight 1, off-diagonal 2
  let abC = 0;
  let aB = 0;
  let aC = 0;
  let bC = 0;
  let aa = 0;
  let bb = 0;
  let cc = 0;
  let abab = 0;
  for (let i = 0; i < n; i++) {
    const ai = A[i];
    const bi = B[i];
    const ci = C[i];
    const ka = ga - ra[i];
    const kb = gb - rb[i];
    const kc = gc - rc[i];
    const kab = gab - rab[i];
    {
      const ea = ka - ra[i];
      const eb = kb - rb[i];
      const ec = kc - rc[i];
      const eab = kab - rab[i];
      abC += eab * ec;
      aB += ea * eb;
      aC += ea * ec;
      bC += eb * ec;
      aa += ea * ea;
      bb += eb * eb;
      cc += ec * ec;
      abab += eab * eab;
    }
    let sabC = 0;
    let saB = 0;
    let saC = 0;
    let sbC = 0;
    let saa = 0;
    let sbb = 0;
    let scc = 0;
    let sabab = 0;
    for (let j = i + 1; j < n; j++) {
      const da = Math.abs(ai - A[j]);
      const db = Math.abs(bi - B[j]);
      const dc = Math.abs(ci - C[j]);
      const ea = da + ka - ra[j];
      const eb = db + kb - rb[j];
      const ec = dc + kc - rc[j];
      const eab = Math.sqrt(da * da + db * db) + kab - rab[j];
      sabC += eab * ec;
      saB += ea * eb;
      saC += ea * ec;
      sbC += eb * ec;
      saa += ea * ea;
      sbb += eb * eb;
      scc += ec * ec;
      sabab += eab * eab;
    }
    abC += 2 * sabC;
    aB += 2 * saB;
    aC += 2 * saC;
    bC += 2 * sbC;
    aa += 2 * saa;
    bb += 2 * sbb;
    cc += 2 * scc;
    abab += 2 * sabab;
  }
  const cor = (cov: number, vx: number, vy: number) => {
    const denom = Math.sqrt(vx * vy);
    return denom > 0 ? Math.sqrt(Math.max(0, cov) / denom) : 0;
  };
  return [cor(abC, abab, cc), cor(aB, aa, bb), cor(aC, aa, cc), cor(bC, bb, cc)];
}

function oracleSolve2(a: number, b: number, c: number, d: number, e: number, f: number): [number, number] {
  const det = a * d - b * c;
  const fro = Math.sqrt(a * a + b * b + c * c + d * d);
  if (fro === 0) return [0, 0];
  // singular values of a 2×2 matrix
  const s1sq = (a * a + b * b + c * c + d * d) / 2;
  const disc = Math.sqrt(Math.max(0, s1sq * s1sq - det * det));
  const smax = Math.sqrt(s1sq + disc);
  const smin = Math.abs(det) / smax;
  if (smin > 2 * EPS * smax) {
    return [(d * e - b * f) / det, (a * f - c * e) / det];
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
  return [v0 * proj, v1 * proj];
}

/** Row sums of |x_i − x_j| as the fast path computed them before, ordering by a comparator sort. */
export function oracleAbsoluteDistanceRowSums(x: ArrayLike<number>): Float64Array {
  const n = x.length;
  let mean = 0;
  for (let i = 0; i < n; i++) mean += x[i];
  mean /= n;
  const v = Float64Array.from(x, (t) => t - mean);
  const order = Uint32Array.from({ length: n }, (_, i) => i).sort((a, b) => v[a] - v[b]);
  let total = 0;
  for (let i = 0; i < n; i++) total += v[i];
  const rows = new Float64Array(n);
  let below = 0;
  for (let k = 0; k < n; k++) {
    const i = order[k];
    const vi = v[i];
    const above = total - below - vi;
    rows[i] = vi * k - below + (above - vi * (n - k - 1));
    below += vi;
  }
  return rows;
}
