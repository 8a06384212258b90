import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { main } from './cli.ts';
import { closest, editDistance, joinNegativeValues } from './lib/argv.ts';

/** Runs `gears <argv>` in this process and returns its exit code and what it printed. */
async function gears(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, { stdout: { write: (t: string) => (stdout += t) }, stderr: { write: (t: string) => (stderr += t) } });
  return { code, stdout, stderr };
}

test('gears --version and -V print the pipeline package version and exit 0', async () => {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  for (const flag of ['--version', '-V']) {
    const r = await gears([flag]);
    assert.equal(r.code, 0);
    assert.equal(r.stdout, `${version}\n`);
  }
});

test('a mistyped command or flag exits 2 and suggests the nearest name', async () => {
  const cmd = await gears(['rnu']);
  assert.equal(cmd.code, 2);
  assert.match(cmd.stderr, /unknown command 'rnu'; did you mean run\?/);
  const flag = await gears(['run', '--train.epoch', '3']);
  assert.equal(flag.code, 2);
  assert.match(flag.stderr, /unknown option --train\.epoch; did you mean --train\.epochs\?/);
  const far = await gears(['run', '--colour', 'red']);
  assert.equal(far.code, 2);
  assert.doesNotMatch(far.stderr, /did you mean/);
});

test('a bad flag value exits 2 (bad usage), naming the flag and the allowed range', async () => {
  const r = await gears(['run', '--quiet', '--train.epochs', 'x']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--train\.epochs: must be a number/);
});

test('a negative number after a space reaches the range check', async () => {
  const r = await gears(['run', '--quiet', '--train.epochs', '-3']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /--train\.epochs: must be ≥ 1, got -3/);
  assert.doesNotMatch(r.stderr, /ambiguous/);
});

test('edit distance and the suggestion threshold', () => {
  assert.equal(editDistance('kitten', 'sitting'), 3);
  assert.equal(editDistance('', 'abc'), 3);
  assert.equal(editDistance('rnu', 'run'), 1);
  assert.equal(closest('trian', ['train', 'predict']), 'train');
  assert.equal(closest('xyz', ['train', 'predict']), undefined);
  assert.deepEqual(joinNegativeValues(['--a', '-3', '-b', '-.5', '--flag', '--a', 'x', '--', '--a', '-1'], { a: { type: 'string', short: 'b' }, flag: { type: 'boolean' } }), ['--a=-3', '-b-.5', '--flag', '--a', 'x', '--', '--a', '-1']);
});
