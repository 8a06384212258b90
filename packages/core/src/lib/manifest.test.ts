import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sha256File } from './manifest.ts';

const sha = (s: string) => createHash('sha256').update(s).digest('hex');

test('sha256File hashes the content, and a file changed in place (same size) is hashed again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-sha-'));
  try {
    const p = join(dir, 'a.txt');
    writeFileSync(p, 'x'.repeat(3_000_000));
    assert.equal(await sha256File(p), sha('x'.repeat(3_000_000)));
    assert.equal(await sha256File(p), sha('x'.repeat(3_000_000)), 'remembered');
    writeFileSync(p, 'y'.repeat(3_000_000));
    assert.equal(await sha256File(p), sha('y'.repeat(3_000_000)));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
