/**
 * Seeded random numbers for the simulator. Our own generator (sfc32, a small fast chaotic
 * 32-bit generator) rather than Math.random, so a seed gives the same data on every machine and
 * Node version. Each cell gets its own stream derived from (seed, cell index), so the data do not
 * depend on the chunk size used to generate or write them.
 */

const TWO_POW_32 = 4294967296;

/** Mixes 32-bit words into one well-scrambled 32-bit word (murmur3's finaliser over a running hash). */
export function mixSeed(w0: number, w1 = 0, w2 = 0, w3 = 0): number {
  let h = 0x9e3779b9;
  h = mixWord(h, w0);
  h = mixWord(h, w1);
  h = mixWord(h, w2);
  h = mixWord(h, w3);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function mixWord(h: number, w: number): number {
  let k = Math.imul(w | 0, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  k = Math.imul(k, 0x1b873593);
  h ^= k;
  h = (h << 13) | (h >>> 19);
  return (Math.imul(h, 5) + 0xe6546b64) | 0;
}

/** log(k!) — exact table for small k, Stirling's series beyond (error < 1e-10 for k ≥ 64). */
const LOG_FACTORIAL_TABLE = (() => {
  const t = new Float64Array(64);
  for (let k = 1; k < 64; k++) t[k] = t[k - 1] + Math.log(k);
  return t;
})();
function logFactorial(k: number): number {
  if (k < 64) return LOG_FACTORIAL_TABLE[k];
  const x = k + 1;
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + 1 / (12 * x) - 1 / (360 * x * x * x);
}

/** A seeded sfc32 stream with the distributions the simulator needs. */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  private spareNormal = NaN;

  /** `seed` and optional `stream` words (at most two) select an independent sequence. */
  constructor(seed: number, stream = 0, substream = 0) {
    this.a = this.b = this.c = this.d = 0;
    this.reseed(seed, stream, substream);
  }

  /** Restarts as `new SeededRandom(seed, stream, substream)` would, without allocating (one per cell). */
  reseed(seed: number, stream = 0, substream = 0): void {
    this.a = mixSeed(seed, 1, stream, substream);
    this.b = mixSeed(seed, 2, stream, substream);
    this.c = mixSeed(seed, 3, stream, substream);
    this.d = 1;
    this.spareNormal = NaN;
    // the first outputs of a freshly seeded sfc32 are correlated with the seed: discard them
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform on the open interval (0, 1): never 0, so log(u) is always finite. */
  uniform(): number {
    return (this.nextUint32() + 0.5) / TWO_POW_32;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.uniform() * n);
  }

  /** Uniform on [lo, hi). */
  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Standard normal (Marsaglia's polar method; the second value is kept for the next call). */
  normal(): number {
    if (!Number.isNaN(this.spareNormal)) {
      const s = this.spareNormal;
      this.spareNormal = NaN;
      return s;
    }
    let u: number, v: number, s: number;
    do {
      u = 2 * this.uniform() - 1;
      v = 2 * this.uniform() - 1;
      s = u * u + v * v;
    } while (s >= 1 || s === 0);
    const f = Math.sqrt((-2 * Math.log(s)) / s);
    this.spareNormal = v * f;
    return u * f;
  }

  /** Gamma(shape, scale 1) by Marsaglia & Tsang (2000); shape < 1 through the U^(1/shape) boost. */
  gamma(shape: number): number {
    if (shape < 1) return this.gamma(shape + 1) * Math.pow(this.uniform(), 1 / shape);
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number, v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }

  /**
   * Poisson(mean). Small means by multiplying uniforms (Knuth); large means by Hörmann's
   * transformed rejection with squeeze (PTRS, 1993), whose cost does not grow with the mean.
   */
  poisson(mean: number): number {
    if (!(mean > 0)) return 0;
    if (mean < 10) {
      const limit = Math.exp(-mean);
      let k = 0;
      let p = this.uniform();
      while (p > limit) {
        k++;
        p *= this.uniform();
      }
      return k;
    }
    const sq = Math.sqrt(mean);
    const logMean = Math.log(mean);
    const b = 0.931 + 2.53 * sq;
    const a = -0.059 + 0.02483 * b;
    const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
    const vr = 0.9277 - 3.6224 / (b - 2);
    for (;;) {
      const u = this.uniform() - 0.5;
      const v = this.uniform();
      const us = 0.5 - Math.abs(u);
      const k = Math.floor(((2 * a) / us + b) * u + mean + 0.43);
      if (us >= 0.07 && v <= vr) return k;
      if (k < 0 || (us < 0.013 && v > us)) continue;
      if (Math.log(v) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logFactorial(k)) return k;
    }
  }

  /** Negative binomial with the given mean and inverse dispersion θ (variance mean + mean²/θ), as gamma–Poisson. */
  negativeBinomial(mean: number, theta: number): number {
    return this.poisson((mean * this.gamma(theta)) / theta);
  }

  /** Shuffles in place (Fisher–Yates). */
  shuffle<T extends { length: number; [i: number]: unknown }>(items: T): T {
    for (let i = items.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = items[i];
      items[i] = items[j];
      items[j] = t;
    }
    return items;
  }
}

/**
 * Walker/Vose alias table: after O(n) set-up, draws an index with probability proportional to
 * its weight in O(1). The simulator uses it to scatter a cell's low-expression UMIs over genes.
 */
export class AliasTable {
  readonly size: number;
  private readonly accept: Float64Array;
  private readonly alias: Int32Array;
  private readonly items: Int32Array;

  /** `weights[i]` is the weight of `items[i]` (default: item i). */
  constructor(weights: ArrayLike<number>, items?: Int32Array) {
    const n = weights.length;
    this.size = n;
    this.items = items ?? Int32Array.from({ length: n }, (_, i) => i);
    this.accept = new Float64Array(n);
    this.alias = new Int32Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += weights[i];
    if (n === 0 || !(total > 0)) return;
    const scaled = new Float64Array(n);
    const small = new Int32Array(n);
    const large = new Int32Array(n);
    let ns = 0;
    let nl = 0;
    for (let i = 0; i < n; i++) {
      scaled[i] = (weights[i] * n) / total;
      if (scaled[i] < 1) small[ns++] = i;
      else large[nl++] = i;
    }
    while (ns > 0 && nl > 0) {
      const s = small[--ns];
      const l = large[nl - 1];
      this.accept[s] = scaled[s];
      this.alias[s] = l;
      scaled[l] = scaled[l] + scaled[s] - 1;
      if (scaled[l] < 1) {
        nl--;
        small[ns++] = l;
      }
    }
    // whatever remains has probability 1 up to rounding
    while (nl > 0) this.accept[large[--nl]] = 1;
    while (ns > 0) this.accept[small[--ns]] = 1;
  }

  /** One draw: an item index. */
  sample(rng: SeededRandom): number {
    const x = rng.uniform() * this.size;
    const i = x | 0;
    return x - i < this.accept[i] ? this.items[i] : this.items[this.alias[i]];
  }
}
