import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs';
import { GearsUsageError } from '@gears-pipeline/core';
import { selectBackend } from './backend.ts';

test('auto falls through the missing native packages to wasm and reports why', async () => {
  const events: Record<string, unknown>[] = [];
  const info = await selectBackend('auto', { info: (_e, f) => events.push(f ?? {}), warn() {}, progress() {} });
  assert.equal(info.active, 'wasm');
  assert.equal(tf.getBackend(), 'wasm');
  assert.equal(info.skipped.length, 2, 'tfjs-node-gpu and tfjs-node are not installed here');
  assert.match(info.skipped[0], /tfjs-node-gpu/);
  assert.equal(events.length, 1);
  assert.equal(events[0].active, 'wasm');
  assert.equal(tf.tidy(() => tf.matMul(tf.ones([2, 3]), tf.ones([3, 2])).dataSync()[0]), 3);
});

test('a forced backend runs, and a forced missing one fails with a usage error', async () => {
  const cpu = await selectBackend('cpu');
  assert.equal(cpu.active, 'cpu');
  assert.equal(tf.getBackend(), 'cpu');
  await assert.rejects(selectBackend('tensorflow'), (e: unknown) => e instanceof GearsUsageError && /tfjs-node/.test((e as Error).message));
  await assert.rejects(selectBackend('nope' as never), GearsUsageError);
});
