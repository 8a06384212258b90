/**
 * Similarity of perturbed genes over the GO graph, for the closed-form unseen-gene forms.
 *
 * The GO graph the model trains with (top-k GO Jaccard neighbours over the perturbation
 * vocabulary) is symmetrised and row-normalised into a transition matrix T; the similarity of a
 * gene s to every other gene is its random walk with restart (restart probability c):
 *
 *   r_s = c · Σ_t (1 − c)^t · e_s Tᵗ     (a probability vector over the vocabulary)
 *
 * Large c keeps the walk near s (≈ the direct Jaccard neighbours); small c reaches further, so a
 * gene with no direct neighbour among the trained genes still gets a similarity to them.
 */
import type { GeneGraph } from '@gears-pipeline/core';

/** Restart probabilities tried when none is given (chosen on validation). */
export const DEFAULT_RESTARTS: readonly number[] = [0.2, 0.5, 0.8];
/** walk terms below this mass are dropped */
const RWR_TOLERANCE = 1e-6;

/** Row-stochastic transition matrix of the symmetrised GO graph, in CSR form. */
export interface GoTransitions {
  n: number;
  rowStart: Int32Array;
  column: Int32Array;
  probability: Float64Array;
}

export function goTransitions(graph: GeneGraph): GoTransitions {
  const n = graph.nodes.length;
  const rows: Map<number, number>[] = Array.from({ length: n }, () => new Map());
  for (let e = 0; e < graph.source.length; e++) {
    const s = graph.source[e];
    const t = graph.target[e];
    const w = graph.weight[e];
    if (s === t || !(w > 0)) continue;
    // symmetrise: the top-k list is not symmetric, similarity is
    rows[s].set(t, Math.max(rows[s].get(t) ?? 0, w));
    rows[t].set(s, Math.max(rows[t].get(s) ?? 0, w));
  }
  const rowStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) rowStart[i + 1] = rowStart[i] + rows[i].size;
  const column = new Int32Array(rowStart[n]);
  const probability = new Float64Array(rowStart[n]);
  for (let i = 0; i < n; i++) {
    let total = 0;
    for (const w of rows[i].values()) total += w;
    let k = rowStart[i];
    for (const [j, w] of [...rows[i]].sort((a, b) => a[0] - b[0])) {
      column[k] = j;
      probability[k++] = w / total;
    }
  }
  return { n, rowStart, column, probability };
}

/** Random walk with restart from `source`: visiting probabilities over the vocabulary (sum ≤ 1). */
export function randomWalkWithRestart(T: GoTransitions, source: number, restart: number): Float64Array {
  const out = new Float64Array(T.n);
  let v = new Float64Array(T.n);
  let next = new Float64Array(T.n);
  v[source] = 1;
  // the walk's mass after t steps is (1 − c)^t; stop once what is left is negligible
  for (let scale = restart; scale > RWR_TOLERANCE; scale *= 1 - restart) {
    next.fill(0);
    for (let i = 0; i < T.n; i++) {
      const vi = v[i];
      if (vi === 0) continue;
      out[i] += scale * vi;
      for (let k = T.rowStart[i]; k < T.rowStart[i + 1]; k++) next[T.column[k]] += vi * T.probability[k];
    }
    [v, next] = [next, v];
    if (restart >= 1) break;
  }
  return out;
}
