/**
 * The synthetic Perturb-seq generator at Norman scale (`--preset norman`: 5,000 genes, 150
 * singles + 130 doubles + ctrl, 90,000 cells, ≈10 % non-zero): time and throughput of drawing the
 * cells alone, and of writing them as h5ad and as 10x MTX. Memory stays bounded by the chunk.
 * `BENCH_SIMULATE_CELLS` shrinks it for a quick check.
 */
import { mkdtempSync, rmSync, statSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simulatePerturbSeq, simulatedCellChunks, writeSimulatedH5ad, writeSimulatedMtx } from '@gears-pipeline/ingest';

const CELLS = process.env.BENCH_SIMULATE_CELLS ? Number(process.env.BENCH_SIMULATE_CELLS) : undefined;

function dirMiB(dir: string): number {
  return Math.round(readdirSync(dir).reduce((s, f) => s + statSync(join(dir, f)).size, 0) / 2 ** 20);
}

export async function run(): Promise<Record<string, unknown>> {
  const dir = mkdtempSync(join(tmpdir(), 'gears-bench-simulate-'));
  try {
    let t = performance.now();
    const sim = simulatePerturbSeq({ cells: CELLS }, 'norman');
    const designSeconds = (performance.now() - t) / 1000;
    const cells = sim.cellCondition.length;

    t = performance.now();
    let nonZero = 0;
    for (const c of simulatedCellChunks(sim)) nonZero += c.indices.length;
    const drawSeconds = (performance.now() - t) / 1000;

    const h5 = await writeSimulatedH5ad(sim, join(dir, 'sim.h5ad'));
    const h5Mib = Math.round(statSync(h5.path).size / 2 ** 20);
    const mtx = await writeSimulatedMtx(sim, join(dir, 'mtx'));
    const r = (x: number) => Number(x.toFixed(2));
    return {
      preset: 'norman',
      cells,
      genes: sim.geneNames.length,
      conditions: sim.conditions.length,
      nonZero,
      density: r((nonZero / (cells * sim.geneNames.length)) * 1000) / 1000,
      meanLibrarySize: Math.round(sim.depth),
      designSeconds: r(designSeconds),
      draw: { seconds: r(drawSeconds), cellsPerSecond: Math.round(cells / drawSeconds) },
      h5ad: { seconds: r(h5.seconds), cellsPerSecond: Math.round(cells / h5.seconds), MiB: h5Mib },
      mtx: { seconds: r(mtx.seconds), cellsPerSecond: Math.round(cells / mtx.seconds), MiB: dirMiB(mtx.path) },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
