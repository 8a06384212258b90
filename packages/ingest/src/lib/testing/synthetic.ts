import { mulberry32 } from '@gears-pipeline/core';

/**
 * Small deterministic Perturb-seq-like data for the ingest tests: raw counts with a control
 * group and a few single / double perturbations that shift some genes.
 */
export interface ToyData {
  nCells: number;
  nGenes: number;
  /** dense row-major counts */
  X: Float32Array;
  cellIds: string[];
  geneIds: string[];
  genes: string[];
  condition: string[];
}

/** A seeded PRNG (core's mulberry32), so tests are reproducible. */
export const rng = mulberry32;

function poisson(r: () => number, lambda: number): number {
  const L = Math.exp(-lambda);
  let k = 0;
  let p = 1;
  do {
    k++;
    p *= r();
  } while (p > L);
  return k - 1;
}

export function toyCounts(opts: { seed?: number; cellsPer?: number; labels?: string[]; nGenes?: number } = {}): ToyData {
  const r = rng(opts.seed ?? 1);
  const labels = opts.labels ?? ['control', 'G0', 'G1', 'G0+G1', 'G2'];
  const cellsPer = opts.cellsPer ?? 30;
  const nGenes = opts.nGenes ?? 12;
  const nCells = labels.length * cellsPer;
  const X = new Float32Array(nCells * nGenes);
  const condition: string[] = [];
  const base = Array.from({ length: nGenes }, (_, g) => 0.2 + (g % 5));
  for (let i = 0; i < nCells; i++) {
    const label = labels[i % labels.length]; // interleaved, so chunks mix conditions
    condition.push(label);
    const hit = new Set(label.split('+').map((s) => Number(s.replace('G', ''))).filter((x) => Number.isInteger(x)));
    for (let g = 0; g < nGenes; g++) {
      let lambda = base[g];
      if (hit.has(g)) lambda *= 0.1; // knock-down of the target
      if (hit.has(g - 3)) lambda *= 3; // a downstream gene goes up
      X[i * nGenes + g] = poisson(r, lambda);
    }
  }
  return {
    nCells,
    nGenes,
    X,
    cellIds: Array.from({ length: nCells }, (_, i) => `cell${String(i).padStart(4, '0')}`),
    geneIds: Array.from({ length: nGenes }, (_, g) => `ENSG${String(g).padStart(5, '0')}`),
    genes: Array.from({ length: nGenes }, (_, g) => `G${g}`),
    condition,
  };
}
