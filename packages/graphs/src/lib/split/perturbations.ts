/**
 * Small helpers over the perturbation (condition) list, mirroring how the reference's split
 * code reads condition strings: a single is `A+ctrl`, a combination has no `ctrl` part.
 */
import { CONTROL } from '@gears-pipeline/core';

/** The genes of a condition as written (ctrl parts dropped), in written order. */
export function perturbationGenes(condition: string): string[] {
  return condition.split('+').filter((g) => g !== CONTROL && g.length > 0);
}

/** A single-gene perturbation (`A+ctrl`), not control itself. */
export function isSingle(condition: string): boolean {
  return condition !== CONTROL && perturbationGenes(condition).length === 1;
}

/** A multi-gene perturbation (`A+B`). */
export function isCombo(condition: string): boolean {
  return perturbationGenes(condition).length >= 2;
}

/** Code-point order, the order of Python `sorted` and NumPy `np.unique` on strings. */
export function codePointCompare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorted unique strings (`np.unique`). */
export function sortedUnique(values: Iterable<string>): string[] {
  return [...new Set(values)].sort(codePointCompare);
}

/** Sorted unique genes of all perturbations (`get_genes_from_perts`). */
export function genesOf(perturbations: readonly string[]): string[] {
  return sortedUnique(perturbations.flatMap(perturbationGenes));
}

/**
 * Perturbations of the given kind that contain at least one of `genes`, in list order
 * (`get_perts_from_genes`).
 */
export function perturbationsWithGenes(
  genes: ReadonlySet<string>,
  perturbations: readonly string[],
  kind: 'single' | 'combo' | 'both',
): string[] {
  return perturbations.filter((p) => {
    if (kind === 'single' && !isSingle(p)) return false;
    if (kind === 'combo' && !isCombo(p)) return false;
    if (p === CONTROL) return false;
    return perturbationGenes(p).some((g) => genes.has(g));
  });
}

/** How many of a perturbation's genes are in `genes`. */
export function countGenesIn(condition: string, genes: ReadonlySet<string>): number {
  return perturbationGenes(condition).filter((g) => genes.has(g)).length;
}

/** `int(n * fraction)` as Python computes it (truncation of the float product). */
export function truncatedCount(n: number, fraction: number): number {
  return Math.trunc(n * fraction);
}
