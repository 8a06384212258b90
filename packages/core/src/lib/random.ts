/**
 * mulberry32: a small seeded pseudo-random generator returning floats in [0, 1). Shared by the
 * stages (batch order, pairing, Theil–Sen subsampling), tests and benchmarks so that "seeded" means
 * the same stream everywhere. Not for cryptography; NumPy-compatible draws live in graphs.
 *
 * @example
 * const rand = mulberry32(1);
 * rand(); // the same value for seed 1 on every run
 */
export function mulberry32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
