/**
 * The `cells` objective: the reference's per-cell loss on paired cells (reference §5.1), streamed
 * from the cells table. Each training cell is paired with one control cell chosen by a seeded hash
 * of its id (fixed across epochs and independent of file order); control cells are paired with
 * themselves (target = input), as in the reference. Cells pass through a bounded shuffle window
 * and leave as mini-batches; the network runs once per distinct condition of a batch.
 *
 * The chunks flow through an RxJS pipeline built on ingest's `pullObservable`, which reads the
 * next chunk only after the synchronous training steps on the current one are done, so at most
 * one chunk plus the shuffle window is in memory (`from(asyncIterable)` would not apply
 * backpressure). The control cells are held in memory in CSR form (they are the pairing pool).
 */
import * as tf from '@tensorflow/tfjs';
import { CONTROL, conditionGeneLists, type CellChunk, type DatasetStats } from '@gears-pipeline/core';
import { defaultIfEmpty, from, lastValueFrom, mergeMap, tap } from 'rxjs';
import { pullObservable } from '@gears-pipeline/ingest';
import { dense } from './ops.ts';
import type { DirectionLoss } from './moments.ts';
import type { Objective, StepBatch } from './objective.ts';
import { Rng } from './rng.ts';

export interface CellsObjectiveArgs {
  stats: DatasetStats;
  conditions: { row: number; name: string; perturbation: number[] }[];
  chunks: () => AsyncIterable<CellChunk>;
  /** cells per step */
  batchSize: number;
  seed: number;
  directionLambda: number;
  directionLoss: DirectionLoss;
  uncertaintyReg: number;
  /** cells held for shuffling (default max(4096, 8·batchSize)) */
  shuffleWindow?: number;
}

/** One training cell: sparse expression, its condition position, its control partner. */
interface PendingCell {
  cond: number;
  indices: Int32Array;
  values: Float32Array;
  /** index into the control pool, or -1 for a control cell (paired with itself) */
  partner: number;
}

/** FNV-1a of "seed:cell id" with a murmur3 finaliser: the fixed control partner of a cell. */
export function pairingHash(seed: number, cellId: string): number {
  let h = 0x811c9dc5;
  const s = `${seed}:${cellId}`;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

interface ControlPool {
  indptr: number[];
  indices: number[];
  values: number[];
}

async function collectControls(chunks: () => AsyncIterable<CellChunk>): Promise<ControlPool> {
  const pool: ControlPool = { indptr: [0], indices: [], values: [] };
  for await (const ch of chunks()) {
    for (let i = 0; i < ch.conditions.length; i++) {
      if (ch.conditions[i] !== CONTROL) continue;
      for (let k = ch.indptr[i]; k < ch.indptr[i + 1]; k++) {
        pool.indices.push(ch.indices[k]);
        pool.values.push(ch.values[k]);
      }
      pool.indptr.push(pool.indices.length);
    }
  }
  return pool;
}

export async function cellsObjective(a: CellsObjectiveArgs): Promise<Objective> {
  const G = a.stats.genes.length;
  const pool = await collectControls(a.chunks);
  const nCtrl = pool.indptr.length - 1;
  if (nCtrl === 0) throw new Error('objective cells: the cells table has no control cells to pair with');
  const condPos = new Map(a.conditions.map((c, i) => [c.name, i]));
  const lossGenes = a.conditions.map((c) => (c.name === CONTROL ? null : conditionGeneLists(a.stats, c.row).nonZero));
  const ctrlMean = Float32Array.from(a.stats.mean.subarray(a.stats.controlIndex * G, (a.stats.controlIndex + 1) * G));
  const window = a.shuffleWindow ?? Math.max(4096, 8 * a.batchSize);
  const rng = new Rng(a.seed ^ 0xce11);

  const makeBatch = (cells: PendingCell[]): StepBatch => {
    const B = cells.length;
    const conds = [...new Set(cells.map((c) => c.cond))];
    const col = new Map(conds.map((c, i) => [c, i]));
    const count = new Map<number, number>();
    for (const c of cells) count.set(c.cond, (count.get(c.cond) ?? 0) + 1);
    const onehot = new Float32Array(B * conds.length);
    const x = new Float32Array(B * G);
    const y = new Float32Array(B * G);
    const w = new Float32Array(B * G);
    cells.forEach((c, i) => {
      onehot[i * conds.length + col.get(c.cond)!] = 1;
      for (let k = 0; k < c.indices.length; k++) y[i * G + c.indices[k]] = c.values[k];
      if (c.partner < 0) x.set(y.subarray(i * G, (i + 1) * G), i * G);
      else for (let k = pool.indptr[c.partner]; k < pool.indptr[c.partner + 1]; k++) x[i * G + pool.indices[k]] = pool.values[k];
      const J = lossGenes[c.cond];
      // L = (1/#conds) Σ_p mean over I_p × J_p
      const nJ = J ? J.length : G;
      const wv = 1 / (conds.length * count.get(c.cond)! * nJ);
      if (J) for (const g of J) w[i * G + g] = wv;
      else w.fill(wv, i * G, (i + 1) * G);
    });
    const t = {
      onehot: tf.tensor2d(onehot, [B, conds.length]),
      x: tf.tensor2d(x, [B, G]),
      y: tf.tensor2d(y, [B, G]),
      w: tf.tensor2d(w, [B, G]),
      ctrl: tf.tensor1d(ctrlMean),
    };
    return {
      perturbations: conds.map((c) => a.conditions[c].perturbation),
      loss: (delta, logvar) => {
        const pred = tf.add(t.x, dense(t.onehot, delta));
        const r = tf.sub(pred, t.y);
        const r4 = tf.square(tf.square(r));
        let perCell: tf.Tensor = r4;
        if (logvar) {
          const lv = dense(t.onehot, logvar);
          perCell = tf.add(perCell, tf.mul(tf.add(tf.mul(tf.exp(tf.neg(lv)), r4), lv), a.uncertaintyReg));
        }
        if (a.directionLambda !== 0) {
          const dir =
            a.directionLoss === 'tanh'
              ? tf.square(tf.sub(tf.tanh(tf.sub(t.y, t.ctrl)), tf.tanh(tf.sub(pred, t.ctrl))))
              : tf.square(tf.sub(tf.sign(tf.sub(t.y, t.ctrl)), tf.sign(tf.sub(pred, t.ctrl))));
          perCell = tf.add(perCell, tf.mul(dir, a.directionLambda));
        }
        return tf.sum(tf.mul(perCell, t.w)) as tf.Scalar;
      },
      dispose: () => tf.dispose(Object.values(t)),
    };
  };

  /** Takes cells from the shuffle window in batches, leaving at least `keep` cells for later mixing. */
  const take = (pending: PendingCell[], keep: number): PendingCell[][] => {
    rng.shuffle(pending);
    const out: PendingCell[][] = [];
    while (pending.length - a.batchSize >= keep && pending.length >= a.batchSize) out.push(pending.splice(0, a.batchSize));
    return out;
  };
  const runBatch = (cells: PendingCell[], step: (b: StepBatch) => void) => {
    const b = makeBatch(cells);
    try {
      step(b);
    } finally {
      b.dispose();
    }
  };

  return {
    name: 'cells',
    async epoch(_epoch, step) {
      const pending: PendingCell[] = [];
      // pullObservable reads the next chunk only after the synchronous pipeline (including the
      // training steps in tap) has consumed the current one: bounded memory with RxJS.
      await lastValueFrom(
        pullObservable(a.chunks).pipe(
          mergeMap((ch) => {
            for (let i = 0; i < ch.conditions.length; i++) {
              const cond = condPos.get(ch.conditions[i]);
              if (cond === undefined) continue; // not a training condition
              const lo = ch.indptr[i];
              const hi = ch.indptr[i + 1];
              const isCtrl = ch.conditions[i] === CONTROL;
              pending.push({ cond, indices: ch.indices.slice(lo, hi), values: ch.values.slice(lo, hi), partner: isCtrl ? -1 : pairingHash(a.seed, ch.cellIds[i]) % nCtrl });
            }
            return from(pending.length >= window ? take(pending, window / 2) : []);
          }),
          tap((cells) => runBatch(cells, step)),
          defaultIfEmpty(null),
        ),
      );
      for (const cells of take(pending, 0)) runBatch(cells, step);
      // a last partial batch of ≥ 2 cells is still a step
      if (pending.length >= 2) runBatch(pending.splice(0), step);
    },
  };
}
