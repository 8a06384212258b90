import { test } from 'node:test';
import assert from 'node:assert/strict';
import { commands } from './index.ts';

test('every catalogued command loads, and its name and summary match the catalogue', async () => {
  for (const entry of commands) {
    const cmd = await entry.load();
    assert.equal(cmd.name, entry.name);
    assert.equal(cmd.summary, entry.summary);
    assert.ok(cmd.usage.includes(`gears ${entry.name}`), `usage of ${entry.name} names the command`);
  }
});
