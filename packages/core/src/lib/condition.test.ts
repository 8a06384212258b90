import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalCondition, conditionGenes, conditionName } from './condition.ts';

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
