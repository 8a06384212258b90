/**
 * Gene names as AnnData would keep them: duplicates made unique the way `var_names_make_unique`
 * does (the first keeps its name, later ones get `-1`, `-2`, … skipping names already taken), with
 * a warning and a record for the manifest; a perturbed gene whose name is duplicated is refused,
 * since its perturbation cannot be tied to one of the columns. Names differing only in case are
 * reported.
 */
import { GearsInputError, type Logger } from '@gears-pipeline/core';

export interface RenamedGene {
  /** 0-based position in var / features */
  position: number;
  from: string;
  to: string;
}

/** `var_names_make_unique`: returns the unique names and what was renamed. */
export function makeGeneNamesUnique(genes: readonly string[]): { genes: string[]; renamed: RenamedGene[] } {
  const count = new Map<string, number>();
  for (const g of genes) count.set(g, (count.get(g) ?? 0) + 1);
  if (count.size === genes.length) return { genes: [...genes], renamed: [] };
  const taken = new Set(genes);
  const next = new Map<string, number>();
  const seen = new Set<string>();
  const renamed: RenamedGene[] = [];
  const out = genes.map((g, position) => {
    if (!seen.has(g)) {
      seen.add(g);
      return g;
    }
    let k = next.get(g) ?? 1;
    while (taken.has(`${g}-${k}`)) k++;
    const to = `${g}-${k}`;
    next.set(g, k + 1);
    taken.add(to);
    renamed.push({ position, from: g, to });
    return to;
  });
  return { genes: out, renamed };
}

/**
 * Checks the gene names of a source: duplicates renamed (warned), a perturbed gene among the
 * duplicates refused, case-only differences reported. `perturbed` are the genes of the conditions.
 */
export function checkGeneNames(file: string, field: string, genes: readonly string[], perturbed: ReadonlySet<string>, log: Logger): { genes: string[]; renamed: RenamedGene[] } {
  const u = makeGeneNamesUnique(genes);
  if (u.renamed.length > 0) {
    const dupNames = [...new Set(u.renamed.map((r) => r.from))];
    const ambiguous = dupNames.filter((g) => perturbed.has(g));
    if (ambiguous.length > 0) {
      const g = ambiguous[0];
      const at = genes.flatMap((x, i) => (x === g ? [i] : []));
      throw new GearsInputError({
        file,
        field,
        problem: `perturbed gene ${g} names ${at.length} genes (positions ${at.join(', ')})${ambiguous.length > 1 ? `, and so do ${ambiguous.slice(1, 6).join(', ')}` : ''}: its perturbation cannot be tied to one of them`,
        fix: 'use unique gene names (e.g. --gene-column id for the Ensembl ids, or remove the duplicate genes)',
      });
    }
    log.warn('ingest.duplicate_gene_names', { file, field, duplicated: dupNames.slice(0, 20), renamed: u.renamed.length, examples: u.renamed.slice(0, 5).map((r) => `${r.from} → ${r.to}`), note: 'made unique as anndata var_names_make_unique does (-1, -2 suffixes); recorded in the manifest' });
  }
  const lower = new Map<string, string[]>();
  for (const g of u.genes) {
    const k = g.toLowerCase();
    const v = lower.get(k);
    if (v) v.push(g);
    else lower.set(k, [g]);
  }
  const clashes = [...lower.values()].filter((v) => v.length > 1);
  if (clashes.length > 0) {
    log.warn('ingest.gene_names_case', { file, field, genes: clashes.slice(0, 20).map((v) => v.join(' / ')), count: clashes.length, note: 'gene names that differ only in case are kept as different genes' });
  }
  return u;
}
