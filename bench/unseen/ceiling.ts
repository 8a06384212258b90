/**
 * How much of a single perturbation's change is its own, reproducibly, beyond the mean change of
 * the other perturbations: the ceiling any prediction for a never-perturbed gene can reach on a
 * cell data set, measured from the cells alone (no model, no split).
 *
 * Each single perturbation's cells are split into two halves (alternate cells in file order). With
 * δA, δB the halves' mean changes against the control mean and m the mean change of the *other*
 * singles (as `training_mean` would predict if every other single were trained):
 *
 * - `halfFromOtherHalf`: Pearson(δB, δA), how well the condition's own other half predicts a half:
 *   what a model that knew this perturbation's true effect, measured on as many cells, would reach;
 * - `halfFromMean`: Pearson(m, δA) and Pearson(m, δB) averaged, what the mean of the others reaches;
 * - `residualSplitHalf`: Pearson(δA − m, δB − m), the reproducibility of the part a model for an
 *   unseen gene must add to the mean (≈ 0: that part is noise at this number of cells, and no form
 *   can beat the mean except by chance); `residualReliability` its Spearman–Brown value for all
 *   the cells, 2r / (1 + r).
 *
 * All three are means over the singles. Format logic only: the reader is in unseen-ceiling.bench.ts.
 */
import { pearson } from '@gears-pipeline/evaluate';

/** Per-gene sums of the expression of one condition's cells, split into two halves. */
export interface HalfSums {
  condition: string;
  /** per half: number of cells and per-gene sum */
  cells: [number, number];
  sums: [Float64Array, Float64Array];
}

export interface Ceiling {
  singles: number;
  cellsPerSingle: number;
  halfFromOtherHalf: number;
  halfFromMean: number;
  residualSplitHalf: number;
  residualReliability: number;
  perCondition: { condition: string; halfFromOtherHalf: number; halfFromMean: number; residualSplitHalf: number }[];
}

/**
 * @param control per-gene mean of the control cells
 * @param singles half sums of every single perturbation (at least two, each with cells in both halves)
 *
 * @example
 * const c = splitHalfCeiling(controlMean, halves);
 * console.log(c.halfFromOtherHalf > c.halfFromMean ? 'a gene-specific model can win here' : 'the mean is the ceiling');
 */
export function splitHalfCeiling(control: ArrayLike<number>, singles: readonly HalfSums[]): Ceiling {
  if (singles.length < 2) throw new Error(`the ceiling needs at least two single perturbations (got ${singles.length})`);
  const G = control.length;
  const half = (s: HalfSums, h: 0 | 1) => {
    if (s.cells[h] === 0) throw new Error(`condition ${s.condition} has no cell in half ${h + 1}`);
    return Float64Array.from(s.sums[h], (v, g) => v / s.cells[h] - control[g]);
  };
  const whole = singles.map((s) => Float64Array.from({ length: G }, (_, g) => (s.sums[0][g] + s.sums[1][g]) / (s.cells[0] + s.cells[1]) - control[g]));
  const total = new Float64Array(G);
  for (const d of whole) for (let g = 0; g < G; g++) total[g] += d[g];
  const perCondition = singles.map((s, i) => {
    const a = half(s, 0);
    const b = half(s, 1);
    // the mean of the other singles: leave this one out
    const m = Float64Array.from(total, (t, g) => (t - whole[i][g]) / (singles.length - 1));
    return {
      condition: s.condition,
      halfFromOtherHalf: pearson(b, a),
      halfFromMean: (pearson(m, a) + pearson(m, b)) / 2,
      residualSplitHalf: pearson(a.map((v, g) => v - m[g]), b.map((v, g) => v - m[g])),
    };
  });
  const mean = (f: (x: (typeof perCondition)[number]) => number) => perCondition.reduce((s, x) => s + f(x), 0) / perCondition.length;
  const r = mean((x) => x.residualSplitHalf);
  return {
    singles: singles.length,
    cellsPerSingle: singles.reduce((s, x) => s + x.cells[0] + x.cells[1], 0) / singles.length,
    halfFromOtherHalf: mean((x) => x.halfFromOtherHalf),
    halfFromMean: mean((x) => x.halfFromMean),
    residualSplitHalf: r,
    residualReliability: r > -1 ? (2 * r) / (1 + r) : -1,
    perCondition,
  };
}
