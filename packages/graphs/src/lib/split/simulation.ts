/**
 * The reference's "simulation" split (`get_simulation_split`) and its single-perturbation
 * variant, drawing with NumPy's legacy random state so the same seed gives the same split.
 */
import { LegacyRandomState } from './legacy-random.ts';
import {
  codePointCompare,
  countGenesIn,
  genesOf,
  isCombo,
  isSingle,
  perturbationsWithGenes,
  sortedUnique,
  truncatedCount,
} from './perturbations.ts';

export interface SimulationSubgroups {
  combo_seen0: string[];
  combo_seen1: string[];
  combo_seen2: string[];
  unseen_single: string[];
}

export interface SimulationPart {
  train: string[];
  test: string[];
  subgroups: SimulationSubgroups;
}

/**
 * One pass of the simulation split: a fraction of the perturbed genes is "seen"; singles of
 * seen genes and a fraction of the combinations whose genes are both seen are training
 * perturbations; everything else is held out, labelled by how many of its genes were seen.
 */
export function simulationPass(
  perturbations: readonly string[],
  trainGeneFraction: number,
  comboSeen2TrainFraction: number,
  seed: number,
  rng: LegacyRandomState,
): SimulationPart {
  const genes = genesOf(perturbations);
  rng.seed(seed);
  const drawn = rng.choiceWithoutReplacement(genes.length, truncatedCount(genes.length, trainGeneFraction));
  const trainGenes = new Set(Array.from(drawn, (i) => genes[i]));
  const oodGenes = new Set(genes.filter((g) => !trainGenes.has(g)));

  const singleTrain = perturbationsWithGenes(trainGenes, perturbations, 'single');
  const combosWithSeen = perturbationsWithGenes(trainGenes, perturbations, 'combo');
  const comboSeen1 = combosWithSeen.filter((p) => countGenesIn(p, trainGenes) === 1);
  const seen1Set = new Set(comboSeen1);
  // np.setdiff1d sorts and de-duplicates
  const bothSeen = sortedUnique(combosWithSeen.filter((p) => !seen1Set.has(p)));
  rng.seed(seed);
  const chosen = rng.choiceWithoutReplacement(bothSeen.length, truncatedCount(bothSeen.length, comboSeen2TrainFraction));
  const comboTrain = Array.from(chosen, (i) => bothSeen[i]);
  const comboTrainSet = new Set(comboTrain);
  const comboSeen2 = bothSeen.filter((p) => !comboTrainSet.has(p)).sort(codePointCompare);

  const unseenSingle = perturbationsWithGenes(oodGenes, perturbations, 'single');
  const comboOod = perturbationsWithGenes(oodGenes, perturbations, 'combo');
  const comboSeen0 = comboOod.filter((p) => countGenesIn(p, trainGenes) === 0);

  return {
    train: [...singleTrain, ...comboTrain],
    test: [...comboSeen1, ...comboSeen2, ...unseenSingle, ...comboSeen0],
    subgroups: { combo_seen0: comboSeen0, combo_seen1: comboSeen1, combo_seen2: comboSeen2, unseen_single: unseenSingle },
  };
}

/**
 * Single-perturbation simulation pass (`get_simulation_split_single`): seen genes' singles
 * train, the others' singles are `unseen_single`. Only singles take part (the reference asserts
 * there are no combinations); genes are drawn from the singles.
 */
export function simulationSinglePass(
  perturbations: readonly string[],
  trainGeneFraction: number,
  seed: number,
  rng: LegacyRandomState,
): SimulationPart {
  const singles = perturbations.filter(isSingle);
  const genes = genesOf(singles);
  rng.seed(seed);
  const drawn = rng.choiceWithoutReplacement(genes.length, truncatedCount(genes.length, trainGeneFraction));
  const trainGenes = new Set(Array.from(drawn, (i) => genes[i]));
  const oodGenes = new Set(genes.filter((g) => !trainGenes.has(g)));
  const train = perturbationsWithGenes(trainGenes, singles, 'single');
  const unseenSingle = perturbationsWithGenes(oodGenes, singles, 'single');
  return {
    train,
    test: unseenSingle,
    subgroups: { combo_seen0: [], combo_seen1: [], combo_seen2: [], unseen_single: unseenSingle },
  };
}

/** Combinations, which the single-gene simulation split leaves out. */
export function combosOf(perturbations: readonly string[]): string[] {
  return perturbations.filter(isCombo);
}
