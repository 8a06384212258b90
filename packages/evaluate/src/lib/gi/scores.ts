/**
 * Genetic-interaction scores of a combination A+B (GEARS `get_coeffs`, after Norman et al. 2019):
 * with δ = mean − control mean per gene (over a chosen gene set),
 *   δAB ≈ c1·δA + c2·δB fitted by Theil–Sen without intercept;
 *   mag = √(c1² + c2²); dominance = |log10(c1/c2)| (NaN when c1/c2 < 0);
 *   corr_fit = Pearson(c1·δA + c2·δB, δAB); dcor = dCor([δA δB], δAB);
 *   dcor_singles = dCor(δA, δB); dcor_first = dCor(δA, δAB); dcor_second = dCor(δB, δAB);
 *   eq_contr = min(dcor_first, dcor_second) / max(…).
 */
import { pearson } from '../metrics/vector.ts';
import { giDistanceCorrelations } from './dcor.ts';
import { theilSen2, type TheilSenOptions } from './theil-sen.ts';

export interface GiScores {
  c1: number;
  c2: number;
  mag: number;
  dominance: number;
  corr_fit: number;
  dcor: number;
  dcor_singles: number;
  dcor_first: number;
  dcor_second: number;
  eq_contr: number;
}

export const GI_SCORE_NAMES: (keyof GiScores)[] = ['c1', 'c2', 'mag', 'dominance', 'corr_fit', 'dcor', 'dcor_singles', 'dcor_first', 'dcor_second', 'eq_contr'];

/** Scores from the changes of the two singles and of the combination over the same genes. */
export function giScores(deltaA: ArrayLike<number>, deltaB: ArrayLike<number>, deltaAB: ArrayLike<number>, opts: TheilSenOptions = {}): GiScores {
  const [c1, c2] = theilSen2(deltaA, deltaB, deltaAB, opts);
  const n = deltaAB.length;
  const fit = new Float64Array(n);
  for (let i = 0; i < n; i++) fit[i] = c1 * deltaA[i] + c2 * deltaB[i];
  const [dcor, dcorSingles, dcorFirst, dcorSecond] = giDistanceCorrelations(deltaA, deltaB, deltaAB);
  const ratio = c1 / c2;
  const hi = Math.max(dcorFirst, dcorSecond);
  return {
    c1,
    c2,
    mag: Math.sqrt(c1 * c1 + c2 * c2),
    // numpy semantics: negative ratio → NaN, c2 = 0 → inf, 0/0 → NaN
    dominance: Math.abs(Math.log10(ratio)),
    corr_fit: pearson(fit, deltaAB),
    dcor,
    dcor_singles: dcorSingles,
    dcor_first: dcorFirst,
    dcor_second: dcorSecond,
    eq_contr: hi > 0 ? Math.min(dcorFirst, dcorSecond) / hi : NaN,
  };
}
