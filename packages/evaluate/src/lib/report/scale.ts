/**
 * "Nice" linear scales for the report's charts (the logic of d3-scale's `nice`/`ticks`, written
 * here so the report stays one small offline file): tick steps are 1, 2 or 5 × 10^k (e.g. 0.1,
 * 0.2, 0.5), the domain is widened to whole steps, and labels carry just enough decimals.
 */

export interface NiceScale {
  lo: number;
  hi: number;
  step: number;
  ticks: number[];
  /** data value → pixel, for a range [r0, r1] */
  map: (v: number) => number;
  /** tick label with the decimals the step needs */
  format: (v: number) => string;
}

/** The 1/2/5 × 10^k step that gives about `count` intervals over `span`. */
export function niceStep(span: number, count = 5): number {
  if (!(span > 0) || !Number.isFinite(span)) return 1;
  const raw = span / Math.max(1, count);
  const mag = 10 ** Math.floor(Math.log10(raw));
  const r = raw / mag;
  // geometric midpoints between 1, 2, 5 and 10: pick the step whose interval count is closest
  return (r >= Math.sqrt(50) ? 10 : r >= Math.sqrt(10) ? 5 : r >= Math.sqrt(2) ? 2 : 1) * mag;
}

function decimals(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

/**
 * A nice scale over the finite values (plus 0 when `includeZero`), mapped onto [r0, r1]
 * (r0 > r1 for a y axis growing upwards).
 */
export function niceScale(values: readonly number[], r0: number, r1: number, opts: { includeZero?: boolean; count?: number } = {}): NiceScale {
  const fin = values.filter(Number.isFinite);
  let lo = fin.length ? Math.min(...fin) : 0;
  let hi = fin.length ? Math.max(...fin) : 1;
  if (opts.includeZero ?? true) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (hi === lo) {
    const pad = lo === 0 ? 1 : Math.abs(lo) * 0.1;
    lo -= pad;
    hi += pad;
  }
  const step = niceStep(hi - lo, opts.count ?? 5);
  lo = Math.floor(lo / step + 1e-9) * step;
  hi = Math.ceil(hi / step - 1e-9) * step;
  const d = decimals(step);
  const ticks: number[] = [];
  for (let v = lo, i = 0; v <= hi + step * 1e-6 && i < 100; i++, v = lo + i * step) ticks.push(Number(v.toFixed(d + 2)));
  const useExp = Math.max(Math.abs(lo), Math.abs(hi)) >= 1e5 || step < 1e-4;
  return {
    lo,
    hi,
    step,
    ticks,
    map: (v) => r0 + ((v - lo) / (hi - lo)) * (r1 - r0),
    format: (v) => (useExp ? (v === 0 ? '0' : v.toExponential(1)) : (Math.abs(v) < step * 1e-6 ? 0 : v).toFixed(d)),
  };
}
