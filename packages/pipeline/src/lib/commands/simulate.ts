import { resolve } from 'node:path';
import { GearsUsageError } from '@gears-pipeline/core';
import { DEFAULT_SIMULATE_ARGS, SIMULATE_PRESETS, runSimulate, type SimulateArgs, type SimulateFormat } from '@gears-pipeline/ingest';
import type { Command } from '../command.ts';

const DEFAULT_SIMULATE_OUT = 'gears-simulated';

function num(name: string, v: unknown, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) throw new GearsUsageError(`--${name} must be ${integer ? 'an integer' : 'a number'}, got ${String(v)}`);
  return n;
}

const d = DEFAULT_SIMULATE_ARGS;
const presets = Object.entries(SIMULATE_PRESETS)
  .map(([k, p]) => `${k} (${p.genes} genes, ${p.singles} singles, ${p.doubles} doubles, ${p.cells} cells)`)
  .join('; ');

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'write a seeded synthetic Perturb-seq data set (h5ad or 10x MTX) with a known regulatory network',
  usage: [
    `usage: gears simulate [--preset ${Object.keys(SIMULATE_PRESETS).join('|')}] [options]`,
    '',
    `  --out DIR               output directory (default ${DEFAULT_SIMULATE_OUT})`,
    '  --format F              h5ad (default) | mtx',
    `  --preset P              ${presets}`,
    `  --cells N               cells in total (default ${d.cells})`,
    `  --genes N               measured genes (default ${d.genes})`,
    `  --singles N             single-gene perturbations (default ${d.singles})`,
    `  --doubles N             two-gene perturbations, pairs of the singles' genes (default ${d.doubles})`,
    `  --control-fraction F    share of control cells (default ${d.controlFraction})`,
    `  --density F             target share of non-zero counts (default ${d.density})`,
    `  --seed N                random seed (default ${d.seed})`,
    `  --mode M                activation (CRISPRa, default) | interference (CRISPRi)`,
    `  --interaction-fraction F  share of doubles with a genetic interaction (default ${d.interactionFraction})`,
    '',
    'writes: perturbseq.h5ad (or mtx/ with matrix.mtx.gz, features.tsv.gz, barcodes.tsv.gz, cell_metadata.tsv),',
    '        gene2go.tsv, network.tsv, conditions.tsv, effects.tsv.gz, simulation.json',
    'example: gears simulate --preset norman --out sim && gears ingest --input sim/perturbseq.h5ad',
  ].join('\n'),
  options: {
    out: { type: 'string', short: 'o' },
    format: { type: 'string' },
    preset: { type: 'string' },
    cells: { type: 'string' },
    genes: { type: 'string' },
    singles: { type: 'string' },
    doubles: { type: 'string' },
    'control-fraction': { type: 'string' },
    density: { type: 'string' },
    seed: { type: 'string' },
    mode: { type: 'string' },
    'interaction-fraction': { type: 'string' },
  },
  async run(values, _pos, ctx) {
    const format = String(values.format ?? 'h5ad');
    if (format !== 'h5ad' && format !== 'mtx') throw new GearsUsageError(`--format must be h5ad or mtx, got ${format}`);
    const mode = values.mode as string | undefined;
    if (mode !== undefined && mode !== 'activation' && mode !== 'interference') throw new GearsUsageError(`--mode must be activation or interference, got ${mode}`);
    const args: Partial<SimulateArgs> = {
      cells: num('cells', values.cells, true),
      genes: num('genes', values.genes, true),
      singles: num('singles', values.singles, true),
      doubles: num('doubles', values.doubles, true),
      controlFraction: num('control-fraction', values['control-fraction'], false),
      density: num('density', values.density, false),
      seed: num('seed', values.seed, true),
      mode: mode as SimulateArgs['mode'] | undefined,
      interactionFraction: num('interaction-fraction', values['interaction-fraction'], false),
    };
    const out = resolve(ctx.cwd, String(values.out ?? DEFAULT_SIMULATE_OUT));
    const r = await runSimulate({ out, format: format as SimulateFormat, preset: values.preset as string | undefined, args, log: ctx.log });
        process.stdout.write(
      `simulated ${r.matrix.cells} cells × ${r.matrix.genes} genes in ${r.sim.conditions.length} conditions (${r.matrix.nonZero} non-zero) → ${r.dataPath}\n` +
        `next: gears ingest --input ${r.dataPath}; GO table for the graphs stage: ${r.geneOntology}\n`,
    );
  },
};
