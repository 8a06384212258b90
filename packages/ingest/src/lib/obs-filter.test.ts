import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Logger } from '@gears-pipeline/core';
import { planCells } from './conditions.ts';
import { parseObsFilter } from './obs-filter.ts';
import type { CellSource } from './source.ts';

/** Sixteen cells (each listed pair twice: single-cell conditions are refused): kinds × screens × conditions. */
function source(): CellSource {
  const twice = (xs: string[]) => xs.flatMap((x) => [x, x]);
  const meta: Record<string, string[]> = {
    condition: twice(['ctrl', 'A+ctrl', 'ctrl', 'B+ctrl', 'ctrl', 'A+ctrl', 'ctrl', 'B+ctrl']),
    kind: twice(['a', 'a', 'b', 'b', 'c', 'c', 'a', 'b']),
    screen: twice(['s1', 's1', 's1', 's1', 's2', 's2', 's2', 's2']),
  };
  return {
    file: 'cells.h5ad', format: 'h5ad', nCells: 16, genes: ['A', 'B'], geneIds: ['A', 'B'], cellIds: meta.kind.map((_, i) => `c${i}`),
    metadataColumns: Object.keys(meta), metadataFile: 'cells.h5ad obs',
    metadata: (c) => meta[c], blocks: async function* () {}, close() {},
  };
}

function recordingLogger(): { log: Logger; events: Array<[string, Record<string, unknown>]> } {
  const events: Array<[string, Record<string, unknown>]> = [];
  const rec = (e: string, f?: Record<string, unknown>) => void events.push([e, f ?? {}]);
  return { log: { info: rec, warn: rec, progress: () => {} }, events };
}

test('a repeated obs-filter column keeps any of its values; different columns must all match', () => {
  const filter = parseObsFilter(['kind=a', 'kind=b', 'screen=s1']);
  assert.deepEqual(filter, { kind: ['a', 'b'], screen: ['s1'] });
  const { log, events } = recordingLogger();
  const plan = planCells(source(), { obsFilter: filter }, log);
  // kind a or b (pairs 0,1,2,3,6,7) and screen s1 (pairs 0-3): both perturbations survive
  assert.equal(plan.nKept, 8);
  assert.deepEqual(plan.conditions.map((c) => c.name).sort(), ['A+ctrl', 'B+ctrl', 'ctrl']);
  // the log says what each filter kept
  const logged = events.filter(([e]) => e === 'ingest.obs_filter').map(([, f]) => [f.column, f.values, f.keptAfterFilters]);
  assert.deepEqual(logged, [['kind', ['a', 'b'], 12], ['screen', ['s1'], 8]]);
});

test('obs-filter items must be column=value', () => {
  assert.throws(() => parseObsFilter(['kind']), /column=value/);
  assert.equal(parseObsFilter([]), undefined);
});
