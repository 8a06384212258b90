import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync, mkdtempSync } from 'node:fs';
import { gunzipSync, gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { GearsInputError } from '@gears-pipeline/core';
import { readGene2Go } from './gene2go.ts';
import { buildVocabulary, filterConditionsInVocabulary } from './vocabulary.ts';
import { buildGoGraph } from './go-graph.ts';

const synth = (f: string) => fileURLToPath(new URL(`../../../../../data/reference-synth/${f}`, import.meta.url));
const gene2go = readGene2Go(synth('gene2go.tsv'));
const forward = JSON.parse(gunzipSync(readFileSync(synth('reference_forward.json.gz'))).toString('utf8'));
// measured genes of the synthetic set + its perturbed genes (NOGOGENE has no annotation)
const vocabulary = buildVocabulary([...forward.gene_names, 'NOGOGENE'], gene2go);

test('vocabulary: sorted annotated candidates; unannotated genes and their conditions reported', () => {
  assert.deepEqual(vocabulary.genes, forward.pert_names);
  assert.deepEqual(vocabulary.unannotated, ['NOGOGENE']);
  const f = filterConditionsInVocabulary(['ctrl', 'GENE001+ctrl', 'NOGOGENE+ctrl', 'GENE001+NOGOGENE'], vocabulary);
  assert.deepEqual(f.kept, ['ctrl', 'GENE001+ctrl']);
  assert.deepEqual(f.excluded.map((e) => e.condition), ['NOGOGENE+ctrl', 'GENE001+NOGOGENE']);
  assert.deepEqual(f.excluded[0].missingGenes, ['NOGOGENE']);
});

test('GO Jaccard edges above 0.1 equal the reference make_GO table, row for row', () => {
  const { allEdges } = buildGoGraph(vocabulary.genes, gene2go, { keepAllEdges: true });
  const rows = gunzipSync(readFileSync(synth('reference_go_jaccard_edges_before_topk.tsv.gz'))).toString('utf8').trim().split('\n').slice(1);
  assert.ok(allEdges);
  assert.equal(allEdges.source.length, rows.length);
  rows.forEach((line, i) => {
    const [s, t, w] = line.split('\t');
    assert.equal(allEdges.nodes[allEdges.source[i]], s, `row ${i} source`);
    assert.equal(allEdges.nodes[allEdges.target[i]], t, `row ${i} target`);
    // the fixture was written by pandas with 16 significant digits
    assert.ok(Math.abs(allEdges.weight[i] - Number(w)) < 1e-15, `row ${i} weight ${allEdges.weight[i]} vs ${w}`);
  });
});

test('top-21 GO graph equals the graph the reference model received', () => {
  const { graph } = buildGoGraph(vocabulary.genes, gene2go);
  const key = (s: number, t: number) => `${s}>${t}`;
  const ref = new Map<string, number>();
  forward.graphs.go.source.forEach((s: number, i: number) => ref.set(key(s, forward.graphs.go.target[i]), forward.graphs.go.weight[i]));
  assert.equal(graph.source.length, ref.size);
  for (let i = 0; i < graph.source.length; i++) {
    const w = ref.get(key(graph.source[i], graph.target[i]));
    assert.ok(w !== undefined, `edge ${graph.source[i]}→${graph.target[i]} not in the reference`);
    assert.equal(Math.fround(graph.weight[i]), w);
  }
  // each target keeps at most 21 incoming edges, its self-loop first
  const perTarget = new Map<number, number>();
  for (const t of graph.target) perTarget.set(t, (perTarget.get(t) ?? 0) + 1);
  assert.ok([...perTarget.values()].every((n) => n <= 21));
});

test('ties at the top-k cut keep the lower source index (pandas nlargest keep=first)', () => {
  // target T shares one term with each of 4 genes equally; with k = 2 (3 edges) the two
  // lowest-index equal neighbours must win
  const g2g = new Map<string, Set<string>>([
    ['A', new Set(['x', 'a'])],
    ['B', new Set(['x', 'b'])],
    ['C', new Set(['x', 'c'])],
    ['T', new Set(['x', 't'])],
    ['D', new Set(['x', 'd'])],
  ]);
  const genes = ['A', 'B', 'C', 'D', 'T'];
  const { graph } = buildGoGraph(genes, g2g, { topK: 2 });
  const intoT = [...graph.target.keys()].filter((i) => graph.target[i] === 4).map((i) => genes[graph.source[i]]);
  assert.deepEqual(intoT, ['T', 'A', 'B']);
});

test('gene2go readers: TSV filters by ontology and evidence; GAF skips NOT; bad headers explained', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gene2go-'));
  const tsv = join(dir, 'g.tsv.gz');
  writeFileSync(tsv, gzipSync('symbol\tentrez_id\tgo_id\tontology\tevidence\nA\t1\tGO:1\tBP\tIDA\nA\t1\tGO:2\tCC\tIEA\nB\t2\tGO:1\tBP\tIEA,TAS\n'));
  assert.deepEqual([...readGene2Go(tsv).get('A')!], ['GO:1', 'GO:2']);
  assert.deepEqual([...readGene2Go(tsv, { ontologies: ['BP'] }).get('A')!], ['GO:1']);
  const ida = readGene2Go(tsv, { evidenceCodes: ['IDA', 'TAS'] });
  assert.deepEqual([...ida.keys()], ['A', 'B']);
  assert.deepEqual([...ida.get('A')!], ['GO:1']);
  const gaf = join(dir, 'g.gaf');
  const row = (sym: string, q: string, go: string, ev: string, aspect: string) =>
    ['UniProtKB', 'P1', sym, q, go, 'PMID:1', ev, '', aspect, 'name', '', 'protein', 'taxon:9606', '20200101', 'UniProt'].join('\t');
  writeFileSync(gaf, ['!gaf-version: 2.2', row('A', 'enables', 'GO:5', 'IDA', 'F'), row('A', 'NOT|enables', 'GO:6', 'IDA', 'F'), row('B', 'involved_in', 'GO:7', 'IEA', 'P')].join('\n') + '\n');
  assert.deepEqual([...readGene2Go(gaf).get('A')!], ['GO:5']);
  assert.equal(readGene2Go(gaf, { ontologies: ['MF'] }).has('B'), false);
  const bad = join(dir, 'bad.tsv');
  writeFileSync(bad, 'name\tterm\nA\tGO:1\n');
  assert.throws(() => readGene2Go(bad), (e: unknown) => e instanceof GearsInputError && /symbol/.test(e.message));
});

test('the bundled human table reads, filters by ontology, and aliases/genes tables are bundled', async () => {
  const { BUNDLED_HUMAN_GENE2GO, BUNDLED_HUMAN_GENE_ALIASES, BUNDLED_HUMAN_GENES } = await import('./gene2go.ts');
  const { existsSync } = await import('node:fs');
  const all = readGene2Go(BUNDLED_HUMAN_GENE2GO);
  const bp = readGene2Go(BUNDLED_HUMAN_GENE2GO, { ontologies: ['BP'] });
  assert.equal(all.size, 20728);
  assert.ok(bp.size < all.size);
  assert.ok(all.get('KLF1')!.size > bp.get('KLF1')!.size);
  assert.ok(existsSync(BUNDLED_HUMAN_GENE_ALIASES) && existsSync(BUNDLED_HUMAN_GENES));
});
