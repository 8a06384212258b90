/**
 * GI type calls and precision@k (reference §7; thresholds from GEARS_misc).
 * Each GI type has a score, a rule that calls it from one set of scores ("accuracy rule"), a
 * stricter rule on the observed scores that defines the true set for precision@k, and the
 * direction in which predicted scores are ranked.
 */
import type { GiScores } from './scores.ts';

export interface GiTypeRule {
  type: string;
  score: keyof GiScores | 'mag_minus_1_abs';
  /** call from a set of scores (accuracy rule) */
  call: (s: GiScores) => boolean;
  /** true set for precision@k, on observed scores */
  truth: (s: GiScores) => boolean;
  /** rank predictions: 'high' = k highest first, 'low' = k lowest first */
  rank: 'high' | 'low';
}

export const GI_TYPES: GiTypeRule[] = [
  { type: 'synergy', score: 'mag', call: (s) => s.mag > 1, truth: (s) => s.mag > 1.15, rank: 'high' },
  { type: 'suppressor', score: 'mag', call: (s) => s.mag < 1, truth: (s) => s.mag < 1.0, rank: 'low' },
  { type: 'neomorphic', score: 'corr_fit', call: (s) => s.corr_fit < 0.85, truth: (s) => s.corr_fit < 0.88, rank: 'low' },
  { type: 'redundant', score: 'dcor', call: (s) => s.dcor > 0.8, truth: (s) => s.dcor > 0.85, rank: 'high' },
  { type: 'epistasis', score: 'eq_contr', call: (s) => s.dominance > 0.25, truth: (s) => s.eq_contr < 0.28, rank: 'low' },
  { type: 'additive', score: 'mag_minus_1_abs', call: (s) => Math.abs(s.mag - 1) <= 0.3, truth: (s) => Math.abs(s.mag - 1) < 0.25, rank: 'low' },
];

export const PRECISION_K = 10;

function scoreOf(rule: GiTypeRule, s: GiScores): number {
  return rule.score === 'mag_minus_1_abs' ? Math.abs(s.mag - 1) : s[rule.score];
}

/**
 * One call per GI type (accuracy rules): true/false, or null for every type when the fit itself
 * failed (mag undefined) — one boolean column per type in gi.parquet. A NaN dominance (c1/c2 < 0)
 * is "not epistatic", as in the reference, where comparisons with NaN are false.
 */
export function giTypeFlags(s: GiScores): Record<string, boolean | null> {
  const out: Record<string, boolean | null> = {};
  for (const r of GI_TYPES) out[r.type] = Number.isFinite(s.mag) ? r.call(s) : null;
  return out;
}

/** The GI types a set of scores calls (accuracy rules), joined by ';' ('' when none). */
export function giTypeCalls(s: GiScores): string {
  return GI_TYPES.filter((r) => r.call(s)).map((r) => r.type).join(';');
}

/**
 * precision@k per GI type: |top-k predicted ∩ observed true set| / k, over the combinations
 * scored by both. Predictions with a NaN score rank last. With fewer than k combinations, k is
 * the number of combinations (reported as `k`), so a tiny test set still gives a share.
 * Ties keep the combinations' name order (the reference shuffles with random_state 0 first).
 */
export function precisionAtK(
  observed: Map<string, GiScores>,
  predicted: Map<string, GiScores>,
  k = PRECISION_K,
): { type: string; precision: number; k: number; nTrue: number; nCombinations: number }[] {
  const names = [...predicted.keys()].filter((n) => observed.has(n)).sort();
  return GI_TYPES.map((rule) => {
    const kk = Math.min(k, names.length);
    const trueSet = new Set(names.filter((n) => rule.truth(observed.get(n)!)));
    if (kk === 0) return { type: rule.type, precision: NaN, k: 0, nTrue: trueSet.size, nCombinations: 0 };
    const key = (n: string) => {
      const v = scoreOf(rule, predicted.get(n)!);
      return Number.isFinite(v) ? (rule.rank === 'high' ? -v : v) : Infinity;
    };
    const ranked = [...names].sort((a, b) => key(a) - key(b) || (a < b ? -1 : 1));
    const hits = ranked.slice(0, kk).filter((n) => trueSet.has(n)).length;
    return { type: rule.type, precision: hits / kk, k: kk, nTrue: trueSet.size, nCombinations: names.length };
  });
}
