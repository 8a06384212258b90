/**
 * NumPy's legacy global random state (`np.random.seed` + `np.random.choice` / `randint` /
 * `permutation`), reimplemented from its documented algorithms so that a split drawn here with
 * seed s is the split the reference GEARS draws with seed s.
 *
 * Facts this relies on (NumPy guarantees `RandomState` reproduces NumPy 1.16):
 * - `seed(s)` with a 32-bit integer is MT19937 `init_genrand(s)` (Knuth's multiplier 1812433253).
 * - A bounded integer in [0, max] ("interval") draws 32-bit outputs (64-bit once max exceeds
 *   2^32−1), masks them with the smallest all-ones mask ≥ max and rejects values above max.
 * - `permutation(n)` shuffles 0..n−1 with Fisher–Yates from the end: for i = n−1 down to 1,
 *   j = interval(i), swap positions i and j.
 * - `choice(n, k, replace=False)` is `permutation(n)[:k]`; `choice(n, k, replace=True)` and
 *   `randint(0, n, k)` draw k masked-rejection integers in [0, n−1].
 */

const N = 624;
const M = 397;
const MATRIX_A = 0x9908b0df;
const UPPER_MASK = 0x80000000;
const LOWER_MASK = 0x7fffffff;

/** Mersenne Twister MT19937 with NumPy's legacy seeding and bounded-integer draws. */
export class LegacyRandomState {
  private readonly mt = new Uint32Array(N);
  private index = N;

  constructor(seed = 0) {
    this.seed(seed);
  }

  /** `np.random.seed(seed)` for an integer seed in [0, 2^32). */
  seed(seed: number): void {
    if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
      throw new RangeError(`seed must be an integer between 0 and 2**32 - 1, got ${seed}`);
    }
    const mt = this.mt;
    mt[0] = seed >>> 0;
    for (let i = 1; i < N; i++) {
      const prev = mt[i - 1] ^ (mt[i - 1] >>> 30);
      // 1812433253 * prev + i mod 2^32 (Math.imul keeps the low 32 bits exactly)
      mt[i] = (Math.imul(1812433253, prev) + i) >>> 0;
    }
    this.index = N;
  }

  /** Next 32-bit output (genrand_int32). */
  nextUint32(): number {
    const mt = this.mt;
    if (this.index >= N) {
      for (let k = 0; k < N; k++) {
        const y = (mt[k] & UPPER_MASK) | (mt[(k + 1) % N] & LOWER_MASK);
        mt[k] = mt[(k + M) % N] ^ (y >>> 1) ^ (y & 1 ? MATRIX_A : 0);
      }
      this.index = 0;
    }
    let y = mt[this.index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    y ^= y >>> 18;
    return y >>> 0;
  }

  /** Uniform integer in [0, max] by masked rejection (NumPy legacy `interval`). */
  interval(max: number): number {
    if (max === 0) return 0;
    if (max > 0xffffffff) {
      throw new RangeError('populations above 2^32 are not supported');
    }
    let mask = max;
    mask |= mask >>> 1;
    mask |= mask >>> 2;
    mask |= mask >>> 4;
    mask |= mask >>> 8;
    mask |= mask >>> 16;
    mask >>>= 0;
    let value: number;
    do {
      value = (this.nextUint32() & mask) >>> 0;
    } while (value > max);
    return value;
  }

  /** `permutation(n)`: a shuffled 0..n−1. */
  permutation(n: number): Int32Array {
    const out = Int32Array.from({ length: n }, (_, i) => i);
    for (let i = n - 1; i >= 1; i--) {
      const j = this.interval(i);
      const t = out[i];
      out[i] = out[j];
      out[j] = t;
    }
    return out;
  }

  /** `choice(n, size, replace=False)`: positions of `size` distinct draws from 0..n−1. */
  choiceWithoutReplacement(n: number, size: number): Int32Array {
    if (size > n) {
      throw new RangeError(`cannot take a larger sample (${size}) than the population (${n}) without replacement`);
    }
    return this.permutation(n).slice(0, size);
  }

  /** `randint(0, n, size)` / `choice(n, size, replace=True)`. */
  randint(n: number, size: number): Int32Array {
    if (n <= 0 && size > 0) throw new RangeError('cannot draw from an empty population');
    const out = new Int32Array(size);
    for (let i = 0; i < size; i++) out[i] = this.interval(n - 1);
    return out;
  }
}
