import { mulberry32 } from '@gears-pipeline/core';

/**
 * A small seeded pseudo-random generator (mulberry32) so initialisation, batch order and cell
 * pairing are reproducible for a given seed, independent of tfjs' global random state.
 */
export class Rng {
  private readonly draw: () => number;
  private spare: number | null = null;
  constructor(seed: number) {
    this.draw = mulberry32(seed);
  }
  /** uniform in [0, 1) */
  next(): number {
    return this.draw();
  }
  /** uniform in [lo, hi) */
  uniform(lo: number, hi: number): number {
    return lo + (hi - lo) * this.next();
  }
  /** integer in [0, n) */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** standard normal (Box–Muller, caching the second value) */
  normal(): number {
    if (this.spare !== null) {
      const s = this.spare;
      this.spare = null;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.next();
    const v = this.next();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  /** Fisher–Yates shuffle in place */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}
