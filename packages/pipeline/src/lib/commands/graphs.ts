import { resolve } from 'node:path';
import { GearsUsageError } from '@gears-pipeline/core';
import { GRAPH_FILES, type GraphsArgs, type GraphsRunResult } from '@gears-pipeline/graphs';
import { readManifest } from '@gears-pipeline/core';
import type { Command } from '../command.ts';
import { graphsStage } from '../stage-definitions.ts';
import { runStageCommand } from '../stage-command.ts';
import { vocabularyArgs, vocabularyOptions, vocabularyUsage } from './split.ts';

function num(name: string, v: unknown, integer: boolean): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) throw new GearsUsageError(`--${name} must be a ${integer ? 'non-negative integer' : 'non-negative number'}, got ${String(v)}`);
  return n;
}

export const graphsCommand: Command = {
  name: 'graphs',
  summary: 'build the GO similarity graph and the co-expression graph (needs ingest and split)',
  usage: [
    'usage: gears graphs [options]',
    '',
    '  --split PATH             split table (default <ws>/split/split.parquet; JSON lists accepted)',
    '  --out DIR                output directory (default <ws>/graphs)',
    '  --go-threshold X         keep GO Jaccard above X (default 0.1)',
    '  --go-top-k K             GO neighbours per gene besides itself (default 20)',
    '  --coexpress-threshold X  keep |Pearson r| above X (default 0.4)',
    '  --coexpress-top-k K      co-expressed genes per gene besides itself (default 20)',
    ...vocabularyUsage,
    '',
    'writes go_edges.parquet, coexpression_edges.parquet (source, target, weight), vocabulary.parquet,',
    'excluded_conditions.parquet and manifest.json',
    'example: gears graphs --ontology BP',
  ].join('\n'),
  options: {
    ...vocabularyOptions,
    split: { type: 'string' },
    out: { type: 'string', short: 'o' },
    'go-threshold': { type: 'string' },
    'go-top-k': { type: 'string' },
    'coexpress-threshold': { type: 'string' },
    'coexpress-top-k': { type: 'string' },
  },
  async run(values, _pos, ctx) {
    const args: GraphsArgs = {
      ...vocabularyArgs(values, ctx.cwd),
      split: values.split === undefined ? undefined : resolve(ctx.cwd, String(values.split)),
      outDir: values.out === undefined ? undefined : resolve(ctx.cwd, String(values.out)),
      goThreshold: num('go-threshold', values['go-threshold'], false),
      goTopK: num('go-top-k', values['go-top-k'], true),
      coexpressThreshold: num('coexpress-threshold', values['coexpress-threshold'], false),
      coexpressTopK: num('coexpress-top-k', values['coexpress-top-k'], true),
    };
    const ev = await runStageCommand(graphsStage(args), { force: Boolean(values.force), wait: Boolean(values.wait), log: ctx.log });
    const rows = (f: string) => readManifest(ev.dir)?.outputs[f]?.rows ?? 0;
    const r: Omit<GraphsRunResult, 'manifest'> =
      ev.status === 'ran' ? (ev.result as GraphsRunResult) : { skipped: true, outDir: ev.dir, vocabularySize: rows(GRAPH_FILES.vocabulary), goEdges: rows(GRAPH_FILES.go), coexpressionEdges: rows(GRAPH_FILES.coexpression) };
    process.stdout.write(
      `${r.skipped ? 'graphs are up to date' : 'graphs written'}: ${r.vocabularySize} genes in the GO vocabulary, ${r.goEdges} GO edges, ` +
        `${r.coexpressionEdges} co-expression edges → ${r.outDir}\n`,
    );
  },
};
