import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { GearsInputError } from '@gears-pipeline/core';
import type { Command } from '../command.ts';
import { applyFlags, configFlagOptions, readConfigFile, stripJsonComments } from '../config.ts';
import { defaultConfig } from '../config-schema.ts';
import { runPipeline } from '../orchestrator.ts';
import { buildStages, resolveInputPath, STAGE_DIRS, STAGE_NAMES } from '../stages.ts';

/** config fields holding paths */
const PATH_FIELDS = [['run', 'out'], ['ingest', 'input'], ['ingest', 'cellMetadata'], ['split', 'file'], ['graphs', 'goTable'], ['evaluate', 'giGenes']] as const;
import { formsLine, headlineMetrics, noChangeVerdict, trainForms } from '../summary.ts';

export const runCommand: Command = {
  name: 'run',
  summary: 'run the pipeline (ingest → split → graphs → train → predict → evaluate), skipping unchanged stages',
  usage: [
    'usage: gears run [--config gears.config.json] [--force] [--<section>.<field> value ...]',
    '',
    'Without --config the defaults run on the bundled Norman 2019 subset. Every config field is',
    'also a flag, e.g. --train.epochs 5 --run.out results --run.stages ingest,split.',
    'A stage whose config, input files and upstream outputs are unchanged is skipped;',
    '--force reruns every selected stage. See `gears init` for all fields.',
    'One gears process at a time per output directory: --wait waits for another one to finish',
    'instead of failing.',
  ].join('\n'),
  options: {
    config: { type: 'string', short: 'c' },
    force: { type: 'boolean' },
    wait: { type: 'boolean' },
    ...configFlagOptions(),
  },
  async run(values, _pos, ctx) {
    const configPath = values.config ? resolve(ctx.cwd, String(values.config)) : undefined;
    const fromFile = configPath ? readConfigFile(configPath) : defaultConfig();
    const config = applyFlags(fromFile, values);
    // Paths in a config file are relative to the file; flags and defaults to the working directory.
    const baseDir = configPath ? dirname(configPath) : ctx.cwd;
    // checked here, where the config file is known, so the message names it
    for (const st of config.run.stages as string[]) {
      if (!(STAGE_NAMES as readonly string[]).includes(st)) {
        throw new GearsInputError({ file: configPath ?? '(command-line flags)', field: 'run.stages', problem: `names an unknown stage '${st}'`, fix: `use some of ${STAGE_NAMES.join(', ')} (in that order)` });
      }
    }
    // ... so a path given as a flag is made absolute here, against the working directory
    for (const [section, key] of PATH_FIELDS) {
      const v = values[`${section}.${key}`];
      if (typeof v === 'string' && v) config[section][key] = section === 'run' ? resolve(ctx.cwd, v) : resolveInputPath(v, ctx.cwd);
    }
    const ingestInFile = configPath ? ingestKeysInFile(configPath) : [];
    const stages = buildStages(config, baseDir, {
      inputGiven: values['ingest.input'] !== undefined || ingestInFile.includes('input'),
      ingestSettingsGiven: Object.keys(values).some((k) => k.startsWith('ingest.') && k !== 'ingest.input') || ingestInFile.some((k) => k !== 'input'),
      log: ctx.log,
    });
    const out = resolve(baseDir, String(config.run.out));
    const events = await runPipeline(stages, { force: Boolean(values.force), wait: Boolean(values.wait), runDir: out, log: ctx.log });
    const rel = (p: string) => relative(ctx.cwd, p) || '.';
    const ran = events.filter((e) => e.status === 'ran').map((e) => e.stage);
    const lines = [`gears run: ${ran.length ? `ran ${ran.join(', ')}` : 'everything up to date'}; outputs in ${rel(out)}/`];
    if ((config.run.stages as string[]).includes('evaluate') || events.length === STAGE_NAMES.length) {
      const ev = join(out, STAGE_DIRS.evaluate);
      // evaluate's predictions table: predicted and observed side by side, joins metrics.parquet
      lines.push(`  predictions: ${rel(join(ev, 'predictions.parquet'))}   (every perturbation asked for: ${rel(join(out, STAGE_DIRS.predict, 'predictions.parquet'))})`);
      lines.push(`  metrics:     ${rel(join(ev, 'metrics.parquet'))} (per condition), ${rel(join(ev, 'metrics_summary.parquet'))} (means)`);
      lines.push(`  report:      ${rel(join(ev, 'report.html'))}   tables explained: ${rel(join(out, 'README.md'))}`);
      const rows = await headlineMetrics(ev, ['pearson_delta', 'mse_de']);
      const forms = trainForms(join(out, STAGE_DIRS.train));
      const overall = rows.filter((r) => r.subgroup === 'overall');
      const fmt = (model: string, metric: string) => {
        const r = overall.find((x) => x.model === model && x.metric === metric);
        return r && Number.isFinite(r.value) ? r.value.toFixed(3) : 'n/a';
      };
      const baselines = [...new Set(overall.map((r) => r.model))].filter((m) => m !== 'gears');
      if (overall.length) {
        lines.push(`  test Pearson delta (higher is better): gears ${fmt('gears', 'pearson_delta')} | ${baselines.map((b) => `${b} ${fmt(b, 'pearson_delta')}`).join(' | ')}`);
        lines.push(`  test top-20 DE MSE (lower is better):  gears ${fmt('gears', 'mse_de')} | ${baselines.map((b) => `${b} ${fmt(b, 'mse_de')}`).join(' | ')}`);
        lines.push(...noChangeVerdict(rows, forms));
      }
      const line = formsLine(forms);
      if (line) lines.push(line);
    }
    process.stdout.write(lines.join('\n') + '\n');
  },
};

/** The ingest settings a config file names (the rest are defaults). */
function ingestKeysInFile(path: string): string[] {
  const raw = JSON.parse(stripJsonComments(readFileSync(path, 'utf8'))) as { ingest?: Record<string, unknown> };
  return Object.keys(raw.ingest ?? {});
}
