/**
 * The GEARS forward pass (reference §4.3), reorganised so that nothing is computed per cell:
 *
 *  - steps 1–3 (gene embeddings, co-expression SGConv, the 0.2 mix, `emb_trans_v2`) do not depend
 *    on the cell or the perturbation: they run once per call and give one [G, H] block;
 *  - steps 4–9 run once per *condition* in the batch and return its change vector d_p [G].
 *    The control cell only enters the reference through the residual (step 10), so the caller
 *    adds the control expression (or the control mean) outside.
 *
 * BatchNorm in train mode normalises over the rows it sees: bn_emb and emb_trans_v2 over the G
 * gene rows (the reference sees B identical copies of them, which has the same mean and biased
 * variance, so the normalisation is identical; only the unbiased running-variance update uses
 * G instead of B·G rows); bn_pert_base and recovery_w over the B_c·G rows of the distinct
 * conditions; pert_fuse over the perturbed conditions (a single one is duplicated to two rows as
 * in the reference); cross_gene_state over the B_c conditions. The reference takes these
 * statistics over cells, i.e. weighted by how many cells of each condition the batch holds.
 */
import * as tf from '@tensorflow/tfjs';
import { BN_MOMENTUM, POSITIONAL_MIX } from './config.ts';
import { addPerCondition, batchNormEval, batchNormTrain, dense, geneHead, linear, linearBeforeBatchNorm, type BatchStat } from './ops.ts';
import { mlpSpecs, param, type GearsParams } from './params.ts';
import { gcnNormalize, sparseMatMul, type NormalizedAdjacency } from './sparse.ts';
import { BLOCK_PARAM_NAMES, ortBlock, ortBlockEnabled } from './ort/block.ts';
export { gcnNormalize };

export type Mode = 'train' | 'eval';

/** The two graphs, normalised once (gcn_norm over the gene resp. perturbation vocabulary). */
export interface PreparedGraphs {
  coexpression: NormalizedAdjacency;
  go: NormalizedAdjacency;
}

export interface ForwardInput {
  /** per condition, the indices of its perturbed genes in the perturbation vocabulary (empty = control) */
  perturbations: number[][];
}

export interface ForwardOutput {
  /** [B_c, G] change of expression per condition */
  delta: tf.Tensor2D;
  /** [B_c, G] log-variance (uncertainty head only) */
  logvar?: tf.Tensor2D;
}

/** BatchNorm statistics collected during one train-mode forward. */
export type BatchStats = BatchStat[];

class Ctx {
  constructor(
    readonly p: GearsParams,
    readonly mode: Mode,
    readonly stats: BatchStats,
  ) {}
  bn(name: string, x: tf.Tensor2D): tf.Tensor2D {
    const g = param<tf.Tensor1D>(this.p, `${name}.weight`);
    const b = param<tf.Tensor1D>(this.p, `${name}.bias`);
    if (this.mode === 'train') return batchNormTrain(name, x, g, b, this.stats);
    return batchNormEval(x, g, b, param(this.p, `${name}.running_mean`), param(this.p, `${name}.running_var`));
  }
  lin(name: string, x: tf.Tensor2D, beforeBatchNorm = false): tf.Tensor2D {
    const f = beforeBatchNorm && this.mode === 'train' ? linearBeforeBatchNorm : linear;
    return f(x, param(this.p, `${name}.weight`), param(this.p, `${name}.bias`));
  }
  /** MLP: Linear–BN–ReLU–…–Linear–BN (the reference drops the final ReLU). */
  mlp(name: string, x: tf.Tensor2D): tf.Tensor2D {
    const spec = mlpSpecs(this.p.config, this.p.nGenes).find((m) => m.name === name)!;
    let h = x;
    for (let i = 0; i + 1 < spec.sizes.length; i++) {
      h = this.bn(`${name}.network.${3 * i + 1}`, this.lin(`${name}.network.${3 * i}`, h, true));
      if (i + 2 < spec.sizes.length) h = tf.relu(h);
    }
    return h;
  }
  /** SGConv stack (ReLU between layers, not after the last); adjacency null = self-loops only. */
  sgconv(prefix: string, layers: number, adj: NormalizedAdjacency | null, x: tf.Tensor2D): tf.Tensor2D {
    let h = x;
    for (let l = 0; l < layers; l++) {
      if (l > 0) h = tf.relu(h);
      h = this.lin(`${prefix}.${l}.lin`, adj ? sparseMatMul(adj, h) : h);
    }
    return h;
  }
}

/**
 * Max-norm renormalisation of the three embedding tables (nn.Embedding(max_norm=1)): rows with
 * L2 norm > 1 are scaled by 1/(norm + 1e-7). The reference does this in place on the looked-up
 * rows at every forward — all rows, since every gene and every perturbation is looked up — so we
 * apply it to the weight variables before each forward, outside the gradient tape.
 */
export function renormEmbeddings(p: GearsParams): void {
  tf.tidy(() => {
    for (const name of ['gene_emb.weight', 'emb_pos.weight', 'pert_emb.weight']) {
      const v = p.vars.get(name)!;
      const norm = tf.sqrt(tf.sum(tf.square(v), 1, true));
      const factor = tf.where(tf.greater(norm, 1), tf.div(1, tf.add(norm, 1e-7)), tf.onesLike(norm));
      v.assign(tf.mul(v, factor));
    }
  });
}

/** Applies the BatchNorm running-statistic update of PyTorch (momentum 0.1, unbiased variance). */
export function updateRunningStats(p: GearsParams, stats: BatchStats): void {
  tf.tidy(() => {
    for (const s of stats) {
      const rm = p.vars.get(`${s.name}.running_mean`)!;
      const rv = p.vars.get(`${s.name}.running_var`)!;
      const unbiased = s.count > 1 ? s.count / (s.count - 1) : 1;
      rm.assign(tf.add(tf.mul(rm, 1 - BN_MOMENTUM), tf.mul(tf.tensor1d(s.mean), BN_MOMENTUM)));
      rv.assign(tf.add(tf.mul(rv, 1 - BN_MOMENTUM), tf.mul(tf.tensor1d(s.variance), BN_MOMENTUM * unbiased)));
    }
  });
}

/**
 * One forward pass for a batch of conditions. Call `renormEmbeddings` first (the trainer and
 * the predictor do). In train mode, BatchNorm statistics are pushed to `stats`.
 */
export function forward(p: GearsParams, graphs: PreparedGraphs, input: ForwardInput, mode: Mode, stats: BatchStats = []): ForwardOutput {
  const cfg = p.config;
  const G = p.nGenes;
  const H = cfg.hiddenSize;
  const Bc = input.perturbations.length;
  if (Bc === 0) throw new RangeError('forward: empty batch');
  const c = new Ctx(p, mode, stats);

  // Steps 1–3: gene part, once per call.
  const emb = param<tf.Tensor2D>(p, 'gene_emb.weight');
  const pos0 = param<tf.Tensor2D>(p, 'emb_pos.weight');
  let geneRows: tf.Tensor2D; // [G, H], or [Bc·G, H] with the reference quirk
  if (cfg.coexpressionQuirk === 'reference' && Bc > 1) {
    // Reference batching: only the first row of the batch gets co-expression mixing; the others
    // see self-loops only (weight 1, degree 1), i.e. Linear(emb_pos). BN sees all Bc·G rows.
    const mixed = c.sgconv('layers_emb_pos', cfg.numGeneGnnLayers, graphs.coexpression, pos0);
    const plain = c.sgconv('layers_emb_pos', cfg.numGeneGnnLayers, null, pos0);
    const pos = tf.concat([mixed, tf.reshape(tf.broadcastTo(plain, [Bc - 1, G, H]), [(Bc - 1) * G, H])]);
    const base0 = tf.relu(c.bn('bn_emb', tf.reshape(tf.broadcastTo(emb, [Bc, G, H]), [Bc * G, H])));
    geneRows = c.mlp('emb_trans_v2', tf.add(base0, tf.mul(pos, POSITIONAL_MIX)));
  } else {
    const base0 = tf.relu(c.bn('bn_emb', emb));
    const pos = c.sgconv('layers_emb_pos', cfg.numGeneGnnLayers, graphs.coexpression, pos0);
    geneRows = c.mlp('emb_trans_v2', tf.add(base0, tf.mul(pos, POSITIONAL_MIX)));
  }

  // Steps 4–5: perturbation embeddings through the GO graph, summed per condition, fused.
  const perturbed = input.perturbations.map((g, i) => (g.length > 0 ? i : -1)).filter((i) => i >= 0);
  let fused: tf.Tensor2D | null = null; // [Bc, H], zero rows for control
  if (perturbed.length > 0) {
    const pg = c.sgconv('sim_layers', cfg.numGoGnnLayers, graphs.go, param(p, 'pert_emb.weight'));
    const counts = new Float32Array(perturbed.length * p.nPerts);
    perturbed.forEach((b, r) => {
      for (const k of input.perturbations[b]) {
        if (!(k >= 0 && k < p.nPerts)) throw new RangeError(`perturbation index ${k} outside the vocabulary of ${p.nPerts}`);
        counts[r * p.nPerts + k] += 1;
      }
    });
    const sums = dense(tf.tensor2d(counts, [perturbed.length, p.nPerts]), pg);
    let f: tf.Tensor2D;
    if (perturbed.length === 1) {
      f = tf.slice(c.mlp('pert_fuse', tf.concat([sums, sums])), [0, 0], [1, H]);
    } else f = c.mlp('pert_fuse', sums);
    const place = new Float32Array(Bc * perturbed.length);
    perturbed.forEach((b, r) => (place[b * perturbed.length + r] = 1));
    fused = dense(tf.tensor2d(place, [Bc, perturbed.length]), f);
  }

  // Steps 5–7 on onnxruntime (83 % of the FLOPs; ort/block.ts) when that compute path is active.
  let out1: tf.Tensor2D;
  let base: tf.Tensor2D | undefined;
  if (ortBlockEnabled() && geneRows.shape[0] === G && !cfg.uncertainty) {
    const running = mode === 'eval' ? ['bn_pert_base', 'recovery_w.network.1', 'recovery_w.network.4'].flatMap((n) => [param(p, `${n}.running_mean`), param(p, `${n}.running_var`)]) : undefined;
    out1 = ortBlock(geneRows, fused ?? tf.zeros([Bc, H]), BLOCK_PARAM_NAMES.map((n) => param(p, n)), mode, stats, running);
  } else {
    ({ out1, base } = tfjsBlock(c, p, geneRows, fused, Bc, G, H));
  }

  // Step 8–9: cross-gene state and the gene-specific head 2 over [out1 ‖ state].
  const state = c.mlp('cross_gene_state', out1);
  const w2 = param<tf.Tensor2D>(p, 'indv_w2');
  const w2self = tf.reshape(tf.slice(w2, [0, 0], [G, 1]), [G]);
  const w2state = tf.transpose(tf.slice(w2, [0, 1], [G, H]));
  const delta = tf.add(tf.add(tf.mul(out1, w2self), dense(state, w2state)), param(p, 'indv_b2')) as tf.Tensor2D;

  let logvar: tf.Tensor2D | undefined;
  if (cfg.uncertainty) logvar = tf.reshape(c.mlp('uncertainty_w', base!), [Bc, G]);
  return { delta, logvar };
}

/** Steps 5–7 on tfjs: fused vector added to every gene row, bn_pert_base + ReLU, recovery MLP, head 1. */
function tfjsBlock(c: Ctx, p: GearsParams, geneRows: tf.Tensor2D, fused: tf.Tensor2D | null, Bc: number, G: number, H: number): { out1: tf.Tensor2D; base: tf.Tensor2D } {
  // Step 5 (broadcast) and 6: add the fused perturbation vector to every gene row.
  let baseRows: tf.Tensor2D;
  if (geneRows.shape[0] === G) baseRows = addPerCondition(geneRows, fused ?? tf.zeros([Bc, H]));
  else baseRows = fused ? tf.reshape(tf.add(tf.reshape(geneRows, [Bc, G, H]), tf.reshape(fused, [Bc, 1, H])), [Bc * G, H]) : geneRows;
  const base = tf.relu(c.bn('bn_pert_base', baseRows));

  // Step 7: recovery MLP and the gene-specific head 1.
  const h = tf.reshape(c.mlp('recovery_w', base), [Bc, G, H]) as tf.Tensor3D;
  const out1 = tf.add(geneHead(h, param(p, 'indv_w1')), param(p, 'indv_b1')) as tf.Tensor2D;
  return { out1, base };
}
