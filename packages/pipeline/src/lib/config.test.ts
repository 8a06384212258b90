import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyFlags, exampleConfigText, stripJsonComments, validateConfig } from './config.ts';
import { defaultConfig } from './config-schema.ts';

test('the example written by gears init parses back to the defaults', () => {
  const parsed = JSON.parse(stripJsonComments(exampleConfigText()));
  assert.deepEqual(validateConfig(parsed, 'gears.config.json'), defaultConfig());
});

test('a wrong type, an unknown key and an out-of-range value each name the field and the fix', () => {
  assert.throws(() => validateConfig({ train: { epochs: 'ten' } }, 'c.json'), /c\.json: train\.epochs: must be a number.*Fix:/);
  assert.throws(() => validateConfig({ train: { epoch: 3 } }, 'c.json'), /train\.epoch: is not a known setting.*epochs/);
  assert.throws(() => validateConfig({ split: { trainGeneSetSize: 2 } }, 'c.json'), /must be ≤ 1/);
  assert.throws(() => validateConfig({ split: { type: 'random' } }, 'c.json'), /must be one of simulation/);
  assert.throws(() => validateConfig({ model: {} }, 'c.json'), /model: is not a config section/);
});

test('flags override the file and are validated', () => {
  const c = applyFlags(validateConfig({ train: { epochs: 3 } }, 'c.json'), { 'train.epochs': '7', 'ingest.controlLabels': ['control,NT'] });
  assert.equal(c.train.epochs, 7);
  assert.deepEqual(c.ingest.controlLabels, ['control', 'NT']);
  assert.throws(() => applyFlags(c, { 'train.lr': 'fast' }), (e: Error) => e.name === 'GearsUsageError' && /^--train\.lr: must be a number/.test(e.message));
});
