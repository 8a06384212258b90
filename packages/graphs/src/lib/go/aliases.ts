/**
 * Old gene symbols in perturbation screens (Norman 2019 targets C19orf26, C3orf72, ELMSAN1 are
 * CBARP, FOXL2NB and MIDEAS today) have no GO annotation under the old name, so the reference
 * drops every condition that perturbs them. Here a perturbed gene without annotations borrows
 * those of the one current symbol its name is an alias of, and keeps its own name everywhere.
 */
import { GearsInputError } from '@gears-pipeline/core';
import { readText } from './gene2go.ts';
import type { Gene2Go } from './gene2go.ts';

/** alias → current symbols (TSV with `symbol` and `alias` columns, optionally .gz) */
export type AliasTable = Map<string, string[]>;

export function readAliasTable(path: string): AliasTable {
  const lines = readText(path).split('\n');
  const header = (lines[0] ?? '').replace(/\r$/, '').split('\t').map((h) => h.trim().toLowerCase());
  const sym = header.indexOf('symbol');
  const ali = header.indexOf('alias');
  if (sym < 0 || ali < 0) {
    throw new GearsInputError({ file: path, field: sym < 0 ? 'symbol' : 'alias', problem: `the header (${header.join(', ')}) lacks a ${sym < 0 ? 'symbol' : 'alias'} column`, fix: 'give a tab-separated table with columns symbol and alias' });
  }
  const out: AliasTable = new Map();
  for (let i = 1; i < lines.length; i++) {
    const c = lines[i].replace(/\r$/, '').split('\t');
    const alias = c[ali]?.trim();
    const symbol = c[sym]?.trim();
    if (!alias || !symbol) continue;
    const list = out.get(alias);
    if (!list) out.set(alias, [symbol]);
    else if (!list.includes(symbol)) list.push(symbol);
  }
  return out;
}

export interface AliasResolution {
  gene: string;
  symbol: string;
}

/**
 * Gives each gene of `genes` that has no annotation the annotations of the current symbol it is
 * an alias of, when that symbol is unique, annotated, and not itself one of `genes` (two nodes
 * with one meaning would be a duplicate). Mutates `gene2go`; returns what was resolved.
 */
export function annotateByAlias(gene2go: Gene2Go, genes: Iterable<string>, aliases: AliasTable): AliasResolution[] {
  const set = new Set(genes);
  const resolved: AliasResolution[] = [];
  for (const gene of [...set].sort()) {
    if ((gene2go.get(gene)?.size ?? 0) > 0) continue;
    const symbols = (aliases.get(gene) ?? []).filter((s) => (gene2go.get(s)?.size ?? 0) > 0);
    if (symbols.length !== 1 || set.has(symbols[0])) continue;
    gene2go.set(gene, new Set(gene2go.get(symbols[0])));
    resolved.push({ gene, symbol: symbols[0] });
  }
  return resolved;
}
