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
