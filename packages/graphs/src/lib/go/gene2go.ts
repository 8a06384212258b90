/**
 * Gene → GO term annotations, read from a TSV table (gene symbol + GO id columns, optionally
 * ontology and evidence) or a GAF 2.x file, plain or gzip-compressed. The reference loads the
 * same information from its downloaded `gene2go_all.pkl` (symbol → set of GO ids).
 */
import { readFileSync, existsSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { GearsInputError } from '@gears-pipeline/core';

export type Ontology = 'BP' | 'CC' | 'MF';
export const ONTOLOGIES: readonly Ontology[] = ['BP', 'CC', 'MF'];

/**
 * A bundled data file: the installed package's own copy (packages/graphs/data, written by `npm run
 * build` and shipped in the tarball), else the repository's data/ (the monorepo runs from src/).
 */
function bundled(name: string): string {
  const own = fileURLToPath(new URL(`../../../data/go/${name}`, import.meta.url));
  return existsSync(own) ? own : fileURLToPath(new URL(`../../../../../data/go/${name}`, import.meta.url));
}

/** The bundled human table (org.Hs.eg.db 3.16 / NCBI gene2go 2022-09-12, all three ontologies). */
export const BUNDLED_HUMAN_GENE2GO = bundled('human_gene2go.tsv.gz');

/** Bundled human gene aliases (entrez_id, symbol, alias), to suggest current symbols for old names. */
export const BUNDLED_HUMAN_GENE_ALIASES = bundled('human_gene_aliases.tsv.gz');
/** Bundled human gene table (entrez_id, symbol, gene_type, chromosome, name). */
export const BUNDLED_HUMAN_GENES = bundled('human_genes.tsv.gz');

export interface Gene2GoOptions {
  /** keep only these ontologies (default: all three, as the reference's UniProt-derived table) */
  ontologies?: readonly Ontology[];
  /** keep only annotations backed by one of these evidence codes (default: any) */
  evidenceCodes?: readonly string[];
}

/** symbol → GO ids (a gene is present only when it keeps at least one term) */
export type Gene2Go = Map<string, Set<string>>;

const SYMBOL_COLUMNS = ['symbol', 'gene_symbol', 'gene', 'gene_name'];
const GO_COLUMNS = ['go_id', 'go', 'go_term', 'goid'];
const GAF_ASPECT: Record<string, Ontology> = { P: 'BP', F: 'MF', C: 'CC' };

/** A text file, gunzipped when it ends in .gz. */
export function readText(path: string): string {
  if (!existsSync(path)) {
    throw new GearsInputError({ file: path, field: '(file)', problem: 'does not exist', fix: 'pass --gene2go <tsv|gaf> with an existing file, or omit it to use the bundled human table' });
  }
  const raw = readFileSync(path);
  const gz = raw.length > 2 && raw[0] === 0x1f && raw[1] === 0x8b;
  return (gz ? gunzipSync(raw) : raw).toString('utf8');
}

/** True for GAF content: `!gaf-version` header or 15+ tab-separated columns with a GO id in column 5. */
function looksLikeGaf(text: string): boolean {
  if (text.startsWith('!gaf-version')) return true;
  const first = text.split('\n').find((l) => l.length > 0 && !l.startsWith('!'));
  if (!first) return false;
  const cols = first.split('\t');
  return cols.length >= 15 && /^GO:\d+$/.test(cols[4] ?? '');
}

/**
 * Reads a gene → GO table. TSV: a header naming a symbol column (`symbol`, `gene_symbol`, …) and
 * a GO id column (`go_id`, …); optional `ontology` (BP/CC/MF) and `evidence` (comma-joined codes).
 * GAF 2.x: symbol = column 3, qualifier = 4 (`NOT` annotations are skipped), GO id = 5,
 * evidence = 7, aspect = 9.
 */
export function readGene2Go(path: string, opts: Gene2GoOptions = {}): Gene2Go {
  const text = readText(path);
  const ontologies = new Set(opts.ontologies ?? ONTOLOGIES);
  for (const o of ontologies) {
    if (!ONTOLOGIES.includes(o)) {
      throw new GearsInputError({ file: path, field: 'ontology', problem: `unknown ontology '${o}'`, fix: 'use BP, CC and/or MF' });
    }
  }
  const evidence = opts.evidenceCodes ? new Set(opts.evidenceCodes.map((e) => e.trim().toUpperCase())) : undefined;
  const out: Gene2Go = new Map();
  const add = (symbol: string, go: string) => {
    let s = out.get(symbol);
    if (!s) out.set(symbol, (s = new Set()));
    s.add(go);
  };
  const evidenceOk = (codes: string) => !evidence || codes.split(',').some((c) => evidence.has(c.trim().toUpperCase()));
  const lines = text.split('\n');
  if (looksLikeGaf(text)) {
    for (const line of lines) {
      if (line.length === 0 || line.startsWith('!')) continue;
      const c = line.split('\t');
      if (c.length < 9) continue;
      if (/(^|\|)NOT(\||$)/.test(c[3] ?? '')) continue;
      const ont = GAF_ASPECT[c[8]];
      if (!ont || !ontologies.has(ont) || !evidenceOk(c[6] ?? '')) continue;
      if (c[2] && c[4]) add(c[2], c[4]);
    }
    return out;
  }
  const header = (lines[0] ?? '').replace(/\r$/, '').split('\t').map((h) => h.trim().toLowerCase());
  const symbolCol = header.findIndex((h) => SYMBOL_COLUMNS.includes(h));
  const goCol = header.findIndex((h) => GO_COLUMNS.includes(h));
  if (symbolCol < 0 || goCol < 0) {
    throw new GearsInputError({
      file: path,
      field: symbolCol < 0 ? 'symbol' : 'go_id',
      problem: `the header (${header.join(', ')}) has no ${symbolCol < 0 ? 'gene symbol' : 'GO id'} column`,
      fix: `name the columns one of ${SYMBOL_COLUMNS.join('/')} and ${GO_COLUMNS.join('/')} (tab-separated), or pass a GAF 2.x file`,
    });
  }
  const ontCol = header.indexOf('ontology');
  const evCol = header.indexOf('evidence');
  if (evidence && evCol < 0) {
    throw new GearsInputError({ file: path, field: 'evidence', problem: 'evidence codes were requested but the table has no evidence column', fix: 'drop --evidence, or add an `evidence` column' });
  }
  for (let i = 1; i < lines.length; i++) {
    const line = lines[i].replace(/\r$/, '');
    if (line.length === 0) continue;
    const c = line.split('\t');
    const symbol = c[symbolCol]?.trim();
    const go = c[goCol]?.trim();
    if (!symbol || !go) continue;
    if (ontCol >= 0 && !ontologies.has(c[ontCol]?.trim() as Ontology)) continue;
    if (evCol >= 0 && !evidenceOk(c[evCol] ?? '')) continue;
    add(symbol, go);
  }
  if (out.size === 0) {
    throw new GearsInputError({ file: path, field: 'go_id', problem: 'no annotations left after filtering', fix: 'check the ontology / evidence filters and the file content' });
  }
  return out;
}
