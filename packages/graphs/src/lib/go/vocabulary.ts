/**
 * The perturbation vocabulary (`pert_names` of the reference, `set_pert_genes` with
 * `default_pert_graph=False`): measured genes plus perturbed genes that have GO annotations,
 * sorted. A condition can only be trained on or predicted when all its genes are in it.
 */
import { CONTROL, conditionGenes } from '@gears-pipeline/core';
import { sortedUnique } from '../split/perturbations.ts';
import type { Gene2Go } from './gene2go.ts';

export interface PerturbationVocabulary {
  /** sorted gene symbols, the GO graph's nodes */
  genes: string[];
  /** gene → position in `genes` */
  index: Map<string, number>;
  /** candidate genes left out because they have no GO annotation */
  unannotated: string[];
}

/**
 * Builds the vocabulary from candidate genes (measured + perturbed, or a user gene list):
 * sorted unique candidates that have a GO annotation.
 */
export function buildVocabulary(candidates: Iterable<string>, gene2go: Gene2Go): PerturbationVocabulary {
  const all = sortedUnique(candidates);
  const genes = all.filter((g) => (gene2go.get(g)?.size ?? 0) > 0);
  const unannotated = all.filter((g) => !((gene2go.get(g)?.size ?? 0) > 0));
  return { genes, index: new Map(genes.map((g, i) => [g, i])), unannotated };
}

export interface ConditionFilter {
  kept: string[];
  /** conditions with a gene outside the vocabulary, and those genes */
  excluded: { condition: string; missingGenes: string[] }[];
}

/**
 * Keeps control and the conditions whose genes are all in the vocabulary (reference
 * `filter_pert_in_go`); the others are returned by name with the genes that are missing.
 */
export function filterConditionsInVocabulary(conditions: readonly string[], vocabulary: PerturbationVocabulary): ConditionFilter {
  const kept: string[] = [];
  const excluded: ConditionFilter['excluded'] = [];
  for (const c of conditions) {
    if (c === CONTROL) {
      kept.push(c);
      continue;
    }
    const missing = conditionGenes(c).filter((g) => !vocabulary.index.has(g));
    if (missing.length === 0) kept.push(c);
    else excluded.push({ condition: c, missingGenes: missing });
  }
  return { kept, excluded };
}
