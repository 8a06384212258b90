/**
 * The GO similarity graph (reference `make_GO` + `get_similarity_network`): Jaccard index of
 * the GO term sets of every pair of vocabulary genes (self included), edges with Jaccard above
 * 0.1, then for each target gene the k+1 = 21 strongest incoming edges.
 *
 * Cost follows shared annotations, not all gene pairs: an inverted index (term → genes) gives,
 * for one gene, the intersection size with every gene it shares a term with. Jaccard is
 * symmetric, so a gene's incoming edges are its own row, and the top-k cut is done row by row
 * with memory O(genes × k).
 *
 * Tie order is the reference's: `make_GO` emits rows ordered by source then target (vocabulary
 * order) and pandas `nlargest(keep='first')` keeps the earlier row among equal weights, i.e. the
 * lower source index.
 */
import type { GeneGraph, Logger } from '@gears-pipeline/core';
import type { Gene2Go } from './gene2go.ts';

export const DEFAULT_GO_THRESHOLD = 0.1;
/** `num_similar_genes_go_graph`; each target keeps k + 1 incoming edges (self included) */
export const DEFAULT_GO_TOP_K = 20;

export interface GoGraphOptions {
  /** keep Jaccard strictly above this (default 0.1) */
  threshold?: number;
  /** neighbours per target besides itself (default 20 → 21 edges) */
  topK?: number;
  /** also return every edge above the threshold (before the top-k cut), ordered as `make_GO` */
  keepAllEdges?: boolean;
  log?: Logger;
}

export interface GoGraphResult {
  graph: GeneGraph;
  /** edges above the threshold before the top-k cut, when `keepAllEdges` */
  allEdges?: GeneGraph;
}

interface Index {
  geneTerms: Int32Array[];
  termGenes: Int32Array[];
}

function invertedIndex(genes: readonly string[], gene2go: Gene2Go): Index {
  const termId = new Map<string, number>();
  const geneTerms: Int32Array[] = [];
  const termLists: number[][] = [];
  genes.forEach((g, gi) => {
    const terms = gene2go.get(g);
    const ids: number[] = [];
    for (const t of terms ?? []) {
      let id = termId.get(t);
      if (id === undefined) {
        id = termLists.length;
        termId.set(t, id);
        termLists.push([]);
      }
      ids.push(id);
      termLists[id].push(gi);
    }
    geneTerms.push(Int32Array.from(ids));
  });
  return { geneTerms, termGenes: termLists.map((l) => Int32Array.from(l)) };
}

/** Bounded best-first list: weight descending, then index ascending. */
class TopK {
  readonly idx: Int32Array;
  readonly w: Float64Array;
  size = 0;
  constructor(readonly k: number) {
    this.idx = new Int32Array(k);
    this.w = new Float64Array(k);
  }
  private better(w: number, i: number, pos: number): boolean {
    return w > this.w[pos] || (w === this.w[pos] && i < this.idx[pos]);
  }
  offer(i: number, w: number): void {
    if (this.size === this.k && !this.better(w, i, this.k - 1)) return;
    let pos = this.size < this.k ? this.size++ : this.k - 1;
    while (pos > 0 && this.better(w, i, pos - 1)) {
      this.idx[pos] = this.idx[pos - 1];
      this.w[pos] = this.w[pos - 1];
      pos--;
    }
    this.idx[pos] = i;
    this.w[pos] = w;
  }
}

/**
 * Builds the GO graph over `genes` (the perturbation vocabulary, in its order). Every gene must
 * have at least one GO term in `gene2go`. Edges are grouped by target in vocabulary order, each
 * group by weight descending (the reference's `groupby('target').nlargest` order).
 */
export function buildGoGraph(genes: readonly string[], gene2go: Gene2Go, opts: GoGraphOptions = {}): GoGraphResult {
  const threshold = opts.threshold ?? DEFAULT_GO_THRESHOLD;
  const keep = (opts.topK ?? DEFAULT_GO_TOP_K) + 1;
  const P = genes.length;
  const { geneTerms, termGenes } = invertedIndex(genes, gene2go);
  for (let g = 0; g < P; g++) {
    if (geneTerms[g].length === 0) throw new Error(`gene ${genes[g]} has no GO term; build the vocabulary with buildVocabulary first`);
  }
  const counts = new Int32Array(P);
  const touched = new Int32Array(P);
  const src: number[] = [];
  const tgt: number[] = [];
  const wts: number[] = [];
  const all = opts.keepAllEdges ? { src: [] as number[], tgt: [] as number[], w: [] as number[] } : undefined;
  const top = new TopK(keep);
  for (let t = 0; t < P; t++) {
    let nTouched = 0;
    for (const term of geneTerms[t]) {
      const members = termGenes[term];
      for (let m = 0; m < members.length; m++) {
        const g = members[m];
        if (counts[g] === 0) touched[nTouched++] = g;
        counts[g]++;
      }
    }
    top.size = 0;
    const nt = geneTerms[t].length;
    for (let n = 0; n < nTouched; n++) {
      const g = touched[n];
      const shared = counts[g];
      counts[g] = 0;
      const jaccard = shared / (nt + geneTerms[g].length - shared);
      if (jaccard > threshold) {
        top.offer(g, jaccard);
        if (all) {
          // by symmetry this is also the edge t → g of make_GO's row for source t
          all.src.push(t);
          all.tgt.push(g);
          all.w.push(jaccard);
        }
      }
    }
    for (let r = 0; r < top.size; r++) {
      src.push(top.idx[r]);
      tgt.push(t);
      wts.push(top.w[r]);
    }
    if (opts.log && (t % 2000 === 0 || t === P - 1)) opts.log.progress('GO graph', t + 1, P, 'genes');
  }
  const graph: GeneGraph = { nodes: [...genes], source: Int32Array.from(src), target: Int32Array.from(tgt), weight: Float64Array.from(wts) };
  if (!all) return { graph };
  // make_GO order: source, then target, both in vocabulary order
  const order = Array.from(all.src.keys()).sort((a, b) => all.src[a] - all.src[b] || all.tgt[a] - all.tgt[b]);
  return {
    graph,
    allEdges: {
      nodes: [...genes],
      source: Int32Array.from(order, (i) => all.src[i]),
      target: Int32Array.from(order, (i) => all.tgt[i]),
      weight: Float64Array.from(order, (i) => all.w[i]),
    },
  };
}
