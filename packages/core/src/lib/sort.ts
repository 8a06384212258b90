/**
 * A stable order of float64 values by a radix sort: shared by the GI distance correlations
 * (evaluate) and the DE ranking (ingest), where a comparator sort over thousands of genes was hot.
 */
const LITTLE_ENDIAN = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Positions sorted by value, equal values in position order — the order of the stable
 * comparator sort (a, b) => v[a] − v[b] — by a least-significant-digit radix sort of the values'
 * bits (8 passes of 8 bits, each stable; passes where every value has the same digit skipped),
 * about 5× faster than the comparator sort. The bits are mapped so that unsigned order is numeric
 * order (negative: all bits flipped; positive: sign bit set); −0 is read as +0, which the
 * comparator treats as equal. Undefined with a NaN (no total order) or on a big-endian host.
 */
export function stableOrderByValue(v: Float64Array): Uint32Array | undefined {
  if (!LITTLE_ENDIAN) return undefined;
  const n = v.length;
  const values = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    if (v[i] !== v[i]) return undefined;
    values[i] = v[i] + 0; // −0 → +0
  }
  const bits = new Uint32Array(values.buffer);
  const lo = new Uint32Array(n);
  const hi = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const l = bits[2 * i];
    const h = bits[2 * i + 1];
    const negative = (h & 0x80000000) !== 0;
    lo[i] = negative ? ~l >>> 0 : l;
    hi[i] = negative ? ~h >>> 0 : (h | 0x80000000) >>> 0;
  }
  let order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  let next = new Uint32Array(n);
  const start = new Uint32Array(256);
  for (let pass = 0; pass < 8; pass++) {
    const word = pass < 4 ? lo : hi;
    const shift = (pass & 3) * 8;
    start.fill(0);
    for (let k = 0; k < n; k++) start[(word[order[k]] >>> shift) & 255]++;
    if (start[(word[0] >>> shift) & 255] === n) continue; // one digit for all: order unchanged
    let at = 0;
    for (let d = 0; d < 256; d++) {
      const c = start[d];
      start[d] = at;
      at += c;
    }
    for (let k = 0; k < n; k++) {
      const i = order[k];
      next[start[(word[i] >>> shift) & 255]++] = i;
    }
    [order, next] = [next, order];
  }
  return order;
}

