/**
 * Test helper (not exported): a small seeded dense data set with control, singles and doubles,
 * built the way Perturb-seq log data looks (non-negative, many zeros, a few DE genes per
 * perturbation), returned both as cells (for independent checks) and as DatasetStats.
 */
import type { SplitAssignment } from '@gears-pipeline/core';
import { mulberry32 } from '@gears-pipeline/core';
import { statsFromDense, type DenseCondition } from './dense-stats.ts';

export const TOY_GENES = Array.from({ length: 60 }, (_, g) => `G${String(g).padStart(2, '0')}`);

/** gene → indices of genes it changes and by how much */
function effects(gene: string): Map<number, number> {
  const k = TOY_GENES.indexOf(gene);
  const m = new Map<number, number>();
  for (let j = 0; j < 6; j++) m.set((k * 7 + j * 3) % TOY_GENES.length, (j % 2 === 0 ? 1 : -0.8) * (1 + (k % 3) * 0.3));
  m.set(k, 2);
  return m;
}

export function toyConditions(seed = 7, cellsPer = 30): DenseCondition[] {
  const rand = mulberry32(seed);
  const names = ['ctrl', 'G01+ctrl', 'G02+ctrl', 'G03+ctrl', 'G04+ctrl', 'G05+ctrl', 'G06+ctrl', 'G01+G02', 'G03+G04', 'G05+G06', 'G01+G06'];
  const base = TOY_GENES.map((_, g) => (g % 5 === 0 ? 0 : 0.3 + (g % 7) * 0.25));
  return names.map((name) => {
    const shift = new Float64Array(TOY_GENES.length);
    if (name !== 'ctrl') {
      const genes = name.split('+').filter((s) => s !== 'ctrl');
      for (const gene of genes) for (const [g, d] of effects(gene)) shift[g] += d;
      if (genes.length === 2) for (let g = 0; g < shift.length; g++) shift[g] *= 1.2; // a little synergy
    }
    const n = name === 'ctrl' ? cellsPer * 2 : cellsPer;
    const cells: number[][] = [];
    for (let i = 0; i < n; i++) {
      cells.push(
        base.map((b, g) => {
          const mu = Math.max(0, b + shift[g]);
          if (mu === 0 || rand() < 0.15) return 0;
          return Math.max(0, mu + (rand() - 0.5) * 0.6);
        }),
      );
    }
    return { name, cells };
  });
}

export function toyStats(seed = 7) {
  const conditions = toyConditions(seed);
  return { conditions, stats: statsFromDense(TOY_GENES, conditions) };
}

export const TOY_SPLIT: SplitAssignment[] = [
  { condition: 'ctrl', split: 'train', subgroup: '' },
  { condition: 'G01+ctrl', split: 'train', subgroup: '' },
  { condition: 'G02+ctrl', split: 'train', subgroup: '' },
  { condition: 'G03+ctrl', split: 'train', subgroup: '' },
  { condition: 'G05+ctrl', split: 'train', subgroup: '' },
  { condition: 'G01+G02', split: 'train', subgroup: '' },
  { condition: 'G04+ctrl', split: 'test', subgroup: 'unseen_single' },
  { condition: 'G06+ctrl', split: 'val', subgroup: 'unseen_single' },
  { condition: 'G03+G04', split: 'test', subgroup: 'combo_seen1' },
  { condition: 'G05+G06', split: 'test', subgroup: 'combo_seen1' },
  { condition: 'G01+G06', split: 'test', subgroup: 'combo_seen1' },
];
