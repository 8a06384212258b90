import { join, resolve } from 'node:path';
import { GearsUsageError } from '@gears-pipeline/core';
import { DEFAULT_WORKSPACE, ONTOLOGIES, SPLIT_FILE, SPLIT_TYPES, readSplit, type Ontology, type SplitArgs, type SplitRunResult, type SplitType } from '@gears-pipeline/graphs';
import { readManifest } from '@gears-pipeline/core';
import type { Command } from '../command.ts';
import { splitStage } from '../stage-definitions.ts';
import { runStageCommand, WAIT_OPTION, WAIT_USAGE } from '../stage-command.ts';

function num(name: string, v: unknown, check: (n: number) => boolean, what: string): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || !check(n)) throw new GearsUsageError(`--${name} must be ${what}, got ${String(v)}`);
  return n;
}

function list(v: unknown): string[] | undefined {
  if (v === undefined) return undefined;
  return (Array.isArray(v) ? v : [v]).flatMap((s) => String(s).split(',')).map((s) => s.trim()).filter(Boolean);
}

/** Options shared by `gears split` and `gears graphs` (vocabulary inputs). */
export const vocabularyOptions = {
  workspace: { type: 'string', short: 'w' },
  dataset: { type: 'string' },
  gene2go: { type: 'string' },
  ontology: { type: 'string', multiple: true },
  evidence: { type: 'string', multiple: true },
  'gene-list': { type: 'string' },
  force: { type: 'boolean' },
  ...WAIT_OPTION,
} as const;

export const vocabularyUsage = [
  `  --workspace DIR          workspace (default ${DEFAULT_WORKSPACE}): reads <ws>/dataset, writes inside it`,
  '  --dataset DIR            dataset directory written by gears ingest (default <ws>/dataset)',
  '  --gene2go PATH           gene → GO table: TSV (symbol + go_id columns) or GAF 2.x, .gz ok (default: bundled human table)',
  '  --ontology O             keep only BP, CC and/or MF annotations; repeatable or comma-separated (default all three)',
  '  --evidence CODES         keep only annotations with these evidence codes, e.g. EXP,IDA,IPI (default any)',
  '  --gene-list PATH         vocabulary candidates, one symbol per line (default measured + perturbed genes)',
  '  --force                  rerun even when the outputs are current',
  WAIT_USAGE,
];

/** Parses the shared vocabulary options. */
export function vocabularyArgs(values: Record<string, unknown>, cwd: string) {
  const at = (p: unknown) => (p === undefined ? undefined : resolve(cwd, String(p)));
  const ontologies = list(values.ontology)?.map((o) => o.toUpperCase());
  for (const o of ontologies ?? []) if (!ONTOLOGIES.includes(o as Ontology)) throw new GearsUsageError(`--ontology must be BP, CC or MF, got ${o}`);
  return {
    workspace: at(values.workspace ?? DEFAULT_WORKSPACE),
    dataset: at(values.dataset),
    gene2go: at(values.gene2go),
    ontologies: ontologies as Ontology[] | undefined,
    evidenceCodes: list(values.evidence),
    geneList: at(values['gene-list']),
    force: Boolean(values.force),
  };
}

export const splitCommand: Command = {
  name: 'split',
  summary: 'assign conditions to train / val / test, seed for seed as the reference GEARS',
  usage: [
    'usage: gears split [options]',
    '',
    `  --split S                ${SPLIT_TYPES.join('|')} (default simulation)`,
    '  --seed N                 random seed (default 1; same seed = same split as the reference)',
    '  --train-gene-set-size F  fraction of perturbed genes seen in training (simulation; default 0.75)',
    '  --combo-seen2-train-frac F  fraction of seen-seen combinations in training (simulation; default 0.75)',
    '  --test-fraction F        held-out fraction for single / combo_seen* / no_test (default 0.1)',
    '  --val-fraction F         validation fraction for single / combo_seen* (default 0.1)',
    '  --without-replacement    single / combo_seen* / no_test: draw held-out genes without replacement',
    '                           (the reference draws with replacement, so repeats shrink the held-out set)',
    '  --split-file PATH        custom split: JSON {"train":[…],"val":[…],"test":[…]} or Parquet (condition, split, subgroup)',
    '  --out DIR                output directory (default <ws>/split)',
    ...vocabularyUsage,
    '',
    'Conditions with a gene outside the GO vocabulary are excluded and reported by name.',
    'example: gears split --split simulation --seed 1',
  ].join('\n'),
  options: {
    ...vocabularyOptions,
    split: { type: 'string' },
    seed: { type: 'string' },
    'train-gene-set-size': { type: 'string' },
    'combo-seen2-train-frac': { type: 'string' },
    'test-fraction': { type: 'string' },
    'val-fraction': { type: 'string' },
    'split-file': { type: 'string' },
    'without-replacement': { type: 'boolean' },
    out: { type: 'string', short: 'o' },
  },
  async run(values, _pos, ctx) {
    const split = String(values.split ?? 'simulation');
    if (!(SPLIT_TYPES as readonly string[]).includes(split)) throw new GearsUsageError(`--split must be one of ${SPLIT_TYPES.join(', ')}, got ${split}`);
    const fraction = (n: number) => n > 0 && n < 1;
    const args: SplitArgs = {
      ...vocabularyArgs(values, ctx.cwd),
      split: split as SplitType,
      seed: num('seed', values.seed, (n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'an integer between 0 and 2^32-1'),
      trainGeneSetSize: num('train-gene-set-size', values['train-gene-set-size'], fraction, 'a fraction between 0 and 1'),
      comboSeen2TrainFrac: num('combo-seen2-train-frac', values['combo-seen2-train-frac'], fraction, 'a fraction between 0 and 1'),
      testFraction: num('test-fraction', values['test-fraction'], fraction, 'a fraction between 0 and 1'),
      valFraction: num('val-fraction', values['val-fraction'], fraction, 'a fraction between 0 and 1'),
      withReplacement: !values['without-replacement'],
      splitFile: values['split-file'] === undefined ? undefined : resolve(ctx.cwd, String(values['split-file'])),
      outDir: values.out === undefined ? undefined : resolve(ctx.cwd, String(values.out)),
    };
    if (split === 'custom' && !args.splitFile) throw new GearsUsageError('--split custom needs --split-file <json|parquet>');
    const ev = await runStageCommand(splitStage(args), { force: Boolean(values.force), wait: Boolean(values.wait), log: ctx.log });
    const path = join(ev.dir, SPLIT_FILE);
    const r: Pick<SplitRunResult, 'skipped' | 'assignments' | 'excluded' | 'path'> =
      ev.status === 'ran' ? (ev.result as SplitRunResult) : { skipped: true, path, assignments: await readSplit(path), excluded: (readManifest(ev.dir)?.notes?.excluded as SplitRunResult['excluded']) ?? [] };
    const count = (s: string) => r.assignments.filter((a) => a.split === s).length;
    process.stdout.write(
      `${r.skipped ? 'split is up to date' : 'split written'}: train ${count('train')}, val ${count('val')}, test ${count('test')} conditions` +
        `${r.excluded.length ? `, ${r.excluded.length} excluded` : ''} → ${r.path}\n`,
    );
  },
};
