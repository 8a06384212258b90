/**
 * The reference's non-simulation splits (`get_split_list`): `single`, `combo_seen0/1/2` and
 * `no_test`. Like the reference they draw held-out genes (or combinations) **with replacement**
 * from the legacy NumPy stream, so a draw can repeat and the held-out set can be smaller than
 * the requested fraction; this keeps seed-for-seed compatibility.
 */
import { LegacyRandomState } from './legacy-random.ts';
import { countGenesIn, genesOf, isCombo, isSingle, perturbationGenes, perturbationsWithGenes, truncatedCount } from './perturbations.ts';

export type HeldOutKind = 'single' | 'combo_seen0' | 'combo_seen1' | 'combo_seen2' | 'no_test';

export interface HeldOutPart {
  train: string[];
  heldOut: string[];
  /** combinations removed from training because they contain a held-out gene (in no set) */
  discarded: string[];
}

/** One `get_split_list` call; `rng` continues the stream seeded once by the caller. */
export function heldOutPass(
  perturbations: readonly string[],
  kind: HeldOutKind,
  fraction: number,
  rng: LegacyRandomState,
  withReplacement = true,
): HeldOutPart {
  // the reference draws with replacement; without it, the held-out set has exactly the requested size
  const draw = (n: number, k: number) => (withReplacement ? rng.randint(n, k) : rng.choiceWithoutReplacement(n, Math.min(n, k)));
  const singles = perturbations.filter(isSingle);
  const combos = perturbations.filter(isCombo);
  const genes = genesOf(perturbations);
  // the reference always draws the held-out genes first, even where it then ignores them
  const geneDraw = draw(genes.length, truncatedCount(singles.length, fraction));
  const testGenes = new Set(Array.from(geneDraw, (i) => genes[i]));
  let heldOut: string[];
  let discarded: string[] = [];
  if (kind === 'single') {
    heldOut = perturbationsWithGenes(testGenes, perturbations, 'single');
    discarded = perturbationsWithGenes(testGenes, perturbations, 'combo');
  } else if (kind === 'combo_seen0' || kind === 'combo_seen1') {
    const singleT = perturbationsWithGenes(testGenes, perturbations, 'single');
    const comboT = perturbationsWithGenes(testGenes, perturbations, 'combo');
    // seen0 keeps only combinations made entirely of held-out genes; seen1 keeps those with at
    // most one gene outside them (every two-gene combination containing a held-out gene)
    const maxSeen = kind === 'combo_seen0' ? 0 : 1;
    discarded = comboT.filter((p) => perturbationGenes(p).length - countGenesIn(p, testGenes) > maxSeen);
    const drop = new Set(discarded);
    heldOut = [...singleT, ...comboT.filter((p) => !drop.has(p))];
  } else {
    // combo_seen2 and no_test: random combinations, with replacement
    const comboDraw = draw(combos.length, truncatedCount(combos.length, fraction));
    heldOut = Array.from(comboDraw, (i) => combos[i]);
  }
  const out = new Set([...heldOut, ...discarded]);
  return {
    train: perturbations.filter((p) => !out.has(p)),
    heldOut: [...new Set(heldOut)],
    discarded,
  };
}
