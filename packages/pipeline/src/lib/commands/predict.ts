import { resolve } from 'node:path';
import { GearsUsageError } from '@gears-pipeline/core';
import { BACKEND_NAMES, runPredict, type BackendName } from '@gears-pipeline/model';
import type { Command } from '../command.ts';

export const predictCommand: Command = {
  name: 'predict',
  summary: 'predict expression after any gene perturbations (needs a trained model)',
  usage: [
    'usage: gears predict [options] [GENE[+GENE...] ...]',
    '',
    '  GENE+GENE                one perturbation per argument: FOXA1, FOXA1+GATA3, A+B+C',
    '  --file PATH              more perturbations, one per line (genes joined by + , or spaces)',
    '  --workspace DIR          (default gears-out)   --checkpoint DIR (default <ws>/model/checkpoint)',
    '  --out DIR                output directory (default <ws>/predictions)',
    '  --backend auto|tensorflow-gpu|tensorflow|onnxruntime|wasm|cpu',
    '',
    'writes predictions.parquet (perturbation, gene, predicted_mean, predicted_delta) and manifest.json',
    'example: gears predict FOXA1 FOXA1+GATA3',
  ].join('\n'),
  options: {
    file: { type: 'string', short: 'f' },
    workspace: { type: 'string', short: 'w' },
    checkpoint: { type: 'string' },
    out: { type: 'string', short: 'o' },
    backend: { type: 'string' },
  },
  async run(values, positionals, ctx) {
    const path = (k: string) => (values[k] === undefined ? undefined : resolve(ctx.cwd, String(values[k])));
    if (values.backend !== undefined && !BACKEND_NAMES.includes(values.backend as BackendName)) {
      throw new GearsUsageError(`--backend must be one of ${BACKEND_NAMES.join(', ')}, got ${String(values.backend)}`);
    }
    const r = await runPredict(
      {
        workspace: path('workspace') ?? resolve(ctx.cwd, 'gears-out'),
        checkpoint: path('checkpoint'),
        outDir: path('out'),
        perturbations: positionals.map((p) => p.split('+').filter((g) => g.length > 0 && g !== 'ctrl')),
        perturbationsFile: path('file'),
        backend: values.backend as BackendName | undefined,
      },
      ctx.log,
    );
    process.stdout.write(`predicted ${r.perturbations.length} perturbations (${r.rows} rows) → ${r.outDir}/predictions.parquet\n`);
  },
};
