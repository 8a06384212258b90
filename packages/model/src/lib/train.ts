/**
 * The training loop shared by both objectives (reference §5.2): Adam (lr 1e-3, L2 5e-4 in the
 * gradient), element-wise gradient clamp ±1, StepLR (step 1, γ 0.5) stepped per epoch, validation
 * on means after every epoch, best model by validation top-20 DE MSE (strict <), early stop.
 */
import * as tf from '@tensorflow/tfjs';
import { CONTROL, conditionGenes, GearsUsageError, silentLogger, type CellChunk, type DatasetStats, type GeneGraph, type Logger, type SplitAssignment } from '@gears-pipeline/core';
import { selectBackend, type BackendInfo, type BackendName } from './backend.ts';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from './config.ts';
import { Adam, DEFAULT_ADAM } from './adam.ts';
import { buildModel, type GearsModel } from './model.ts';
import { averageMetrics, meanMetrics, type ConditionMetrics } from './metrics.ts';
import { conditionBatches, momentsObjective } from './moments-objective.ts';
import { cellsObjective } from './cells-objective.ts';
import { COMPOSITION_NAMES, composedDeltas, type CompositionName, type NetworkDeltas } from './composition.ts';
import { fitModelComposition } from './composition-auto.ts';
import type { DirectionLoss } from './moments.ts';
import type { Objective } from './objective.ts';
import { forward, renormEmbeddings, updateRunningStats, type BatchStats } from './network.ts';
import { createParams, restoreParams, snapshotParams, trainableVariables } from './params.ts';

export type ObjectiveName = 'moments' | 'cells';

export interface TrainArgs {
  objective: ObjectiveName;
  epochs: number;
  /**
   * conditions per step (moments) or cells per step (cells); 0 = the objective's default
   * (`DEFAULT_MOMENTS_BATCH_SIZE` conditions, `DEFAULT_CELLS_BATCH_SIZE` cells)
   */
  batchSize: number;
  /**
   * moments objective: an epoch makes as many (reshuffled) passes over the training conditions as
   * needed for at least this many optimiser steps (0 = one pass). The reference sees each
   * condition once per cell per epoch (≈ 50 steps of 32 cells on small sets, ≈ 1,900 on Norman);
   * one pass over 20 conditions is only 5 steps, too few for StepLR's halving schedule.
   */
  minStepsPerEpoch: number;
  learningRate: number;
  weightDecay: number;
  /** element-wise gradient clamp (0 = off) */
  gradClip: number;
  /** StepLR: multiply the learning rate by lrGamma every lrStepSize epochs */
  lrStepSize: number;
  lrGamma: number;
  directionLambda: number;
  directionLoss: DirectionLoss;
  /** stop after this many epochs without a better validation top-20 DE MSE */
  patience: number;
  seed: number;
  backend: BackendName;
  model: ModelConfig;
  /** weight of the uncertainty term (reference `uncertainty_reg`) */
  uncertaintyReg: number;
  /** conditions per forward pass when evaluating */
  evalBatchSize: number;
  /**
   * Which forms predict: 'auto' (default: per kind of condition the form best on validation,
   * composition-auto.ts), 'network' (reference GEARS: the fused perturbation embedding) or 'singles'
   * (sum of single-gene effects with fitted per-gene weights plus the network's interaction term;
   * see composition.ts).
   */
  composition: CompositionName;
}

export const DEFAULT_MIN_STEPS_PER_EPOCH = 50;

export const DEFAULT_TRAIN_ARGS: TrainArgs = {
  objective: 'moments',
  epochs: 20,
  // 0: follows the objective (resolveBatchSize), so switching the objective alone never trains
  // cells with the moments batch or the reverse
  batchSize: 0,
  minStepsPerEpoch: DEFAULT_MIN_STEPS_PER_EPOCH,
  learningRate: 1e-3,
  weightDecay: DEFAULT_ADAM.weightDecay,
  gradClip: DEFAULT_ADAM.clip,
  lrStepSize: 1,
  lrGamma: 0.5,
  directionLambda: 0.1,
  directionLoss: 'reference',
  patience: 5,
  seed: 1,
  backend: 'auto',
  model: DEFAULT_MODEL_CONFIG,
  uncertaintyReg: 1,
  evalBatchSize: 32,
  composition: 'auto',
};

/**
 * conditions per step of the `moments` objective when no batch size is given: a pass costs the
 * same as with 32 (one network row per condition either way) but gives 8× the optimiser steps,
 * which StepLR's halving makes scarce
 */
export const DEFAULT_MOMENTS_BATCH_SIZE = 4;

/** cells per step of the `cells` objective when no batch size is given (the reference tutorials' 32) */
export const DEFAULT_CELLS_BATCH_SIZE = 32;

/** The batch size a run uses: the given one, or (absent or 0) the objective's default. */
export function resolveBatchSize(objective: ObjectiveName, batchSize?: number): number {
  if (batchSize !== undefined && batchSize !== 0) return batchSize;
  return objective === 'cells' ? DEFAULT_CELLS_BATCH_SIZE : DEFAULT_MOMENTS_BATCH_SIZE;
}

export interface TrainInputs {
  stats: DatasetStats;
  split: SplitAssignment[];
  goGraph: GeneGraph;
  coexpressionGraph: GeneGraph;
  pertVocabulary: string[];
  /** the cells table as a re-readable stream (objective `cells` only) */
  cellChunks?: () => AsyncIterable<CellChunk>;
}

/** What `trainLoss` in the epoch log is (same quantity for both objectives). */
export const TRAIN_LOSS_MEANING = 'mean per cell and gene of (x + d − y)^4 (+ direction term), including cell-to-cell noise; valMse is the squared error of condition means';

export interface EpochRecord {
  epoch: number;
  learningRate: number;
  /**
   * mean training loss of the epoch's steps, per cell and gene for both objectives: the mean over
   * conditions of the mean over (cells ×) loss genes of (x + d − y)⁴ (+ λ·direction term); for
   * `moments` its exact expectation over the control pairing. It includes the cell-to-cell
   * variation (the 4th central moment of y − x), so it stays far above the validation MSE of means.
   */
  trainLoss: number;
  steps: number;
  valMse: number;
  valMseDe: number;
  seconds: number;
}

export interface TrainResult {
  model: GearsModel;
  history: EpochRecord[];
  /** epoch whose weights were kept (0 = no validation, last epoch kept) */
  bestEpoch: number;
  backend: BackendInfo;
  conditions: { train: string[]; val: string[]; test: string[]; skipped: string[] };
  test: ConditionMetrics[];
  seconds: number;
}

interface UsableCondition {
  row: number;
  name: string;
  perturbation: number[];
}

/** Maps split conditions to statistics rows and perturbation indices; GO-less conditions are skipped (reference GO filter). */
export function usableConditions(stats: DatasetStats, split: SplitAssignment[], pertVocabulary: string[]) {
  const rowOf = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const pidx = new Map(pertVocabulary.map((g, i) => [g, i]));
  const sets = { train: [] as UsableCondition[], val: [] as UsableCondition[], test: [] as UsableCondition[], skipped: [] as string[] };
  const seen = new Set<string>();
  for (const a of split) {
    const row = rowOf.get(a.condition);
    if (row === undefined || seen.has(a.condition)) continue;
    seen.add(a.condition);
    const genes = conditionGenes(a.condition);
    const perturbation = genes.map((g) => pidx.get(g) ?? -1);
    if (perturbation.some((k) => k < 0)) {
      sets.skipped.push(a.condition);
      continue;
    }
    sets[a.split].push({ row, name: a.condition, perturbation });
  }
  // the reference trains on control cells (target = input) whatever the split file says
  if (!sets.train.some((c) => c.name === CONTROL)) sets.train.push({ row: stats.controlIndex, name: CONTROL, perturbation: [] });
  sets.val = sets.val.filter((c) => c.name !== CONTROL);
  sets.test = sets.test.filter((c) => c.name !== CONTROL);
  return sets;
}

/** The network's own change vectors (and log-variances with the uncertainty head) in eval mode, in chunks. */
export function networkOutputs(model: GearsModel, perturbations: number[][], chunk = 32): { delta: Float32Array[]; logvar?: Float32Array[] } {
  renormEmbeddings(model.params);
  const G = model.genes.length;
  const delta: Float32Array[] = [];
  const logvar: Float32Array[] = [];
  for (let i = 0; i < perturbations.length; i += chunk) {
    const part = perturbations.slice(i, i + chunk);
    const [d, lv] = tf.tidy(() => {
      const out = forward(model.params, model.graphs, { perturbations: part }, 'eval');
      return [out.delta.dataSync() as Float32Array, out.logvar?.dataSync() as Float32Array | undefined];
    });
    for (let k = 0; k < part.length; k++) {
      delta.push(d.slice(k * G, (k + 1) * G));
      if (lv) logvar.push(lv.slice(k * G, (k + 1) * G));
    }
  }
  return model.params.config.uncertainty ? { delta, logvar } : { delta };
}

/**
 * Predicted change vectors (and log-variances with the uncertainty head) in eval mode: the
 * network's, or composed from single effects when the model carries a composition.
 */
export function predictOutputs(model: GearsModel, perturbations: number[][], chunk = 32): { delta: Float32Array[]; logvar?: Float32Array[] } {
  const out = networkOutputs(model, perturbations, chunk);
  if (!model.composition) return out;
  // the composition asks the network for these sets again (combinations) and for their single
  // genes: serve what was just computed, evaluate only what is missing
  const key = (p: number[]) => p.join(',');
  const known = new Map(perturbations.map((p, i) => [key(p), out.delta[i]]));
  const net: NetworkDeltas = (sets) => {
    const missing = sets.filter((p) => !known.has(key(p)));
    if (missing.length) networkOutputs(model, missing, chunk).delta.forEach((d, i) => known.set(key(missing[i]), d));
    return sets.map((p) => known.get(key(p))!);
  };
  return { ...out, delta: composedDeltas(model.composition, net, perturbations, model.genes.length) };
}

/** Predicted change vectors of conditions in eval mode, in chunks. */
export function predictDeltas(model: GearsModel, perturbations: number[][], chunk = 32): Float32Array[] {
  return predictOutputs(model, perturbations, chunk).delta;
}

function evaluate(model: GearsModel, stats: DatasetStats, conds: UsableCondition[], chunk: number): ConditionMetrics[] {
  const deltas = predictDeltas(model, conds.map((c) => c.perturbation), chunk);
  return conds.map((c, i) => meanMetrics(stats, c.row, model.controlMean, deltas[i]));
}

/**
 * Trains a GEARS network on a data set's statistics (objective `moments`) or paired cells
 * (objective `cells`) and returns the model with the best validation top-20 DE MSE.
 */
/** Callbacks into the training loop (progress display, custom monitoring); they must not throw. */
export interface TrainHooks {
  /** after each epoch's validation, with the planned number of epochs (early stopping may end sooner) */
  onEpoch?: (record: EpochRecord, epochs: number) => void;
}

export async function trainGears(partial: Partial<TrainArgs>, inputs: TrainInputs, log: Logger = silentLogger, hooks: TrainHooks = {}): Promise<TrainResult> {
  const defined = Object.fromEntries(Object.entries(partial).filter(([, v]) => v !== undefined)) as Partial<TrainArgs>;
  const args: TrainArgs = { ...DEFAULT_TRAIN_ARGS, ...defined, model: { ...DEFAULT_MODEL_CONFIG, ...partial.model } };
  args.batchSize = resolveBatchSize(args.objective, args.batchSize);
  if (!(Number.isInteger(args.batchSize) && args.batchSize >= 2)) {
    throw new GearsUsageError(`batch size must be an integer ≥ 2 (BatchNorm over the conditions of a step needs two rows), got ${args.batchSize}`);
  }
  if (!COMPOSITION_NAMES.includes(args.composition)) throw new GearsUsageError(`unknown composition '${String(args.composition)}'. Use ${COMPOSITION_NAMES.join(' or ')}`);
  const t0 = performance.now();
  const backend = await selectBackend(args.backend, log);
  const { stats } = inputs;
  const G = stats.genes.length;
  const P = inputs.pertVocabulary.length;
  const sets = usableConditions(stats, inputs.split, inputs.pertVocabulary);
  if (sets.skipped.length) log.warn('conditions_skipped', { reason: 'a perturbed gene is not in the GO vocabulary', conditions: sets.skipped });
  if (sets.train.length < 2) throw new GearsUsageError(`training needs at least 2 conditions, the split gives ${sets.train.length}`);
  const params = createParams(args.model, G, P, args.seed);
  const controlMean = Float32Array.from(stats.mean.subarray(stats.controlIndex * G, (stats.controlIndex + 1) * G));
  const model = buildModel(params, stats.genes.map((g) => g.gene), inputs.pertVocabulary, inputs.coexpressionGraph, inputs.goGraph, controlMean);
  const trainable = trainableVariables(params);
  const adam = new Adam({ ...DEFAULT_ADAM, weightDecay: args.weightDecay, clip: args.gradClip });
  let objective: Objective;
  if (args.objective === 'moments') {
    objective = momentsObjective({ stats, conditions: sets.train, batchSize: args.batchSize, passes: args.minStepsPerEpoch > 0 ? Math.ceil(args.minStepsPerEpoch / conditionBatches(sets.train, args.batchSize).length) : 1, seed: args.seed, directionLambda: args.directionLambda, directionLoss: args.directionLoss, uncertaintyReg: args.uncertaintyReg });
  } else if (args.objective === 'cells') {
    if (!inputs.cellChunks) throw new GearsUsageError('objective cells needs the cells table (inputs.cellChunks)');
    objective = await cellsObjective({ stats, conditions: sets.train, chunks: inputs.cellChunks, batchSize: args.batchSize, seed: args.seed, directionLambda: args.directionLambda, directionLoss: args.directionLoss, uncertaintyReg: args.uncertaintyReg });
  } else throw new GearsUsageError(`unknown objective '${String(args.objective)}'. Use moments or cells`);
  log.info('train_start', { objective: args.objective, backend: backend.active, genes: G, perturbations: P, train: sets.train.length, val: sets.val.length, test: sets.test.length, epochs: args.epochs, batchSize: args.batchSize });

  const history: EpochRecord[] = [];
  let best = Infinity;
  let bestEpoch = 0;
  let bestWeights: Map<string, Float32Array> | null = null;
  let sinceBest = 0;
  for (let epoch = 1; epoch <= args.epochs; epoch++) {
    const te = performance.now();
    const lr = args.learningRate * args.lrGamma ** Math.floor((epoch - 1) / args.lrStepSize);
    let lossSum = 0;
    let steps = 0;
    await objective.epoch(epoch, (batch) => {
      renormEmbeddings(params);
      const bnStats: BatchStats = [];
      const { value, grads } = tf.variableGrads(() => {
        const out = forward(params, model.graphs, { perturbations: batch.perturbations }, 'train', bnStats);
        return batch.loss(out.delta, out.logvar);
      }, trainable);
      updateRunningStats(params, bnStats);
      adam.apply(trainable, grads, lr);
      lossSum += value.dataSync()[0];
      steps++;
      tf.dispose([value, ...Object.values(grads)]);
      if (steps % 50 === 0) log.info('train_step', { epoch, step: steps, loss: lossSum / steps });
    });
    const val = averageMetrics(evaluate(model, stats, sets.val, args.evalBatchSize));
    const rec: EpochRecord = { epoch, learningRate: lr, trainLoss: lossSum / Math.max(1, steps), steps, valMse: val.mse, valMseDe: val.mseDe, seconds: (performance.now() - te) / 1000 };
    history.push(rec);
    log.info('epoch', { ...rec, trainLossIs: TRAIN_LOSS_MEANING });
    hooks.onEpoch?.(rec, args.epochs);
    if (!Number.isFinite(rec.trainLoss)) throw new Error(`training diverged at epoch ${epoch} (loss ${rec.trainLoss})`);
    if (sets.val.length > 0) {
      if (val.mseDe < best) {
        best = val.mseDe;
        bestEpoch = epoch;
        bestWeights = snapshotParams(params);
        sinceBest = 0;
      } else if (++sinceBest >= args.patience) {
        log.info('early_stop', { epoch, bestEpoch, bestValMseDe: best });
        break;
      }
    }
  }
  if (bestWeights) restoreParams(params, bestWeights);
  adam.dispose();
  if (args.composition !== 'network') {
    model.composition = fitModelComposition(model, args.composition, stats, sets, (p) => networkOutputs(model, p, args.evalBatchSize).delta, log);
    const c = model.composition;
    log.info('composition_fitted', { combinations: c.nCombinations, singles: c.singles.size, globalWeight: c.globalWeight, ridge: c.ridge, interactionWeight: c.interactionWeight });
  }
  const test = evaluate(model, stats, sets.test, args.evalBatchSize);
  const seconds = (performance.now() - t0) / 1000;
  log.info('train_done', { bestEpoch, bestValMseDe: best, testMseDe: averageMetrics(test).mseDe, seconds });
  return {
    model,
    history,
    bestEpoch,
    backend,
    conditions: { train: sets.train.map((c) => c.name), val: sets.val.map((c) => c.name), test: sets.test.map((c) => c.name), skipped: sets.skipped },
    test,
    seconds,
  };
}
