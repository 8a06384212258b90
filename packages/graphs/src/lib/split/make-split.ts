/**
 * `makeSplit`: assigns every condition to train / val / test the way the reference
 * `PertData.prepare_split` does, seed for seed, and fails with an actionable message where the
 * reference would crash later with `KeyError: 'val'`.
 */
import { CONTROL, GearsInputError, canonicalCondition, type SplitAssignment } from '@gears-pipeline/core';
import { LegacyRandomState } from './legacy-random.ts';
import { simulationPass, simulationSinglePass, combosOf, type SimulationSubgroups } from './simulation.ts';
import { heldOutPass, type HeldOutKind } from './held-out.ts';
import { genesOf, isSingle, isCombo } from './perturbations.ts';

export const SPLIT_TYPES = [
  'simulation',
  'simulation_single',
  'combo_seen0',
  'combo_seen1',
  'combo_seen2',
  'single',
  'no_test',
  'no_split',
  'custom',
] as const;
export type SplitType = (typeof SPLIT_TYPES)[number];

export const DEFAULT_SPLIT: SplitType = 'simulation';
export const DEFAULT_SEED = 1;
export const DEFAULT_TRAIN_GENE_SET_SIZE = 0.75;
export const DEFAULT_COMBO_SEEN2_TRAIN_FRAC = 0.75;
/** `combo_single_split_test_set_fraction` of the reference */
export const DEFAULT_TEST_FRACTION = 0.1;
export const DEFAULT_VAL_FRACTION = 0.1;
/** the reference carves validation from train with these fixed fractions */
export const SIMULATION_VAL_FRACTION = 0.9;

export interface SplitOptions {
  split?: SplitType;
  seed?: number;
  trainGeneSetSize?: number;
  comboSeen2TrainFrac?: number;
  testFraction?: number;
  valFraction?: number;
  /**
   * `single`, `combo_seen*`, `no_test`: draw held-out genes / combinations with replacement as
   * the reference does (default true), so repeats shrink the held-out set
   */
  withReplacement?: boolean;
  /** for `custom`: the condition lists (JSON form) or a pinned split table, used as they are */
  custom?: CustomSplitLists | SplitAssignment[];
  /** shown in error messages (the file the conditions came from) */
  source?: string;
}

export interface CustomSplitLists {
  train: string[];
  val: string[];
  test: string[];
}

export interface SplitResult {
  split: SplitType;
  seed: number;
  assignments: SplitAssignment[];
  /** conditions given that ended in no set, and why */
  excluded: { condition: string; reason: string }[];
}

interface RawSplit {
  train: string[];
  val: string[];
  test: string[];
  testSubgroups?: SimulationSubgroups;
  valSubgroups?: SimulationSubgroups;
  discarded: { condition: string; reason: string }[];
}

function resolved(o: SplitOptions) {
  return {
    split: o.split ?? DEFAULT_SPLIT,
    seed: o.seed ?? DEFAULT_SEED,
    trainGeneSetSize: o.trainGeneSetSize ?? DEFAULT_TRAIN_GENE_SET_SIZE,
    comboSeen2TrainFrac: o.comboSeen2TrainFrac ?? DEFAULT_COMBO_SEEN2_TRAIN_FRAC,
    testFraction: o.testFraction ?? DEFAULT_TEST_FRACTION,
    valFraction: o.valFraction ?? DEFAULT_VAL_FRACTION,
    withReplacement: o.withReplacement ?? true,
  };
}

function rawSplit(perts: string[], o: SplitOptions): RawSplit {
  const r = resolved(o);
  const rng = new LegacyRandomState(r.seed);
  switch (r.split) {
    case 'simulation': {
      const outer = simulationPass(perts, r.trainGeneSetSize, r.comboSeen2TrainFrac, r.seed, rng);
      const inner = simulationPass(outer.train, SIMULATION_VAL_FRACTION, SIMULATION_VAL_FRACTION, r.seed, rng);
      return { train: inner.train, val: inner.test, test: outer.test, testSubgroups: outer.subgroups, valSubgroups: inner.subgroups, discarded: [] };
    }
    case 'simulation_single': {
      const outer = simulationSinglePass(perts, r.trainGeneSetSize, r.seed, rng);
      const inner = simulationSinglePass(outer.train, SIMULATION_VAL_FRACTION, r.seed, rng);
      const discarded = combosOf(perts).map((condition) => ({ condition, reason: 'simulation_single splits single perturbations only' }));
      return { train: inner.train, val: inner.test, test: outer.test, testSubgroups: outer.subgroups, valSubgroups: inner.subgroups, discarded };
    }
    case 'no_test': {
      const part = heldOutPass(perts, 'no_test', r.testFraction, rng, r.withReplacement);
      return { train: part.train, val: part.heldOut, test: [], discarded: part.discarded.map(discardReason) };
    }
    case 'single':
    case 'combo_seen0':
    case 'combo_seen1':
    case 'combo_seen2': {
      const kind = r.split as HeldOutKind;
      const outer = heldOutPass(perts, kind, r.testFraction, rng, r.withReplacement);
      const inner = heldOutPass(outer.train, kind, r.valFraction, rng, r.withReplacement);
      return {
        train: inner.train,
        val: inner.heldOut,
        test: outer.heldOut,
        discarded: [...outer.discarded, ...inner.discarded].map(discardReason),
      };
    }
    case 'no_split':
      return { train: [], val: [], test: [...perts], discarded: [] };
    case 'custom':
      throw new Error('custom splits are handled by makeSplit');
  }
}

function discardReason(condition: string) {
  return { condition, reason: 'combination containing a held-out gene (held out of training, as the reference does)' };
}

function subgroupOf(groups: SimulationSubgroups | undefined, condition: string): SplitAssignment['subgroup'] {
  if (!groups) return '';
  for (const key of ['combo_seen0', 'combo_seen1', 'combo_seen2', 'unseen_single'] as const) {
    if (groups[key].includes(condition)) return key;
  }
  return '';
}

/** Which of the other split types would give non-empty train, val and test here. */
function workingAlternatives(perts: string[], o: SplitOptions, failed: SplitType): SplitType[] {
  const out: SplitType[] = [];
  for (const split of SPLIT_TYPES) {
    if (split === failed || split === 'custom' || split === 'no_split') continue;
    try {
      const raw = rawSplit(perts, { ...o, split });
      if (missingSets(split, raw).length === 0) out.push(split);
    } catch {
      /* not an option here */
    }
  }
  return out;
}

function missingSets(split: SplitType, raw: RawSplit): string[] {
  if (split === 'no_split') return raw.test.length ? [] : ['test'];
  const missing: string[] = [];
  // training always has control; a model needs perturbed training conditions too
  if (raw.train.length === 0) missing.push('train');
  if (raw.val.length === 0) missing.push('val');
  if (split !== 'no_test' && raw.test.length === 0) missing.push('test');
  return missing;
}

/** What each split type needs, in words, for the error message. */
function requirement(split: SplitType, o: SplitOptions): string {
  const r = resolved(o);
  const minFor = (f: number) => Math.ceil(1 / f - 1e-12);
  switch (split) {
    case 'simulation':
    case 'simulation_single':
      return 'at least 3 perturbed genes (a quarter held out for test, a tenth of the rest for validation)';
    case 'single':
    case 'combo_seen0':
    case 'combo_seen1':
      return `at least ${minFor(r.testFraction)} single perturbations for test and ${minFor(r.valFraction)} more for validation (test fraction ${r.testFraction}, validation fraction ${r.valFraction})`;
    case 'combo_seen2':
      return `at least ${minFor(r.testFraction)} double perturbations for test and ${minFor(r.valFraction)} more for validation`;
    case 'no_test':
      return `at least ${minFor(r.testFraction)} double perturbations (validation is drawn from the combinations)`;
    default:
      return 'a non-empty condition list';
  }
}

/**
 * Splits perturbation conditions (canonical names; `ctrl` may be included and always goes to
 * train) into train / val / test with subgroups, identically to the reference for the same seed.
 *
 * @throws GearsInputError when a required set would be empty, naming how many perturbations
 *   the split needs and which split types would work on these conditions.
 */
export function makeSplit(conditions: readonly string[], options: SplitOptions = {}): SplitResult {
  const r = resolved(options);
  const perts = conditions.filter((c) => c !== CONTROL);
  if (r.split === 'custom') return customSplit(conditions, options);
  const raw = rawSplit(perts, options);
  const missing = missingSets(r.split, raw);
  if (missing.length > 0) {
    const alternatives = workingAlternatives(perts, options, r.split);
    const nSingles = perts.filter(isSingle).length;
    const nCombos = perts.filter(isCombo).length;
    throw new GearsInputError({
      file: options.source ?? 'conditions',
      field: 'split',
      problem:
        `split '${r.split}' (seed ${r.seed}) leaves the ${missing.join(' and ')} set empty: the data have ` +
        `${genesOf(perts).length} perturbed genes, ${nSingles} single and ${nCombos} double perturbations; ` +
        `'${r.split}' needs ${requirement(r.split, options)}`,
      fix: alternatives.length
        ? `use --split ${alternatives.join(' or --split ')}, or pin a split with --split custom --split-file <json|parquet>`
        : 'add perturbations, or pin a split with --split custom --split-file <json|parquet> (use --split no_split to only predict)',
    });
  }
  const assignments: SplitAssignment[] = [];
  const seen = new Set<string>();
  const add = (condition: string, split: SplitAssignment['split'], subgroup: SplitAssignment['subgroup']) => {
    if (seen.has(condition)) return;
    seen.add(condition);
    assignments.push({ condition, split, subgroup });
  };
  if (r.split === 'no_split') {
    for (const c of conditions) add(c, 'test', '');
  } else {
    add(CONTROL, 'train', '');
    for (const c of raw.train) add(c, 'train', '');
    for (const c of raw.val) add(c, 'val', subgroupOf(raw.valSubgroups, c));
    for (const c of raw.test) add(c, 'test', subgroupOf(raw.testSubgroups, c));
  }
  const excluded = [...raw.discarded];
  for (const c of conditions) {
    if (!seen.has(c) && !excluded.some((e) => e.condition === c)) excluded.push({ condition: c, reason: 'not assigned by the split' });
  }
  return { split: r.split, seed: r.seed, assignments, excluded };
}

function customSplit(conditions: readonly string[], options: SplitOptions): SplitResult {
  const custom = options.custom;
  const source = options.source ?? 'custom split';
  if (!custom) {
    throw new GearsInputError({ file: source, field: 'split', problem: "split 'custom' needs the condition lists", fix: 'pass --split-file <json|parquet> with {"train": [...], "val": [...], "test": [...]}' });
  }
  const known = new Set(conditions);
  const assignments: SplitAssignment[] = [];
  const seen = new Map<string, string>();
  const rows: SplitAssignment[] = Array.isArray(custom)
    ? custom
    : (['train', 'val', 'test'] as const).flatMap((split) => (custom[split] ?? []).map((condition) => ({ condition, split, subgroup: '' as const })));
  for (const { condition: written, split, subgroup } of rows) {
    const c = canonicalCondition(written);
    if (seen.has(c) && seen.get(c) !== split) {
      throw new GearsInputError({ file: source, field: split, problem: `condition '${c}' is listed in both ${seen.get(c)} and ${split}`, fix: 'list every condition in one set only' });
    }
    if (seen.has(c)) continue;
    if (known.size > 0 && !known.has(c)) {
      throw new GearsInputError({ file: source, field: split, problem: `condition '${c}' is not in the data set`, fix: `use condition names as the data set spells them (canonical: 'A+ctrl', 'A+B' sorted), e.g. ${[...known].slice(0, 3).join(', ')}` });
    }
    seen.set(c, split);
    assignments.push({ condition: c, split, subgroup });
  }
  if (!seen.has(CONTROL) && known.has(CONTROL)) assignments.unshift({ condition: CONTROL, split: 'train', subgroup: '' });
  const excluded = conditions.filter((c) => !seen.has(c) && c !== CONTROL).map((condition) => ({ condition, reason: 'not listed in the custom split' }));
  return { split: 'custom', seed: options.seed ?? DEFAULT_SEED, assignments, excluded };
}
