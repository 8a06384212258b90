/**
 * Graph message passing of PyG's SGConv (K = 1) as a sparse CSR operation with its own gradient
 * (DESIGN §7: gather + segment-sum is unusable on wasm/cpu). Forward and backward are plain
 * typed-array loops over the CSR rows; the backward multiplies by the transposed CSR.
 */
import * as tf from '@tensorflow/tfjs';
import type { GeneGraph } from '@gears-pipeline/core';

/** Â in CSR by target row: (Âx)[t] = Σ_k values[k] · x[indices[k]] for k in indptr[t]..indptr[t+1]. */
export interface Csr {
  n: number;
  indptr: Int32Array;
  indices: Int32Array;
  values: Float32Array;
}

/** The normalised adjacency and its transpose, prepared once per graph. */
export interface NormalizedAdjacency {
  forward: Csr;
  transposed: Csr;
}

function toCsr(n: number, rows: Int32Array, cols: Int32Array, vals: Float64Array): Csr {
  const indptr = new Int32Array(n + 1);
  for (const r of rows) indptr[r + 1]++;
  for (let i = 0; i < n; i++) indptr[i + 1] += indptr[i];
  const fill = indptr.slice(0, n);
  const indices = new Int32Array(rows.length);
  const values = new Float32Array(rows.length);
  for (let k = 0; k < rows.length; k++) {
    const p = fill[rows[k]]++;
    indices[p] = cols[k];
    values[p] = vals[k];
  }
  return { n, indptr, indices, values };
}

/**
 * PyG `gcn_norm` (add_remaining_self_loops with fill 1, degree over incoming weights, symmetric
 * normalisation deg[s]^-½·w·deg[t]^-½, inf → 0) over n nodes.
 */
export function gcnNormalize(graph: Pick<GeneGraph, 'source' | 'target' | 'weight'>, n: number): NormalizedAdjacency {
  const selfWeight = new Float64Array(n).fill(1);
  const src: number[] = [];
  const dst: number[] = [];
  const w: number[] = [];
  for (let k = 0; k < graph.source.length; k++) {
    const s = graph.source[k];
    const t = graph.target[k];
    if (s < 0 || t < 0 || s >= n || t >= n) throw new RangeError(`edge ${k} (${s}→${t}) outside the ${n} graph nodes`);
    if (s === t) selfWeight[s] = graph.weight[k]; // existing self-loops keep their weight
    else {
      src.push(s);
      dst.push(t);
      w.push(graph.weight[k]);
    }
  }
  for (let i = 0; i < n; i++) {
    src.push(i);
    dst.push(i);
    w.push(selfWeight[i]);
  }
  const deg = new Float64Array(n);
  for (let k = 0; k < dst.length; k++) deg[dst[k]] += w[k];
  const dis = deg.map((d) => (d > 0 ? 1 / Math.sqrt(d) : 0));
  const norm = Float64Array.from(w, (wk, k) => dis[src[k]] * wk * dis[dst[k]]);
  const S = Int32Array.from(src);
  const T = Int32Array.from(dst);
  return { forward: toCsr(n, T, S, norm), transposed: toCsr(n, S, T, norm) };
}

function spmmArray(a: Csr, x: Float32Array, width: number): Float32Array {
  const out = new Float32Array(a.n * width);
  for (let r = 0; r < a.n; r++) {
    const o = r * width;
    for (let k = a.indptr[r]; k < a.indptr[r + 1]; k++) {
      const v = a.values[k];
      const xi = a.indices[k] * width;
      for (let j = 0; j < width; j++) out[o + j] += v * x[xi + j];
    }
  }
  return out;
}

/** Âx for x [n, H], differentiable with respect to x (gradient Âᵀ·dy). */
export function sparseMatMul(adj: NormalizedAdjacency, x: tf.Tensor2D): tf.Tensor2D {
  const [n, width] = x.shape;
  if (n !== adj.forward.n) throw new RangeError(`sparseMatMul: x has ${n} rows, the graph ${adj.forward.n} nodes`);
  const f = tf.customGrad(((xi: tf.Tensor) => ({
    value: tf.tensor2d(spmmArray(adj.forward, xi.dataSync() as Float32Array, width), [n, width]),
    gradFunc: (dy: tf.Tensor) => tf.tensor2d(spmmArray(adj.transposed, dy.dataSync() as Float32Array, width), [n, width]),
  })) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x) as tf.Tensor2D;
}
