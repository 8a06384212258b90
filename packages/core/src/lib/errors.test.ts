// System errors become the one-line form with the path, the failing call and a fix.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeSystemError } from './errors.ts';

const dir = mkdtempSync(join(tmpdir(), 'gears-syserr-'));

function caught(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

test('ENOENT, EISDIR, ENOTDIR and mkdir through a file: path, call, problem, fix on one line', () => {
  const file = join(dir, 'f');
  writeFileSync(file, 'x');
  const cases: Array<[unknown, RegExp]> = [
    [caught(() => readFileSync(join(dir, 'missing.tsv'))), /missing\.tsv: open: does not exist \[ENOENT\]\. Fix: check the path/],
    [caught(() => openSync(dir, 'w')), /gears-syserr-\w+: open: is a directory where a file is needed \[EISDIR\]/],
    [caught(() => writeFileSync(join(file, 'x'), '')), /f\/x: open: has a part that is a file, not a directory \[ENOTDIR\]/],
    [caught(() => mkdirSync(join(file, 'out'), { recursive: true })), /\/f(\/out)?: mkdir: (is a file where a directory is needed|has a part that is a file)/],
  ];
  for (const [e, want] of cases) {
    const line = describeSystemError(e);
    assert.ok(line && !line.includes('\n'), String(e));
    assert.match(line, want);
    assert.match(line, /Fix: /);
  }
  assert.equal(describeSystemError(new Error('plain')), undefined);
  assert.equal(describeSystemError(Object.assign(new Error('x'), { code: 'ERR_SOMETHING' })), undefined);
});
