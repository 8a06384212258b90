/**
 * Part of `npm run bench:unseen`: the split-half ceiling of each cell data set (bench/unseen/ceiling.ts):
 * how much of a single perturbation's change is reproducibly its own beyond the mean change of the
 * other perturbations. Where it is ≈ 0, no form for never-perturbed genes can beat training_mean
 * except by chance, whatever the model; the unseen tables print it beside their results.
 *
 * Reads the expression as stored (devel.h5ad is log1p-normalised; the synthetic set's raw counts
 * are normalised to 10,000 per cell and log1p-transformed as ingest does) and the `condition`
 * column: `control`/`ctrl`, and single perturbations `A` or `A+ctrl`.
 */
import { join, resolve } from 'node:path';
import { conditionGenes } from '@gears-pipeline/core';
import { looksLikeCounts, normalizeCounts, openH5adSource } from '@gears-pipeline/ingest';
import { splitHalfCeiling, type Ceiling, type HalfSums } from './unseen/ceiling.ts';

export const name = 'unseen-ceiling';

const root = resolve(import.meta.dirname, '..');
const CONTROL_NAMES = new Set(['control', 'ctrl']);

async function ceilingOf(file: string, filter: Record<string, string>): Promise<Ceiling> {
  const source = await openH5adSource(file);
  try {
    const G = source.genes.length;
    const condition = source.metadata('condition');
    if (!condition) throw new Error(`${file}: no obs column condition`);
    const columns = Object.fromEntries(Object.keys(filter).map((k) => [k, source.metadata(k)]));
    const kept = (cell: number) => Object.entries(filter).every(([k, v]) => columns[k]?.[cell] === v);
    const control = { n: 0, sum: new Float64Array(G) };
    const singles = new Map<string, HalfSums>();
    let counts: boolean | undefined;
    for await (const block of source.blocks(4096)) {
      counts ??= looksLikeCounts(block.values);
      if (counts) normalizeCounts(block);
      for (let r = 0; r + 1 < block.indptr.length; r++) {
        const cell = block.start + r;
        if (!kept(cell)) continue;
        const c = condition[cell];
        let into: Float64Array;
        if (CONTROL_NAMES.has(c)) {
          control.n++;
          into = control.sum;
        } else {
          if (conditionGenes(c).length !== 1) continue;
          let s = singles.get(c);
          if (!s) singles.set(c, (s = { condition: c, cells: [0, 0], sums: [new Float64Array(G), new Float64Array(G)] }));
          // alternate cells in file order: each half sees the whole recording, not its first or second part
          const h = s.cells[0] + s.cells[1] === 0 || s.cells[0] <= s.cells[1] ? 0 : 1;
          s.cells[h]++;
          into = s.sums[h];
        }
        for (let k = block.indptr[r]; k < block.indptr[r + 1]; k++) into[block.indices[k]] += block.values[k];
      }
    }
    if (control.n === 0) throw new Error(`${file} ${JSON.stringify(filter)}: no control cells`);
    return splitHalfCeiling(Float64Array.from(control.sum, (v) => v / control.n), [...singles.values()].sort((a, b) => a.condition.localeCompare(b.condition)));
  } finally {
    source.close();
  }
}

export async function run(): Promise<Record<string, unknown>> {
  const devel = join(root, 'data/norman2019-devel/devel.h5ad');
  const sets: Record<string, [string, Record<string, string>]> = {
    synthetic: [join(root, 'data/reference-synth/synth_raw.h5ad'), {}],
    'norman-cells': [devel, { dataset: 'norman19' }],
    'mcfaline-A172': [devel, { dataset: 'mcfaline23', cell_type: 'A172' }],
    'mcfaline-T98G': [devel, { dataset: 'mcfaline23', cell_type: 'T98G' }],
    'mcfaline-U87MG': [devel, { dataset: 'mcfaline23', cell_type: 'U87MG' }],
  };
  const datasets: Record<string, Ceiling> = {};
  for (const [key, [file, filter]] of Object.entries(sets)) datasets[key] = await ceilingOf(file, filter);
  return { datasets };
}
