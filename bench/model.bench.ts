/**
 * GEARS training speed on a synthetic Norman-scale data set (5,000 genes, ≈ 280 conditions of
 * which ≈ 130 doubles, statistics of ≈ 90,000 cells): seconds per epoch and for a full `moments`
 * run, achieved GFLOP/s against the FLOP count of the network's matmuls, and (smaller) the
 * `cells` objective per cell.
 */
import * as tf from '@tensorflow/tfjs';
import { syntheticDataset, trainGears, selectBackend, stepFlops, type TrainArgs } from '@gears-pipeline/model';
import type { CellChunk } from '@gears-pipeline/core';

export const name = 'model';

export async function run(): Promise<Record<string, unknown>> {
  const backend = await selectBackend('auto');
  const data = syntheticDataset({ nGenes: 5000, nSingles: 150, nDoubles: 131, cellsPerCondition: 290, controlCells: 11000, seed: 1 });
  const C = data.stats.conditions.length;
  const doubles = data.stats.conditions.filter((c) => c.genes.length === 2).length;
  const epochs = Number(process.env.GEARS_BENCH_EPOCHS ?? 20);
  const batchSize = Number(process.env.GEARS_BENCH_BATCH ?? 4);
  const args: Partial<TrainArgs> = { epochs, batchSize, patience: epochs };
  const t0 = performance.now();
  const r = await trainGears(args, data);
  const total = (performance.now() - t0) / 1000;
  const nTrain = r.conditions.train.length;
  const steps = r.history[0].steps;
  // every training condition is one network row once per pass; the gene part runs once per step
  const passes = Math.round(steps / Math.ceil(nTrain / batchSize)) || 1;
  const flopsPerEpoch = steps * stepFlops(r.model, 0) + passes * (stepFlops(r.model, nTrain) - stepFlops(r.model, 0));
  const epochSeconds = r.history.map((h) => h.seconds);
  const meanEpoch = epochSeconds.reduce((a, b) => a + b, 0) / epochSeconds.length;
  const result: Record<string, unknown> = {
    backend: backend.active,
    genes: 5000,
    conditions: C,
    doubles,
    trainConditions: nTrain,
    stepsPerEpoch: steps,
    epochs: r.history.length,
    momentsSecondsPerEpoch: Number(meanEpoch.toFixed(2)),
    momentsFullRunSeconds: Number(total.toFixed(1)),
    batchSize,
    bestEpoch: r.bestEpoch,
    bestValMseDe: Number(r.history[Math.max(0, r.bestEpoch - 1)].valMseDe.toFixed(4)),
    valMseDeEpoch1: Number(r.history[0].valMseDe.toFixed(4)),
    gflopPerEpoch: Number((flopsPerEpoch / 1e9).toFixed(1)),
    gflopsAchieved: Number((flopsPerEpoch / 1e9 / meanEpoch).toFixed(2)),
  };
  tf.dispose();
  // cells objective: a smaller cell stream (one epoch) to measure the per-cell cost
  const nCells = Number(process.env.GEARS_BENCH_CELLS ?? 4096);
  const G = 5000;
  const cellChunks = async function* (): AsyncIterable<CellChunk> {
    const conds = data.stats.conditions.map((c) => c.name);
    for (let start = 0; start < nCells; start += 512) {
      const n = Math.min(512, nCells - start);
      const indptr = new Int32Array(n + 1);
      const nnz = 1000;
      const indices = new Int32Array(n * nnz);
      const values = new Float32Array(n * nnz);
      for (let i = 0; i < n; i++) {
        indptr[i + 1] = (i + 1) * nnz;
        for (let k = 0; k < nnz; k++) (indices[i * nnz + k] = (k * 5 + i) % G), (values[i * nnz + k] = 1 + ((i + k) % 7) * 0.1);
      }
      yield { cellIds: Array.from({ length: n }, (_, i) => `c${start + i}`), conditions: Array.from({ length: n }, (_, i) => ((start + i) % 4 === 0 ? 'ctrl' : conds[1 + ((start + i) % (conds.length - 1))])), nGenes: G, indptr, indices, values };
    }
  };
  const tc = performance.now();
  const rc = await trainGears({ objective: 'cells', epochs: 1, batchSize: 32, patience: 1 }, { ...data, cellChunks });
  const cellSeconds = (performance.now() - tc) / 1000;
  result.cellsObjectiveCells = nCells;
  result.cellsObjectiveEpochSeconds = Number(rc.history[0].seconds.toFixed(1));
  result.cellsObjectiveSecondsPerCell = Number((rc.history[0].seconds / nCells).toFixed(4));
  result.cellsObjectiveTotalSeconds = Number(cellSeconds.toFixed(1));
  result.cellsObjectiveProjectedNormanEpochSeconds = Number(((rc.history[0].seconds / nCells) * 91205).toFixed(0));
  return result;
}
