// The DE statistics must match what the reference GEARS (scanpy rank_genes_groups t-test)
// computed on the bundled synthetic data set: full |t| rankings up to ties, the top-20 lists and
// the non-zero / non-dropout gene lists (data/reference-synth/reference_de.tsv.gz).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, mkdtempSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { conditionGeneLists, readDatasetStats } from '@gears-pipeline/core';
import { runIngest } from '../../index.ts';

const repo = resolve(import.meta.dirname, '../../../../..');
const fixture = join(repo, 'data/reference-synth');
/** relative |t| difference below which two genes count as tied in the float32 reference */
const F32_TIES = 5e-5;

interface RefRow {
  condition: string;
  ranking: string[];
  topNonDropout: string[];
  topNonZero: string[];
  nonZero: number[];
  nonDropout: number[];
}

function readReference(): RefRow[] {
  const text = gunzipSync(readFileSync(join(fixture, 'reference_de.tsv.gz'))).toString('utf8');
  const [header, ...lines] = text.trim().split('\n');
  assert.deepEqual(header.split('\t'), ['condition', 'de_rank_all', 'top_non_dropout_de_20', 'top_non_zero_de_20', 'non_zeros_gene_idx', 'non_dropout_gene_idx']);
  const list = (s: string) => (s ? s.split(',') : []);
  return lines.map((l) => {
    const f = l.split('\t');
    return { condition: f[0], ranking: list(f[1]), topNonDropout: list(f[2]), topNonZero: list(f[3]), nonZero: list(f[4]).map(Number), nonDropout: list(f[5]).map(Number) };
  });
}

test('DE rankings and gene lists match the reference GEARS on synth_raw.h5ad', async () => {
  const out = join(mkdtempSync(join(tmpdir(), 'gears-ingest-ref-')), 'dataset');
  await runIngest({ input: join(fixture, 'synth_raw.h5ad'), outDir: out });
  const stats = await readDatasetStats(out);
  const G = stats.genes.length;
  const geneIdx = new Map(stats.genes.map((g, i) => [g.gene, i]));
  const ref = readReference();
  let worst = 0;
  let exactTop = 0;
  let totalTop = 0;
  const ours = new Map(stats.conditions.map((c, i) => [c.name, i]));
  assert.equal(ref.length, stats.conditions.length - 1, 'every non-control condition is in the reference');
  for (const r of ref) {
    const c = ours.get(r.condition);
    assert.ok(c !== undefined, `condition ${r.condition} ingested`);
    const lists = conditionGeneLists(stats, c);
    const absT = (g: number) => Math.abs(stats.t[c * G + g]);
    // rankings equal up to ties: at every position the two genes have the same |t|. scanpy
    // sums float32 data in float32 (its numba mean/variance kernel keeps the data's dtype), so
    // its |t| carry ~1e-5 relative rounding: genes closer than that are ties for the reference.
    assert.equal(r.ranking.length, G);
    for (let i = 0; i < G; i++) {
      const a = absT(geneIdx.get(r.ranking[i])!);
      const b = absT(lists.ranking[i]);
      const tol = F32_TIES * Math.max(a, b) + 1e-9;
      worst = Math.max(worst, Math.abs(a - b) / Math.max(a, b, 1e-12));
      assert.ok(Math.abs(a - b) <= tol, `${r.condition} position ${i}: reference ${r.ranking[i]} |t|=${a}, ours ${stats.genes[lists.ranking[i]].gene} |t|=${b}`);
    }
    assert.deepEqual(lists.nonZero, r.nonZero, `${r.condition} non-zero genes`);
    assert.deepEqual(lists.nonDropout, r.nonDropout, `${r.condition} non-dropout genes`);
    for (const [mine, theirs, what] of [[lists.topNonDropoutDe20, r.topNonDropout, 'top non-dropout DE'], [lists.topNonZeroDe20, r.topNonZero, 'top non-zero DE']] as const) {
      assert.equal(mine.length, theirs.length, `${r.condition} ${what} length`);
      mine.forEach((g, i) => {
        const a = absT(g);
        const b = absT(geneIdx.get(theirs[i])!);
        assert.ok(Math.abs(a - b) <= F32_TIES * Math.max(a, b) + 1e-9, `${r.condition} ${what} position ${i}: ours ${stats.genes[g].gene}, reference ${theirs[i]}`);
      });
      // outside near-ties the gene lists are identical
      const same = mine.filter((g, i) => stats.genes[g].gene === theirs[i]).length;
      exactTop += same;
      totalTop += mine.length;
    }
  }
  assert.ok(exactTop / totalTop > 0.95, `top-20 genes identical at ${exactTop}/${totalTop} positions`);
  console.log(`largest relative |t| difference at equal rank: ${worst.toExponential(2)}; identical top-20 entries ${exactTop}/${totalTop}`);
});
