import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { GearsInputError } from '@gears-pipeline/core';
import { loadCheckpoint } from './checkpoint.ts';
import { predictPerturbations, readGeneAliases, suggestGenes } from './predict.ts';
import { disposeModel } from './model.ts';
import { REPO_ROOT } from './reference-fixture.test-helper.ts';

const FIXTURE = join(REPO_ROOT, 'packages/model/test-fixtures/checkpoint-v1');

test('predicts sets of 1, 2 and 3 genes; gene order in a set does not matter', async () => {
  const { model } = await loadCheckpoint(FIXTURE);
  const out = predictPerturbations(model, [['GENE1'], ['GENE3', 'GENE1'], ['GENE1', 'GENE3'], ['GENE0', 'GENE4', 'GENE6']]);
  assert.deepEqual(out.map((p) => p.perturbation), ['GENE1+ctrl', 'GENE1+GENE3', 'GENE1+GENE3', 'GENE0+GENE4+GENE6']);
  assert.deepEqual(Array.from(out[1].predictedDelta), Array.from(out[2].predictedDelta));
  assert.notDeepEqual(Array.from(out[0].predictedDelta), Array.from(out[1].predictedDelta));
  disposeModel(model);
});

test('an unknown gene is an error that names it and suggests case-insensitive matches', async () => {
  const { model } = await loadCheckpoint(FIXTURE);
  assert.throws(
    () => predictPerturbations(model, [['GENE1'], ['gene2', 'GENE3']], { source: 'command line' }),
    (e: unknown) => e instanceof GearsInputError && /'gene2'/.test((e as Error).message) && /did you mean 'GENE2'/.test((e as Error).message) && /set 2/.test((e as Error).message),
  );
  assert.throws(() => predictPerturbations(model, [['NOPE']]), (e: unknown) => e instanceof GearsInputError && /'NOPE'/.test((e as Error).message) && /retraining/.test((e as Error).message));
  disposeModel(model);
});

test('aliases from the bundled human gene table suggest the official symbol', () => {
  const aliases = readGeneAliases(join(REPO_ROOT, 'data/go/human_gene_aliases.tsv.gz'));
  assert.ok(aliases.size > 1000);
  // A1BG is listed with alias A1B in the bundled table
  assert.deepEqual(suggestGenes('a1b', ['A1BG', 'TP53'], aliases), ['A1BG']);
  assert.deepEqual(suggestGenes('tp53', ['A1BG', 'TP53'], aliases), ['TP53']);
});
