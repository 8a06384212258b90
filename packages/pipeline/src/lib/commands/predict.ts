import { join, resolve } from 'node:path';
import { GearsInputError, GearsUsageError, checkConditionLabel } from '@gears-pipeline/core';
import { BACKEND_NAMES, PREDICTIONS_FILE, type BackendName, type RunPredictResult } from '@gears-pipeline/model';
import { PREDICTED_GI_FILE, predictedGeneticInteractions } from '@gears-pipeline/evaluate';
import type { Command } from '../command.ts';
import { predictStage } from '../stage-definitions.ts';
import { runStageCommand, WAIT_OPTION, WAIT_USAGE } from '../stage-command.ts';

export const predictCommand: Command = {
  name: 'predict',
  summary: 'predict expression after any gene perturbations (needs a trained model)',
  usage: [
    'usage: gears predict [options] [GENE[+GENE...] ...]',
    '',
    '  GENE+GENE                one perturbation per argument: FOXA1, FOXA1+GATA3, A+B+C',
    '  --file PATH              more perturbations, one per line (genes joined by + , or spaces)',
    '  --split PATH             also every perturbed condition of this split table, as gears run predicts',
    '                           (e.g. <ws>/split/split.parquet, what gears evaluate scores)',
    '  --workspace DIR          (default gears-out)   --checkpoint DIR (default <ws>/model/checkpoint)',
    '  --out DIR                output directory (default <ws>/predictions)',
    '  --backend auto|tensorflow-gpu|tensorflow|onnxruntime|wasm|cpu',
    '  --gi A+B                 genetic-interaction scores of this pair from the predicted singles and double',
    '                           (both singles and the pair are predicted too); repeatable → gi.parquet',
    WAIT_USAGE,
    '',
    'writes predictions.parquet (condition, perturbation, gene, predicted_mean, predicted_delta, …),',
    'predictions.h5ad (AnnData) and manifest.json',
    'example: gears predict FOXA1 FOXA1+GATA3      gears predict --gi FOXA1+GATA3',
  ].join('\n'),
  options: {
    file: { type: 'string', short: 'f' },
    split: { type: 'string' },
    workspace: { type: 'string', short: 'w' },
    checkpoint: { type: 'string' },
    out: { type: 'string', short: 'o' },
    backend: { type: 'string' },
    gi: { type: 'string', multiple: true },
    ...WAIT_OPTION,
  },
  async run(values, positionals, ctx) {
    const path = (k: string) => (values[k] === undefined ? undefined : resolve(ctx.cwd, String(values[k])));
    if (values.backend !== undefined && !BACKEND_NAMES.includes(values.backend as BackendName)) {
      throw new GearsUsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got ${String(values.backend)}`);
    }
    const gi = ((values.gi as string[] | undefined) ?? []).map((c) => c.split(/[+,_\s]+/).filter((g) => g.length > 0 && g !== 'ctrl'));
    for (const pair of gi) if (pair.length !== 2) throw new GearsUsageError(`--gi takes a pair of genes such as FOXA1+GATA3, got ${pair.join('+') || '(nothing)'}`);
    // A++B and A+A would silently become A+B and A alone: refuse them, naming the argument
    positionals.forEach((p, i) => {
      const c = checkConditionLabel(p, { controlLabels: ['ctrl'] });
      if (c.error) throw new GearsInputError({ file: 'gears predict', field: `argument ${i + 1} "${p}"`, problem: c.error, fix: 'join distinct genes with + (e.g. FOXA1+GATA3; a single gene is FOXA1)' });
      if (c.spaces) ctx.log.warn('predict.perturbation_spaces', { argument: p, note: 'white space around genes is ignored' });
    });
    const stage = predictStage(
      {
        workspace: path('workspace') ?? resolve(ctx.cwd, 'gears-out'),
        checkpoint: path('checkpoint'),
        outDir: path('out'),
        perturbations: [...positionals.map((p) => p.split('+').filter((g) => g.length > 0 && g !== 'ctrl')), ...gi.flatMap(([a, b]) => [[a], [b], [a, b]])],
        perturbationsFile: path('file'),
        splitConditions: path('split'),
        backend: values.backend as BackendName | undefined,
      },
    );
    const r = (await runStageCommand(stage, { force: true, wait: Boolean(values.wait), log: ctx.log })).result as RunPredictResult;
    process.stdout.write(`predicted ${r.perturbations.length} perturbations (${r.rows} rows) → ${r.outDir}/predictions.parquet\n`);
    if (gi.length) {
      const rows = await predictedGeneticInteractions({ predictionsPath: join(r.outDir, PREDICTIONS_FILE), combinations: gi.map((p) => p.join('+')) });
      const lines = rows.map((x) => {
        const calls = Object.entries(x.calls).filter(([, v]) => v).map(([k]) => k).join(', ') || 'none';
        return `  ${x.combination}: mag ${x.scores.mag.toFixed(3)} (c1 ${x.scores.c1.toFixed(3)}, c2 ${x.scores.c2.toFixed(3)}), corr_fit ${x.scores.corr_fit.toFixed(3)}, dcor ${x.scores.dcor.toFixed(3)}; calls: ${calls}`;
      });
      process.stdout.write(`genetic interactions (predicted) → ${join(r.outDir, PREDICTED_GI_FILE)}\n${lines.join('\n')}\n`);
    }
  },
};
