/**
 * Test/measurement helper (not exported): the Norman 2019 GI check. Computes our GI scores
 * from the whole-screen pseudobulk log fold-changes (data/norman2019-pseudobulk/lfc.tsv.gz; δ = LFC vs control)
 * for every double whose two singles were measured, and joins them with Norman et al.'s own
 * fits (data/gi/norman_regr_fits_final.tsv.gz, `name` = A_B in either order).
 */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { giScores, type GiScores } from '../gi/scores.ts';
import { spearman } from '../metrics/vector.ts';

export interface NormanGiComparison {
  nDoubles: number;
  nMatched: number;
  nGenes: number;
  spearman: { mag_vs_ts_norm: number; dcor: number; corr_fit: number; dcor_singles: number; eq_contr_vs_dcor_ratio: number };
  ours: Map<string, GiScores>;
}

function readTsvGz(path: string): { header: string[]; rows: string[][] } {
  const lines = gunzipSync(readFileSync(path)).toString('utf8').split('\n').filter((l) => l.length > 0);
  return { header: lines[0].split('\t'), rows: lines.slice(1).map((l) => l.split('\t')) };
}

export function compareWithNormanFits(dataDir: string, opts: { geneSet?: 'hi_mean' | 'all'; limit?: number; lfcPath?: string } = {}): NormanGiComparison {
  // the pseudobulk table is bundled once, as the ingest example data, beside data/gi
  const lfc = readTsvGz(opts.lfcPath ?? `${dataDir}/../norman2019-pseudobulk/lfc.tsv.gz`);
  const fits = readTsvGz(`${dataDir}/norman_regr_fits_final.tsv.gz`);
  const genes = lfc.header.slice(5);
  let keep = genes.map((_, g) => g);
  if ((opts.geneSet ?? 'hi_mean') === 'hi_mean') {
    const hi = new Set(readFileSync(`${dataDir}/gears_gi_genes_with_hi_mean.txt`, 'utf8').split('\n').map((s) => s.trim()));
    keep = keep.filter((g) => hi.has(genes[g]));
  }
  const vec = new Map<string, Float64Array>();
  for (const r of lfc.rows) vec.set(r[0], Float64Array.from(keep, (g) => Number(r[5 + g])));
  let doubles = lfc.rows.filter((r) => r[1] === 'double' && r[4] === '1');
  if (opts.limit) doubles = doubles.slice(0, opts.limit);
  const col = (name: string) => fits.header.indexOf(name);
  const fitByPair = new Map<string, { row: string[]; first: string }>();
  for (const r of fits.rows) {
    const [a, b] = r[col('name')].split('_');
    fitByPair.set([a, b].sort().join('|'), { row: r, first: a });
  }
  const ours = new Map<string, GiScores>();
  const pairs: { o: GiScores; f: string[] }[] = [];
  for (const r of doubles) {
    const [cond, , a, b] = r;
    const s = giScores(vec.get(`${a}+ctrl`)!, vec.get(`${b}+ctrl`)!, vec.get(cond)!);
    ours.set(cond, s);
    const f = fitByPair.get([a, b].sort().join('|'));
    if (f) pairs.push({ o: s, f: f.row });
  }
  const num = (row: string[], name: string) => Number(row[col(name)]);
  const sp = (ourVals: number[], theirs: number[]) => spearman(ourVals, theirs);
  return {
    nDoubles: doubles.length,
    nMatched: pairs.length,
    nGenes: keep.length,
    spearman: {
      mag_vs_ts_norm: sp(pairs.map((p) => p.o.mag), pairs.map((p) => num(p.f, 'ts_norm'))),
      dcor: sp(pairs.map((p) => p.o.dcor), pairs.map((p) => num(p.f, 'dcor'))),
      corr_fit: sp(pairs.map((p) => p.o.corr_fit), pairs.map((p) => num(p.f, 'corr_fit'))),
      dcor_singles: sp(pairs.map((p) => p.o.dcor_singles), pairs.map((p) => num(p.f, 'dcor_singles'))),
      eq_contr_vs_dcor_ratio: sp(
        pairs.map((p) => p.o.eq_contr),
        pairs.map((p) => Math.min(num(p.f, 'dcor_first'), num(p.f, 'dcor_second')) / Math.max(num(p.f, 'dcor_first'), num(p.f, 'dcor_second'))),
      ),
    },
    ours,
  };
}
