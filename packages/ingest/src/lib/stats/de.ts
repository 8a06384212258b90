/**
 * The DE ranking GEARS takes from scanpy's `rank_genes_groups(method='t-test', reference='ctrl',
 * rankby_abs=True)` (reference §1.3): per gene, Welch's t of the condition against control with
 * unbiased variances (ddof 1: var = M2 / (n − 1)), NaN → 0, genes ranked by |t| descending.
 * scanpy leaves the order of equal |t| unspecified; we break ties by gene position so reruns agree.
 */

/** Welch t of group 1 against group 2 from means, sums of squared deviations and counts. */
export function welchT(mean1: number, m2_1: number, n1: number, mean2: number, m2_2: number, n2: number): number {
  const v1 = m2_1 / (n1 - 1) / n1;
  const v2 = m2_2 / (n2 - 1) / n2;
  const t = (mean1 - mean2) / Math.sqrt(v1 + v2);
  return Number.isNaN(t) ? 0 : t;
}

/**
 * 0-based rank of each gene by |t| descending, ties by gene position.
 *
 * A stable least-significant-digit radix sort on the bits of |t| (for non-negative doubles the
 * IEEE bit pattern orders like the number; complementing it orders descending), 8 bits a pass:
 * the same order as a comparison sort by (|t| descending, gene ascending), ≈ 5× faster than
 * Array.sort with a comparator, which was 0.4 s of the 281 × 5,000 ingest (node --cpu-prof).
 * |NaN| (never produced by welchT) would sort before +Infinity.
 */
export function rankByAbsT(t: ArrayLike<number>): Int32Array {
  const G = t.length;
  const bits = new Float64Array(G);
  for (let g = 0; g < G; g++) bits[g] = Math.abs(t[g]);
  const words = new Uint32Array(bits.buffer); // little-endian: [low, high] per value
  const little = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;
  const lowWord = little ? 0 : 1;
  let order = new Int32Array(G);
  let next = new Int32Array(G);
  for (let g = 0; g < G; g++) order[g] = g;
  const count = new Int32Array(257);
  for (let pass = 0; pass < 8; pass++) {
    const w = pass < 4 ? lowWord : 1 - lowWord;
    const shift = (pass & 3) * 8;
    count.fill(0);
    for (let g = 0; g < G; g++) count[(~words[2 * g + w] >>> shift) & 0xff]++;
    // a pass where every value has the same digit changes nothing
    if (count[(~words[2 * order[0] + w] >>> shift) & 0xff] === G) continue;
    let sum = 0;
    for (let d = 0; d < 256; d++) {
      const c = count[d];
      count[d] = sum;
      sum += c;
    }
    for (let i = 0; i < G; i++) {
      const g = order[i];
      next[count[(~words[2 * g + w] >>> shift) & 0xff]++] = g;
    }
    const tmp = order;
    order = next;
    next = tmp;
  }
  const rank = new Int32Array(G);
  for (let i = 0; i < G; i++) rank[order[i]] = i;
  return rank;
}

/**
 * The DE ranking of a profile without within-condition variance (pseudobulk means or log fold
 * changes, where Welch's t is undefined): 0-based rank of each gene by |mean − control mean|
 * descending, ties by gene position — the same ordering rule as `rankByAbsT`.
 */
export function rankByAbsDelta(mean: ArrayLike<number>, control: ArrayLike<number>): Int32Array {
  if (mean.length !== control.length) throw new Error(`rankByAbsDelta: ${mean.length} values, ${control.length} control values`);
  return rankByAbsT(Float64Array.from(mean, (v, g) => v - control[g]));
}
