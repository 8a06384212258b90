import { resolve } from 'node:path';
import { GearsUsageError } from '@gears-pipeline/core';
import { join } from 'node:path';
import { BACKEND_NAMES, COMPOSITION_NAMES, MODEL_FILES, type BackendName, type RunTrainArgs, type RunTrainResult } from '@gears-pipeline/model';
import type { Command } from '../command.ts';
import { trainStage } from '../stage-definitions.ts';
import { runStageCommand, WAIT_OPTION, WAIT_USAGE } from '../stage-command.ts';

function num(name: string, v: unknown, integer: boolean, min = 0): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || (integer && !Number.isInteger(n))) throw new GearsUsageError(`--${name} must be ${integer ? 'an integer' : 'a number'} ≥ ${min}, got ${String(v)}`);
  return n;
}

function choice<T extends string>(name: string, v: unknown, allowed: readonly T[]): T | undefined {
  if (v === undefined) return undefined;
  if (!allowed.includes(v as T)) throw new GearsUsageError(`--${name} must be one of ${allowed.join(', ')}, got ${String(v)}`);
  return v as T;
}

export const trainCommand: Command = {
  name: 'train',
  summary: 'train the GEARS network (needs ingest, split and graphs)',
  usage: [
    'usage: gears train [options]',
    '',
    '  --workspace DIR          workspace with dataset/, split/, graphs/ (default gears-out)',
    '  --dataset DIR  --split PATH  --graphs DIR   override the workspace locations',
    '  --out DIR                output directory (default <ws>/model)',
    '  --objective moments|cells  moments (default): exact expected loss from statistics; cells: paired cells',
    '  --epochs N               (default 20)      --batch-size N   conditions (moments, default 4) or cells (cells, default 32) per step',
    '  --min-steps N            moments: passes over the conditions per epoch until N steps (default 50; 0 = one pass)',
    '  --lr X                   (default 1e-3)    --weight-decay X (default 5e-4)   --grad-clip X (default 1)',
    '  --lr-step N  --lr-gamma X   StepLR (default 1, 0.5)',
    '  --direction-lambda X     (default 0.1)     --direction-loss reference|tanh (default reference: no gradient)',
    '  --patience N             early stop after N epochs without better val top-20 DE MSE (default 5)',
    '  --hidden-size N          (default 64)      --go-layers N  --coexpression-layers N (default 1)',
    '  --uncertainty            add the log-variance head',
    '  --composition network|singles|auto  auto (default): per kind of condition the form best on validation',
    '                           (unseen singles: GO kernel / ridge / shrinkage / training mean / network; combinations:',
    '                           network or singles); network: the reference; singles: combinations from single-gene',
    '                           effects with fitted per-gene weights + the network interaction',
    '  --coexpression-quirk     reproduce the reference batching defect (comparison only)',
    '  --seed N                 (default 1)       --backend auto|tensorflow-gpu|tensorflow|onnxruntime|wasm|cpu',
    '  --force                  retrain even when inputs and config are unchanged',
    WAIT_USAGE,
    '',
    'writes <out>/checkpoint/, training_history.parquet, test_metrics.parquet and manifest.json',
    'example: gears train --epochs 15 --direction-loss tanh',
  ].join('\n'),
  options: {
    workspace: { type: 'string', short: 'w' },
    dataset: { type: 'string' },
    split: { type: 'string' },
    graphs: { type: 'string' },
    out: { type: 'string', short: 'o' },
    objective: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    'min-steps': { type: 'string' },
    lr: { type: 'string' },
    'weight-decay': { type: 'string' },
    'grad-clip': { type: 'string' },
    'lr-step': { type: 'string' },
    'lr-gamma': { type: 'string' },
    'direction-lambda': { type: 'string' },
    'direction-loss': { type: 'string' },
    patience: { type: 'string' },
    'hidden-size': { type: 'string' },
    'go-layers': { type: 'string' },
    'coexpression-layers': { type: 'string' },
    uncertainty: { type: 'boolean' },
    composition: { type: 'string' },
    'coexpression-quirk': { type: 'boolean' },
    seed: { type: 'string' },
    backend: { type: 'string' },
    force: { type: 'boolean' },
    ...WAIT_OPTION,
  },
  async run(values, _pos, ctx) {
    const path = (k: string) => (values[k] === undefined ? undefined : resolve(ctx.cwd, String(values[k])));
    const model: NonNullable<RunTrainArgs['model']> = {
      hiddenSize: num('hidden-size', values['hidden-size'], true, 1) ?? 64,
      numGoGnnLayers: num('go-layers', values['go-layers'], true, 1) ?? 1,
      numGeneGnnLayers: num('coexpression-layers', values['coexpression-layers'], true, 1) ?? 1,
      uncertainty: Boolean(values.uncertainty),
      coexpressionQuirk: values['coexpression-quirk'] ? 'reference' : 'fixed',
    };
    const args: RunTrainArgs = {
      workspace: path('workspace') ?? resolve(ctx.cwd, 'gears-out'),
      dataset: path('dataset'),
      split: path('split'),
      graphs: path('graphs'),
      outDir: path('out'),
      objective: choice('objective', values.objective, ['moments', 'cells'] as const),
      epochs: num('epochs', values.epochs, true, 1),
      batchSize: num('batch-size', values['batch-size'], true, 2),
      minStepsPerEpoch: num('min-steps', values['min-steps'], true),
      learningRate: num('lr', values.lr, false),
      weightDecay: num('weight-decay', values['weight-decay'], false),
      gradClip: num('grad-clip', values['grad-clip'], false),
      lrStepSize: num('lr-step', values['lr-step'], true, 1),
      lrGamma: num('lr-gamma', values['lr-gamma'], false),
      directionLambda: num('direction-lambda', values['direction-lambda'], false),
      directionLoss: choice('direction-loss', values['direction-loss'], ['reference', 'tanh'] as const),
      patience: num('patience', values.patience, true, 1),
      composition: choice('composition', values.composition, COMPOSITION_NAMES),
      seed: num('seed', values.seed, true),
      backend: choice<BackendName>('backend', values.backend, BACKEND_NAMES),
      model,
      force: Boolean(values.force),
    };
    for (const k of Object.keys(args) as (keyof RunTrainArgs)[]) if (args[k] === undefined) delete args[k];
    const ev = await runStageCommand(trainStage(args), { force: Boolean(values.force), wait: Boolean(values.wait), log: ctx.log });
    const r = ev.result as RunTrainResult | undefined;
    if (!r) process.stdout.write(`model is up to date → ${join(ev.dir, MODEL_FILES.checkpoint)}\n`);
    else {
      const res = r.result!;
      const best = res.history[Math.max(0, res.bestEpoch - 1)];
      process.stdout.write(
        `trained ${res.history.length} epochs on ${res.backend.active} in ${res.seconds.toFixed(1)} s; best epoch ${res.bestEpoch || res.history.length}` +
          (best ? ` (val top-20 DE MSE ${best.valMseDe.toPrecision(4)})` : '') +
          ` → ${r.checkpoint}\n`,
      );
    }
  },
};
