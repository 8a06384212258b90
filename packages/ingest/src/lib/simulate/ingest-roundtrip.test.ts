// The simulator's outputs go through the real ingest stage: raw counts are detected and
// normalised, both formats give the same statistics, and the planted effects are found.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runIngest } from '../ingest.ts';
import { runSimulate } from './run.ts';

const ARGS = { seed: 9, genes: 150, cells: 1500, singles: 6, doubles: 4, controlFraction: 0.2, density: 0.2 };

test('simulated h5ad and MTX ingest to the same statistics, with raw counts detected and the perturbed genes top DE', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gears-simulate-ingest-'));
  try {
    const h5 = await runSimulate({ out: join(dir, 'h5'), format: 'h5ad', args: ARGS });
    const mtx = await runSimulate({ out: join(dir, 'mtx'), format: 'mtx', args: ARGS });
    const a = await runIngest({ input: h5.dataPath, outDir: join(dir, 'ds-h5') });
    const b = await runIngest({ input: mtx.dataPath, outDir: join(dir, 'ds-mtx') });
    for (const r of [a, b]) {
      assert.equal(r.normalized, true, 'raw counts detected and normalised');
      assert.equal(r.nCells, ARGS.cells);
      assert.equal(r.nGenes, ARGS.genes);
      assert.equal(r.nConditions, 1 + ARGS.singles + ARGS.doubles);
    }
    const sim = h5.sim;
    const expectedCells = new Map(sim.conditions.map((c) => [c.name, c.nCells]));
    for (const c of a.stats.conditions) assert.equal(c.nCells, expectedCells.get(c.name), c.name);
    assert.deepEqual(a.stats.genes.map((g) => g.gene), sim.geneNames);
    // same data in two formats → the same statistics
    const bIndex = new Map(b.stats.conditions.map((c, i) => [c.name, i]));
    const G = ARGS.genes;
    for (const [ia, c] of a.stats.conditions.entries()) {
      const ib = bIndex.get(c.name)!;
      for (let g = 0; g < G; g++) assert.ok(Math.abs(a.stats.mean[ia * G + g] - b.stats.mean[ib * G + g]) < 1e-6);
    }
    // CRISPRa: the perturbed gene is up and among the top DE genes of its single (usually the
    // top one; a gene with very low baseline expression can rank below its strongest targets)
    // (a gene whose expected count stays tiny even when activated is left out: too few counts)
    const simIndex = new Map(sim.conditions.map((c, i) => [c.name, i]));
    const ranks: number[] = [];
    for (const [k, c] of a.stats.conditions.entries()) {
      if (c.genes.length !== 1) continue;
      const g = sim.geneNames.indexOf(c.genes[0]);
      if (sim.depth * sim.proportion[simIndex.get(c.name)! * G + g] < 0.5) continue;
      assert.ok(a.stats.mean[k * G + g] > a.stats.mean[a.stats.controlIndex * G + g], `${c.name} raises its gene`);
      ranks.push(a.stats.deRank[k * G + g]);
    }
    assert.ok(ranks.length >= ARGS.singles / 2, 'most perturbed genes are measurable');
    assert.ok(ranks.every((r) => r < 20), `own-gene DE ranks ${ranks}`);
    assert.ok(ranks.filter((r) => r === 0).length >= ranks.length / 2, `own-gene DE ranks ${ranks}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
