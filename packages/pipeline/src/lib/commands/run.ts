import { dirname, join, relative, resolve } from 'node:path';
import type { Command } from '../command.ts';
import { applyFlags, configFlagOptions, readConfigFile } from '../config.ts';
import { defaultConfig } from '../config-schema.ts';
import { runPipeline } from '../orchestrator.ts';
import { buildStages, STAGE_DIRS, STAGE_NAMES } from '../stages.ts';
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
  ].join('\n'),
  options: {
    config: { type: 'string', short: 'c' },
    force: { type: 'boolean' },
    ...configFlagOptions(),
  },
  async run(values, _pos, ctx) {
    const configPath = values.config ? resolve(ctx.cwd, String(values.config)) : undefined;
    const fromFile = configPath ? readConfigFile(configPath) : defaultConfig();
    const config = applyFlags(fromFile, values);
    // Paths in a config file are relative to the file; flags and defaults to the working directory.
    const baseDir = configPath ? dirname(configPath) : ctx.cwd;
    const stages = buildStages(config, baseDir);
    const events = await runPipeline(stages, { force: Boolean(values.force), log: ctx.log });
    const out = resolve(baseDir, String(config.run.out));
    const rel = (p: string) => relative(ctx.cwd, p) || '.';
    const ran = events.filter((e) => e.status === 'ran').map((e) => e.stage);
    const lines = [`gears run: ${ran.length ? `ran ${ran.join(', ')}` : 'everything up to date'}; outputs in ${rel(out)}/`];
    if ((config.run.stages as string[]).includes('evaluate') || events.length === STAGE_NAMES.length) {
      const ev = join(out, STAGE_DIRS.evaluate);
      lines.push(`  predictions: ${rel(join(out, STAGE_DIRS.predict, 'predictions.parquet'))}`);
      lines.push(`  metrics:     ${rel(join(ev, 'metrics.parquet'))}   report: ${rel(join(ev, 'report.html'))}`);
      const rows = await headlineMetrics(ev, ['pearson_delta', 'mse_de']);
      const forms = trainForms(join(out, STAGE_DIRS.train));
      const overall = rows.filter((r) => r.subgroup === 'overall');
      const fmt = (model: string, metric: string) => {
        const r = overall.find((x) => x.model === model && x.metric === metric);
        return r ? r.value.toFixed(3) : 'n/a';
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
