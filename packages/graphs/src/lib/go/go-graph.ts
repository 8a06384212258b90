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

/**
 * For every target, its best `k` incoming edges so far: weight descending, then source index
 * ascending (flat arrays, one block of k per target).
 */
class TopKPerTarget {
  readonly idx: Int32Array;
  readonly w: Float64Array;
  readonly size: Int32Array;
  /**
   * the k-th weight of a full target (−1 until full): a compact array, so most rejections
   * read one cached number instead of the target's block
   */
  readonly floor: Float64Array;
  constructor(n: number, readonly k: number) {
    this.idx = new Int32Array(n * k);
    this.w = new Float64Array(n * k);
    this.size = new Int32Array(n);
    this.floor = new Float64Array(n).fill(-1);
  }
  offer(target: number, source: number, w: number): void {
    if (w < this.floor[target]) return;
    const k = this.k;
    const base = target * k;
    const size = this.size[target];
    const ws = this.w;
    const is = this.idx;
    if (size === k) {
      const last = base + k - 1;
      // not better than the current k-th: weight lower, or equal with a higher source index
      if (w < ws[last] || (w === ws[last] && source > is[last])) return;
    } else {
      this.size[target] = size + 1;
    }
    let pos = base + (size < k ? size : k - 1);
    while (pos > base && (w > ws[pos - 1] || (w === ws[pos - 1] && source < is[pos - 1]))) {
      is[pos] = is[pos - 1];
      ws[pos] = ws[pos - 1];
      pos--;
    }
    is[pos] = source;
    ws[pos] = w;
    if (this.size[target] === k) this.floor[target] = ws[base + k - 1];
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
  const all = opts.keepAllEdges ? { src: [] as number[], tgt: [] as number[], w: [] as number[] } : undefined;
  const top = new TopKPerTarget(P, keep);
  // Jaccard is symmetric: visit each pair once (partner index ≥ gene index) and offer it to
  // both genes. Term member lists ascend, so a cursor per term skips the partners already done.
  const cursor = new Int32Array(termGenes.length);
  for (let t = 0; t < P; t++) {
    let nTouched = 0;
    for (const term of geneTerms[t]) {
      const members = termGenes[term];
      for (let m = cursor[term]++; m < members.length; m++) {
        const g = members[m];
        if (counts[g] === 0) touched[nTouched++] = g;
        counts[g]++;
      }
    }
    const nt = geneTerms[t].length;
    for (let n = 0; n < nTouched; n++) {
      const g = touched[n];
      const shared = counts[g];
      counts[g] = 0;
      const union = nt + geneTerms[g].length - shared;
      // cheap test first (no division) for the many pairs far below the threshold
      if (shared < threshold * union * (1 - 1e-9)) continue;
      const jaccard = shared / union;
      if (jaccard > threshold) {
        top.offer(g, t, jaccard);
        if (g !== t) top.offer(t, g, jaccard);
        if (all) {
          all.src.push(t);
          all.tgt.push(g);
          all.w.push(jaccard);
          if (g !== t) {
            all.src.push(g);
            all.tgt.push(t);
            all.w.push(jaccard);
          }
        }
      }
    }
    if (opts.log && (t % 2000 === 0 || t === P - 1)) opts.log.progress('GO graph', t + 1, P, 'genes');
  }
  const src: number[] = [];
  const tgt: number[] = [];
  const wts: number[] = [];
  for (let t = 0; t < P; t++) {
    for (let r = 0; r < top.size[t]; r++) {
      src.push(top.idx[t * keep + r]);
      tgt.push(t);
      wts.push(top.w[t * keep + r]);
    }
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
