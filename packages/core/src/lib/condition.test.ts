import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalCondition, checkConditionLabel, conditionGenes, conditionName } from './condition.ts';

test('canonical condition names are order independent and map other conventions', () => {
  assert.equal(canonicalCondition('ctrl+KLF1'), 'KLF1+ctrl');
  assert.equal(canonicalCondition('KLF1+ctrl'), 'KLF1+ctrl');
  assert.equal(canonicalCondition('MAP2K6+KLF1'), 'KLF1+MAP2K6');
  assert.equal(canonicalCondition('control'), 'ctrl');
  assert.equal(canonicalCondition('NegCtrl', { controlLabels: ['NegCtrl'] }), 'ctrl');
  assert.equal(canonicalCondition('B_A_C', { separator: '_' }), 'A+B+C');
  assert.equal(canonicalCondition('KLF1', {}), 'KLF1+ctrl');
  assert.deepEqual(conditionGenes('C+A+B'), ['A', 'B', 'C']);
  assert.equal(conditionName([]), 'ctrl');
});

test('checkConditionLabel: empty and repeated genes are errors, spaces are flagged, controls and separators respected', () => {
  assert.match(checkConditionLabel('A++B').error ?? '', /gene 2 of 3 is empty/);
  assert.match(checkConditionLabel('A+').error ?? '', /gene 2 of 2 is empty/);
  assert.match(checkConditionLabel('A+A').error ?? '', /gene A is named twice/);
  assert.match(checkConditionLabel('A__B', { separator: '_' }).error ?? '', /empty/);
  assert.deepEqual(checkConditionLabel('ctrl+A'), { spaces: false });
  assert.deepEqual(checkConditionLabel('non-targeting'), { spaces: false });
  assert.deepEqual(checkConditionLabel('A+a'), { spaces: false });
  assert.deepEqual(checkConditionLabel('G + ctrl'), { spaces: true });
  assert.deepEqual(checkConditionLabel(''), { spaces: false });
});
