import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { GearsInputError } from '@gears-pipeline/core';
import { makeSplit } from './make-split.ts';

const fixture = JSON.parse(
  readFileSync(fileURLToPath(new URL('../../../../../data/reference-synth/reference_split_seed1.json', import.meta.url)), 'utf8'),
);
const ref = fixture['synth_simulation_1_0.75.pkl'] as Record<'train' | 'val' | 'test', string[]>;
const refSub = fixture['synth_simulation_1_0.75_subgroup.pkl'] as Record<'test_subgroup' | 'val_subgroup', Record<string, string[]>>;
// every condition of the synthetic set (after the GO filter), in a scrambled order: the
// simulation split must not depend on the order conditions are listed in
const allConditions = [...ref.test, ...ref.val, ...ref.train].reverse();

const sorted = (xs: string[]) => [...xs].sort();
const inSplit = (r: ReturnType<typeof makeSplit>, s: string) => r.assignments.filter((a) => a.split === s).map((a) => a.condition);

test('simulation split, seed 1, equals the reference split of the synthetic set', () => {
  const r = makeSplit(allConditions, { split: 'simulation', seed: 1 });
  for (const s of ['train', 'val', 'test'] as const) assert.deepEqual(sorted(inSplit(r, s)), sorted(ref[s]), s);
  for (const [group, members] of Object.entries(refSub.test_subgroup)) {
    assert.deepEqual(sorted(r.assignments.filter((a) => a.split === 'test' && a.subgroup === group).map((a) => a.condition)), sorted(members), `test ${group}`);
  }
  for (const [group, members] of Object.entries(refSub.val_subgroup)) {
    assert.deepEqual(sorted(r.assignments.filter((a) => a.split === 'val' && a.subgroup === group).map((a) => a.condition)), sorted(members), `val ${group}`);
  }
  assert.equal(r.assignments.find((a) => a.condition === 'ctrl')?.split, 'train');
  assert.equal(r.excluded.length, 0);
});

test('a different seed gives a different split over the same conditions', () => {
  const a = makeSplit(allConditions, { seed: 1 });
  const b = makeSplit(allConditions, { seed: 2 });
  assert.notDeepEqual(sorted(inSplit(a, 'test')), sorted(inSplit(b, 'test')));
});

test('simulation_single works (the reference crashes) and leaves combinations out, by name', () => {
  const r = makeSplit(allConditions, { split: 'simulation_single', seed: 1 });
  const all = r.assignments.map((a) => a.condition);
  assert.ok(all.every((c) => c === 'ctrl' || c.endsWith('+ctrl')));
  assert.ok(inSplit(r, 'test').length > 0 && inSplit(r, 'val').length > 0);
  assert.ok(r.assignments.filter((a) => a.split !== 'train').every((a) => a.subgroup === 'unseen_single'));
  assert.equal(r.excluded.length, 20);
});

test('held-out gene splits keep sets disjoint and hold out combinations of test genes', () => {
  const singles = Array.from({ length: 40 }, (_, i) => `G${String(i).padStart(2, '0')}+ctrl`);
  const combos = Array.from({ length: 30 }, (_, i) => `G${String(i).padStart(2, '0')}+G${String(i + 10).padStart(2, '0')}`);
  const conditions = ['ctrl', ...singles, ...combos];
  for (const split of ['single', 'combo_seen0', 'combo_seen1', 'combo_seen2'] as const) {
    const r = makeSplit(conditions, { split, seed: 3 });
    const names = r.assignments.map((a) => a.condition);
    assert.equal(new Set(names).size, names.length, split);
    assert.ok(inSplit(r, 'test').length > 0, split);
    if (split === 'single') {
      const testGenes = new Set(inSplit(r, 'test').map((c) => c.split('+')[0]));
      for (const c of inSplit(r, 'train')) for (const g of c.split('+')) assert.ok(!testGenes.has(g), `${c} shares a test gene`);
    }
  }
  const noTest = makeSplit(conditions, { split: 'no_test', seed: 3 });
  assert.equal(inSplit(noTest, 'test').length, 0);
  assert.ok(inSplit(noTest, 'val').every((c) => !c.includes('ctrl')));
  const none = makeSplit(conditions, { split: 'no_split' });
  assert.equal(inSplit(none, 'test').length, conditions.length);
});

test('a split that cannot be made says what it needs and which split works', () => {
  const few = ['ctrl', 'A+ctrl', 'B+ctrl', 'C+ctrl', 'A+B', 'B+C'];
  assert.throws(
    () => makeSplit(few, { split: 'combo_seen2', seed: 1 }),
    (e: unknown) => e instanceof GearsInputError && /needs at least 10 double perturbations/.test(e.message) && /--split simulation/.test(e.message),
  );
  assert.throws(() => makeSplit(['ctrl', 'A+ctrl'], { split: 'simulation' }), (e: unknown) => e instanceof GearsInputError && /empty/.test(e.message));
});

test('custom split from lists: canonical names, control in train, conflicts rejected', () => {
  const r = makeSplit(['ctrl', 'A+ctrl', 'B+ctrl', 'A+B'], { split: 'custom', custom: { train: ['ctrl+A'], val: ['B+ctrl'], test: ['B+A'] } });
  assert.deepEqual(r.assignments.map((a) => [a.condition, a.split]), [['ctrl', 'train'], ['A+ctrl', 'train'], ['B+ctrl', 'val'], ['A+B', 'test']]);
  assert.throws(() => makeSplit(['ctrl', 'A+ctrl'], { split: 'custom', custom: { train: ['A+ctrl'], val: ['A+ctrl'], test: [] } }), GearsInputError);
  assert.throws(() => makeSplit(['ctrl', 'A+ctrl'], { split: 'custom', custom: { train: ['Z+ctrl'], val: [], test: [] } }), /not in the data set/);
});

// Expected lists were computed with NumPy 2.4 by a transcription of the reference's
// `DataSplitter.get_split_list` (fixtures/held-out-splits-seed3.json), on the conditions below.
test('single / combo_seen0/1/2 / no_test draw exactly what the reference draws (seed 3)', () => {
  const expected = JSON.parse(readFileSync(fileURLToPath(new URL('./fixtures/held-out-splits-seed3.json', import.meta.url)), 'utf8'));
  const singles = Array.from({ length: 40 }, (_, i) => `G${String(i).padStart(2, '0')}+ctrl`);
  const combos = Array.from({ length: 30 }, (_, i) => `G${String(i).padStart(2, '0')}+G${String(i + 10).padStart(2, '0')}`);
  const conditions = ['ctrl', ...singles, ...combos];
  for (const split of ['single', 'combo_seen0', 'combo_seen1', 'combo_seen2', 'no_test'] as const) {
    const r = makeSplit(conditions, { split, seed: 3 });
    const ctrlFree = (xs: string[]) => sorted(xs.filter((c) => c !== 'ctrl'));
    for (const s of ['train', 'val', 'test'] as const) assert.deepEqual(ctrlFree(inSplit(r, s)), sorted(expected[split][s]), `${split} ${s}`);
  }
});

test('withReplacement: false holds out exactly the requested number of genes', () => {
  const singles = Array.from({ length: 40 }, (_, i) => `G${String(i).padStart(2, '0')}+ctrl`);
  const conditions = ['ctrl', ...singles];
  for (let seed = 0; seed < 5; seed++) {
    const exact = makeSplit(conditions, { split: 'single', seed, withReplacement: false });
    assert.equal(inSplit(exact, 'test').length, 4, `seed ${seed}`);
  }
  // with replacement (reference) some seed repeats a gene and holds out fewer
  const sizes = Array.from({ length: 20 }, (_, seed) => inSplit(makeSplit(conditions, { split: 'single', seed }), 'test').length);
  assert.ok(sizes.some((n) => n < 4));
});
