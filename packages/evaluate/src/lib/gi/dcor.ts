/**
 * Distance correlation as the `dcor` package computes it by default (and GEARS reports it):
 * the biased (V-statistic) estimator, not squared:
 *   a_ij = ‖x_i − x_j‖, A = double-centred a (same for B);
 *   dCov² = mean(A∘B), dVar²_x = mean(A∘A);  dCor = sqrt(dCov² / sqrt(dVar²_x · dVar²_y)), 0 if a variance is 0.
 * Computed in two passes over the sample pairs without storing the n × n matrices, so a
 * 5,000-gene vector costs O(n²) time and O(n) memory.
 */

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
 * The four distance correlations of the GI scores in one pass pair, specialised for speed:
 * dCor([x1 x2], y), dCor(x1, x2), dCor(x1, y), dCor(x2, y). Same estimator as above.
 */
export function giDistanceCorrelations(x1: ArrayLike<number>, x2: ArrayLike<number>, y: ArrayLike<number>): [number, number, number, number] {
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
