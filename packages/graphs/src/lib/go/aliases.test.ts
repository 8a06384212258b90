import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GearsInputError } from '@gears-pipeline/core';
import { annotateByAlias, readAliasTable } from './aliases.ts';
import { BUNDLED_HUMAN_GENE2GO, BUNDLED_HUMAN_GENE_ALIASES, readGene2Go } from './gene2go.ts';

test('old Norman 2019 symbols borrow the GO terms of their current symbol from the bundled tables', () => {
  const gene2go = readGene2Go(BUNDLED_HUMAN_GENE2GO);
  const aliases = readAliasTable(BUNDLED_HUMAN_GENE_ALIASES);
  assert.equal(gene2go.get('ELMSAN1'), undefined);
  const resolved = annotateByAlias(gene2go, ['ELMSAN1', 'C19orf26', 'C3orf72', 'KLF1', 'IER5L'], aliases);
  assert.deepEqual(resolved, [
    { gene: 'C19orf26', symbol: 'CBARP' },
    { gene: 'C3orf72', symbol: 'FOXL2NB' },
    { gene: 'ELMSAN1', symbol: 'MIDEAS' },
  ]);
  assert.deepEqual([...gene2go.get('ELMSAN1')!].sort(), [...gene2go.get('MIDEAS')!].sort());
  // IER5L has no annotation under any name; KLF1 already had its own
  assert.equal(gene2go.get('IER5L'), undefined);
});

test('an alias is not used when it is ambiguous, unannotated, or its symbol is itself a candidate', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-alias-'));
  try {
    const path = join(dir, 'aliases.tsv');
    writeFileSync(path, 'entrez_id\tsymbol\talias\n1\tNEWA\tOLDA\n2\tNEWB\tOLDB\n3\tNEWC\tOLDB\n4\tNEWD\tOLDD\n5\tNEWE\tOLDE\n');
    const gene2go = new Map([['NEWA', new Set(['GO:1'])], ['NEWB', new Set(['GO:2'])], ['NEWC', new Set(['GO:3'])], ['NEWE', new Set(['GO:5'])]]);
    const resolved = annotateByAlias(gene2go, ['OLDA', 'OLDB', 'OLDD', 'OLDE', 'NEWE'], readAliasTable(path));
    assert.deepEqual(resolved, [{ gene: 'OLDA', symbol: 'NEWA' }]);
    assert.equal(gene2go.has('OLDB'), false);
    assert.equal(gene2go.has('OLDE'), false);
    writeFileSync(path, 'gene\tother\nA\tB\n');
    assert.throws(() => readAliasTable(path), (e: unknown) => e instanceof GearsInputError && /symbol/.test(e.message) && e.message.includes(path));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
