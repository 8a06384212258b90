import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { GearsUsageError } from '@gears-pipeline/core';
import type { Command } from '../command.ts';
import { evaluateStage } from '../stage-definitions.ts';
import { runStageCommand, WAIT_OPTION } from '../stage-command.ts';

const DEFAULT_WORKSPACE = 'gears-out';

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'score predictions and baselines with the GEARS metrics, genetic-interaction scores and an HTML report',
  usage: [
    'usage: gears evaluate [options]',
    '',
    `  --workspace DIR      workspace (default ${DEFAULT_WORKSPACE}): reads <ws>/dataset, <ws>/split/split.parquet,`,
    '                       <ws>/predictions/predictions.parquet (if present); writes <ws>/evaluate',
    '  --dataset DIR        dataset directory written by gears ingest (default <ws>/dataset)',
    '  --split PATH         split: Parquet (condition, split, subgroup) or JSON (default <ws>/split/split.parquet)',
    '  --predictions PATH   predictions Parquet (perturbation, gene, predicted_mean[, model]; several models in one table).',
    '                       Without it only the baselines are scored',
    '  --out DIR            output directory (default <ws>/evaluate)',
    '  --gi-genes PATH      genes for the GI fits, one symbol per line (e.g. data/gi/gears_gi_genes_with_hi_mean.txt)',
    '  --splits LIST        splits to score, comma-separated (default test,val)',
    '  --partition-by-model write Hive-style <table>/model=<name>/part-0.parquet directories',
    '  --no-baselines       do not compute the baselines',
    '  --gi-threads N       worker threads for the GI fits (default: one per core, at most 8; 1 = no workers)',
    '  --wait               if another gears process uses the output directory, wait for it (default: exit 1)',
    '',
    'outputs: predictions.parquet, predictions.h5ad, metrics.parquet (per condition), metrics_summary.parquet,',
    '         gi.parquet, gi_precision.parquet, report.html, manifest.json (columns: <out>/../README.md)',
    'example: gears evaluate --workspace gears-out --gi-genes data/gi/gears_gi_genes_with_hi_mean.txt',
  ].join('\n'),
  options: {
    workspace: { type: 'string', short: 'w' },
    dataset: { type: 'string' },
    split: { type: 'string' },
    predictions: { type: 'string' },
    out: { type: 'string', short: 'o' },
    'gi-genes': { type: 'string' },
    splits: { type: 'string' },
    'partition-by-model': { type: 'boolean' },
    'no-baselines': { type: 'boolean' },
    'gi-threads': { type: 'string' },
    ...WAIT_OPTION,
  },
  async run(values, _pos, ctx) {
    const at = (p: unknown) => (p === undefined ? undefined : resolve(ctx.cwd, String(p)));
    const ws = at(values.workspace ?? DEFAULT_WORKSPACE)!;
    const splits = values.splits === undefined ? undefined : String(values.splits).split(',').map((s) => s.trim()).filter(Boolean);
    for (const s of splits ?? []) if (!['train', 'val', 'test'].includes(s)) throw new GearsUsageError(`--splits takes train, val and/or test, got ${s}`);
    const defaultPred = join(ws, 'predictions', 'predictions.parquet');
    const predictionsPath = at(values.predictions) ?? (existsSync(defaultPred) ? defaultPred : undefined);
    if (!predictionsPath) ctx.log.warn('evaluate.no_predictions', { hint: 'only the baselines are scored; pass --predictions <file>' });
    const giThreads = values['gi-threads'] === undefined ? undefined : Number(values['gi-threads']);
    if (giThreads !== undefined && !(Number.isInteger(giThreads) && giThreads >= 1)) throw new GearsUsageError(`--gi-threads must be an integer ≥ 1, got ${String(values['gi-threads'])}`);
    const stage = evaluateStage(
      {
        datasetDir: at(values.dataset) ?? join(ws, 'dataset'),
        splitPath: at(values.split) ?? join(ws, 'split', 'split.parquet'),
        predictionsPath,
        outDir: at(values.out) ?? join(ws, 'evaluate'),
        giGenesPath: at(values['gi-genes']),
        splits,
        partitionByModel: Boolean(values['partition-by-model']),
        baselines: !values['no-baselines'],
        giThreads,
        // the report's training curve; the same default as gears run, so both write the same rerun key
        trainingHistoryPath: join(ws, 'model', 'training_history.parquet'),
      },
    );
    await runStageCommand(stage, { force: true, wait: Boolean(values.wait), log: ctx.log });
  },
};
