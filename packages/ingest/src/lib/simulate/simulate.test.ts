import { test } from 'node:test';
import assert from 'node:assert/strict';
import { GearsUsageError } from '@gears-pipeline/core';
import { MIN_CELLS_PER_CONDITION } from './args.ts';
import { simulatedCellChunks, type SimulatedCellChunk } from './cells.ts';
import { simulatePerturbSeq, type SimulatedData } from './simulate.ts';

const SMALL = { genes: 120, cells: 1500, singles: 8, doubles: 6, controlFraction: 0.2, density: 0.15 };

function allChunks(sim: SimulatedData, chunkCells?: number): SimulatedCellChunk[] {
  return [...simulatedCellChunks(sim, chunkCells)];
}

/** Concatenates the CSR blocks into one (indptr, indices, values). */
function concat(chunks: SimulatedCellChunk[]) {
  const indices = chunks.flatMap((c) => Array.from(c.indices));
  const values = chunks.flatMap((c) => Array.from(c.values));
  const indptr = [0];
  for (const c of chunks) for (let r = 1; r < c.indptr.length; r++) indptr.push(indptr[indptr.length - 1] + c.indptr[r] - c.indptr[r - 1]);
  return { indptr, indices, values, conditions: chunks.flatMap((c) => c.conditions), ids: chunks.flatMap((c) => c.cellIds) };
}

test('a seed gives identical data, independent of the chunk size; another seed differs', () => {
  const a = simulatePerturbSeq({ ...SMALL, seed: 11 });
  const b = simulatePerturbSeq({ ...SMALL, seed: 11 });
  const c = simulatePerturbSeq({ ...SMALL, seed: 12 });
  assert.deepEqual(a.latentEffect, b.latentEffect);
  assert.deepEqual(a.cellCondition, b.cellCondition);
  assert.deepEqual(a.geneOntology, b.geneOntology);
  const ca = concat(allChunks(a, 4096));
  const cb = concat(allChunks(b, 97));
  assert.deepEqual(ca, cb);
  const cc = concat(allChunks(c));
  assert.notDeepEqual(ca.values.slice(0, 500), cc.values.slice(0, 500));
});

test('conditions and cells: ctrl + singles + doubles, requested cell numbers, canonical names', () => {
  const sim = simulatePerturbSeq({ ...SMALL, seed: 3 });
  assert.equal(sim.conditions.length, 1 + SMALL.singles + SMALL.doubles);
  assert.equal(sim.conditions[0].name, 'ctrl');
  assert.equal(sim.conditions.filter((c) => c.kind === 'single').length, SMALL.singles);
  assert.equal(sim.conditions.filter((c) => c.kind === 'double').length, SMALL.doubles);
  assert.equal(sim.conditions.reduce((s, c) => s + c.nCells, 0), SMALL.cells);
  assert.equal(sim.conditions[0].nCells, SMALL.cells - Math.round(SMALL.cells * (1 - SMALL.controlFraction)));
  for (const c of sim.conditions) assert.ok(c.nCells >= MIN_CELLS_PER_CONDITION, `${c.name} has ${c.nCells} cells`);
  assert.equal(new Set(sim.conditions.map((c) => c.name)).size, sim.conditions.length, 'condition names are unique');
  const genes = new Set(sim.geneNames);
  const singles = new Set(sim.conditions.filter((c) => c.kind === 'single').map((c) => c.genes[0]));
  for (const c of sim.conditions) {
    for (const g of c.genes) assert.ok(genes.has(g), `${g} is a measured gene`);
    if (c.kind === 'single') assert.equal(c.name, `${c.genes[0]}+ctrl`);
    if (c.kind === 'double') {
      assert.equal(c.name, [...c.genes].sort().join('+'));
      for (const g of c.genes) assert.ok(singles.has(g), `double ${c.name}: ${g} is also perturbed alone`);
    }
  }
  assert.equal(sim.geneNames[0], 'GENE0001');
  // the cells carry the allocated conditions
  const counted = new Map<string, number>();
  for (const ch of allChunks(sim)) for (const c of ch.conditions) counted.set(c, (counted.get(c) ?? 0) + 1);
  for (const c of sim.conditions) assert.equal(counted.get(c.name), c.nCells);
});

test('counts are non-negative integers at about the requested density, with library sizes', () => {
  const sim = simulatePerturbSeq({ ...SMALL, seed: 4 });
  let nnz = 0;
  for (const ch of allChunks(sim)) {
    for (let r = 0; r < ch.cellIds.length; r++) {
      let total = 0;
      for (let j = ch.indptr[r]; j < ch.indptr[r + 1]; j++) {
        const v = ch.values[j];
        assert.ok(Number.isInteger(v) && v > 0);
        if (j > ch.indptr[r]) assert.ok(ch.indices[j] > ch.indices[j - 1], 'indices sorted within a cell');
        total += v;
      }
      assert.equal(ch.librarySize[r], total);
    }
    nnz += ch.indices.length;
  }
  const density = nnz / (SMALL.cells * SMALL.genes);
  assert.ok(Math.abs(density - SMALL.density) < 0.25 * SMALL.density, `density ${density}`);
});

test('CRISPRa raises the perturbed gene; CRISPRi lowers it', () => {
  for (const mode of ['activation', 'interference'] as const) {
    const sim = simulatePerturbSeq({ ...SMALL, seed: 5, mode, density: 0.3 });
    const G = sim.geneNames.length;
    for (const [k, c] of sim.conditions.entries()) {
      if (c.kind !== 'single') continue;
      const g = sim.geneNames.indexOf(c.genes[0]);
      const change = sim.latentEffect[k * G + g];
      assert.ok(mode === 'activation' ? change > 1 : change < -1, `${mode} ${c.name}: own change ${change}`);
      assert.ok(sim.proportion[k * G + g] * (mode === 'activation' ? 1 : -1) > sim.proportion[g] * (mode === 'activation' ? 1 : -1));
    }
  }
});

test('a double without interaction is the sum of its singles on the latent scale, in expectation and in the counts', () => {
  const sim = simulatePerturbSeq({ seed: 5, genes: 200, singles: 6, doubles: 10, cells: 8000, controlFraction: 0.2, density: 0.3, interactionFraction: 0.5 });
  const G = sim.geneNames.length;
  const C = sim.conditions.length;
  const sums = new Float64Array(C * G);
  const libs = new Float64Array(C);
  for (const ch of allChunks(sim)) {
    for (let r = 0; r < ch.cellIds.length; r++) {
      const k = ch.conditionCodes[r];
      libs[k] += ch.librarySize[r];
      for (let j = ch.indptr[r]; j < ch.indptr[r + 1]; j++) sums[k * G + ch.indices[j]] += ch.values[j];
    }
  }
  // observed change of log expression share against control (pseudo-count keeps zeros finite)
  const change = (k: number, g: number) => Math.log((sums[k * G + g] + 0.5) / libs[k]) - Math.log((sums[g] + 0.5) / libs[0]);
  const index = new Map(sim.conditions.map((c, i) => [c.name, i]));
  const additiveErrors: number[] = [];
  const interactingErrors: number[] = [];
  for (const [k, c] of sim.conditions.entries()) {
    if (c.kind !== 'double') continue;
    const a = index.get(`${c.genes[0]}+ctrl`)!;
    const b = index.get(`${c.genes[1]}+ctrl`)!;
    let err = 0;
    let n = 0;
    for (let g = 0; g < G; g++) {
      const la = sim.latentEffect[a * G + g];
      const lb = sim.latentEffect[b * G + g];
      const lab = sim.latentEffect[k * G + g];
      if (c.interaction === 'none') assert.ok(Math.abs(lab - (la + lb)) < 1e-5, `${c.name} gene ${g}: latent ${lab} vs ${la + lb}`);
      // genes the pair moves and that are expressed enough to measure
      if (Math.abs(la + lb) < 0.3 && Math.abs(lab) < 0.3) continue;
      if (sim.depth * sim.proportion[g] < 0.5) continue;
      err += Math.abs(change(k, g) - (change(a, g) + change(b, g)));
      n++;
    }
    if (n === 0) continue;
    if (c.interaction === 'none') additiveErrors.push(err / n);
    else if (c.interaction !== 'neomorphic') interactingErrors.push(err / n);
  }
  assert.ok(additiveErrors.length >= 2 && interactingErrors.length >= 2, 'the fixture has both kinds of doubles');
  for (const e of additiveErrors) assert.ok(e < 0.15, `non-interacting double: mean |Δab − (Δa + Δb)| = ${e}`);
  const meanInteracting = interactingErrors.reduce((s, x) => s + x, 0) / interactingErrors.length;
  assert.ok(meanInteracting > 2 * Math.max(...additiveErrors), `synergy/suppression deviate more (${meanInteracting})`);
});

test('targets move with their regulators: a perturbed regulator changes its targets by edge weight × its own change', () => {
  const sim = simulatePerturbSeq({ ...SMALL, seed: 6, propagationSteps: 1 });
  const G = sim.geneNames.length;
  const net = sim.network;
  let checked = 0;
  for (const [k, c] of sim.conditions.entries()) {
    if (c.kind !== 'single') continue;
    const reg = sim.geneNames.indexOf(c.genes[0]);
    const own = sim.latentEffect[k * G + reg];
    for (let e = net.outPtr[reg]; e < net.outPtr[reg + 1]; e++) {
      assert.ok(Math.abs(sim.latentEffect[k * G + net.target[e]] - net.weight[e] * own) < 1e-4);
      checked++;
    }
  }
  assert.ok(checked > 0);
});

test('genes sharing a regulator share a GO term; every gene is annotated', () => {
  const sim = simulatePerturbSeq({ ...SMALL, seed: 7 });
  for (const t of sim.geneOntology) assert.ok(t.length > 0 && t.every((id) => /^GO:\d{7}$/.test(id)));
  const net = sim.network;
  for (const reg of net.regulators) {
    const targets = Array.from(net.target.subarray(net.outPtr[reg], net.outPtr[reg + 1]));
    for (let i = 1; i < targets.length; i++) {
      const a = new Set(sim.geneOntology[targets[0]]);
      assert.ok(sim.geneOntology[targets[i]].some((t) => a.has(t)), `targets of ${sim.geneNames[reg]} share a term`);
    }
  }
});

test('impossible designs fail as usage errors', () => {
  assert.throws(() => simulatePerturbSeq({ ...SMALL, doubles: 1000 }), GearsUsageError);
  assert.throws(() => simulatePerturbSeq({ ...SMALL, cells: 20 }), GearsUsageError);
  assert.throws(() => simulatePerturbSeq({ ...SMALL, singles: 500 }), GearsUsageError);
  assert.throws(() => simulatePerturbSeq({}, 'huge'), /unknown preset/);
});

test('the norman preset has Norman 2019 proportions', () => {
  const sim = simulatePerturbSeq({ cells: 3000 }, 'norman');
  assert.equal(sim.geneNames.length, 5000);
  assert.equal(sim.conditions.length, 281);
  assert.equal(sim.conditions.filter((c) => c.kind === 'double').length, 130);
});

test('the genome-wide preset is shaped like Replogle 2022 K562 genome-wide, ≥ 1,000,000 cells', async () => {
  const { resolveSimulateArgs } = await import('./args.ts');
  const a = resolveSimulateArgs({}, 'genome-wide');
  assert.equal(a.genes, 8000);
  assert.equal(a.singles + a.doubles, 10_000);
  assert.ok(a.cells >= 1_000_000);
  assert.equal(a.mode, 'interference');
  // ≈ 100 cells per perturbation, as in the screen
  const perCondition = (a.cells * (1 - a.controlFraction)) / (a.singles + a.doubles);
  assert.ok(perCondition > 80 && perCondition < 120, String(perCondition));
  // a scaled-down run (as the genome-wide benchmark does) stays valid
  assert.doesNotThrow(() => resolveSimulateArgs({ cells: 20_000, singles: 160, doubles: 40 }, 'genome-wide'));
});
