/**
 * Small vector statistics the metrics share. Pearson follows scipy's pearsonr on the given
 * values; GEARS replaces a NaN correlation (constant input) by 0, which `pearsonOrZero` does.
 */

/** Pearson correlation of a[idx] and b[idx] (all positions when idx is omitted); NaN when undefined. */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>, idx?: ArrayLike<number>): number {
  const n = idx ? idx.length : a.length;
  if (n < 2) return NaN;
  let sa = 0;
  let sb = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    sa += a[i];
    sb += b[i];
  }
  const ma = sa / n;
  const mb = sb / n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    const da = a[i] - ma;
    const db = b[i] - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  if (saa === 0 || sbb === 0) return NaN;
  const r = sab / Math.sqrt(saa * sbb);
  return Math.max(-1, Math.min(1, r));
}

/** Pearson with NaN → 0, as GEARS reports it. */
export function pearsonOrZero(a: ArrayLike<number>, b: ArrayLike<number>, idx?: ArrayLike<number>): number {
  const r = pearson(a, b, idx);
  return Number.isNaN(r) ? 0 : r;
}

/** Mean squared error over idx (all positions when omitted). */
export function mse(a: ArrayLike<number>, b: ArrayLike<number>, idx?: ArrayLike<number>): number {
  const n = idx ? idx.length : a.length;
  if (n === 0) return NaN;
  let s = 0;
  for (let k = 0; k < n; k++) {
    const i = idx ? idx[k] : k;
    const d = a[i] - b[i];
    s += d * d;
  }
  return s / n;
}

/** Element-wise a − b. */
export function subtract(a: ArrayLike<number>, b: ArrayLike<number>): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i] - b[i];
  return out;
}

/** numpy's sign: −1, 0 or 1 (NaN stays NaN). */
export function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : x === 0 ? 0 : NaN;
}

/** Counts of |sign(p−c) − sign(t−c)| equal to 0, 1 and 2 over idx. */
export function directionCounts(
  pred: ArrayLike<number>,
  truth: ArrayLike<number>,
  ctrl: ArrayLike<number>,
  idx: ArrayLike<number>,
): { same: number; oneZero: number; opposite: number } {
  let same = 0;
  let oneZero = 0;
  let opposite = 0;
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k];
    const d = Math.abs(sign(pred[i] - ctrl[i]) - sign(truth[i] - ctrl[i]));
    if (d === 0) same++;
    else if (d === 1) oneZero++;
    else if (d === 2) opposite++;
  }
  return { same, oneZero, opposite };
}

/** Mean and population std (ddof 0) of the finite values. */
export function meanStd(values: readonly number[]): { mean: number; std: number } {
  if (values.length === 0) return { mean: NaN, std: NaN };
  let s = 0;
  for (const v of values) s += v;
  const m = s / values.length;
  let q = 0;
  for (const v of values) q += (v - m) * (v - m);
  return { mean: m, std: Math.sqrt(q / values.length) };
}

/** Ranks 1..n with ties given their average rank (as scipy's rankdata 'average'). */
export function averageRanks(values: ArrayLike<number>): Float64Array {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    i = j + 1;
  }
  return ranks;
}

/** Spearman rank correlation over the pairs where both values are finite. */
export function spearman(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < a.length; i++) {
    if (Number.isFinite(a[i]) && Number.isFinite(b[i])) {
      x.push(a[i]);
      y.push(b[i]);
    }
  }
  return pearson(averageRanks(x), averageRanks(y));
}
