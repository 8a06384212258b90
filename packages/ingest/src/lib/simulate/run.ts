import { join } from 'node:path';
import { GearsUsageError, silentLogger, type Logger } from '@gears-pipeline/core';
import type { SimulateArgs } from './args.ts';
import { writeSimulatedH5ad, type WrittenMatrixSummary } from './h5ad-writer.ts';
import { MTX_FILES, writeSimulatedMtx } from './mtx-writer.ts';
import { simulatePerturbSeq, type SimulatedData } from './simulate.ts';
import { TRUTH_FILES, writeSimulationTruth } from './truth-writer.ts';

export type SimulateFormat = 'h5ad' | 'mtx';

export interface RunSimulateArgs {
  /** output directory (created) */
  out: string;
  format?: SimulateFormat;
  /** `norman` or `small`; explicit `args` fields override it */
  preset?: string;
  args?: Partial<SimulateArgs>;
  /** cells per generated chunk */
  chunkCells?: number;
  log?: Logger;
}

export interface RunSimulateResult {
  sim: SimulatedData;
  matrix: WrittenMatrixSummary;
  /** path of the .h5ad file or of the MTX directory */
  dataPath: string;
  /** cell metadata table for the MTX format */
  cellsTable?: string;
  /** gene → GO table for the graphs stage */
  geneOntology: string;
  outDir: string;
}

/** Name of the simulated matrix inside the output directory. */
export const SIMULATED_DATA_FILES = { h5ad: 'perturbseq.h5ad', mtx: 'mtx' } as const;

/**
 * `gears simulate`: designs a seeded experiment, streams its cells into `out/perturbseq.h5ad` (or
 * `out/mtx/`), and writes the ground truth (gene2go.tsv, network.tsv, conditions.tsv,
 * effects.tsv.gz, simulation.json) beside it.
 */
export async function runSimulate(a: RunSimulateArgs): Promise<RunSimulateResult> {
  const log = a.log ?? silentLogger;
  const format = a.format ?? 'h5ad';
  if (format !== 'h5ad' && format !== 'mtx') throw new GearsUsageError(`--format must be h5ad or mtx (got ${format})`);
  const t0 = performance.now();
  const sim = simulatePerturbSeq(a.args ?? {}, a.preset);
  log.info('simulate design', {
    genes: sim.geneNames.length,
    cells: sim.cellCondition.length,
    conditions: sim.conditions.length,
    regulators: sim.network.regulators.length,
    edges: sim.network.source.length,
    meanLibrarySize: Math.round(sim.depth),
    seconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
  });
  const dataPath = join(a.out, SIMULATED_DATA_FILES[format]);
  const opts = { chunkCells: a.chunkCells, log };
  const matrix = format === 'h5ad' ? await writeSimulatedH5ad(sim, dataPath, opts) : await writeSimulatedMtx(sim, dataPath, opts);
  writeSimulationTruth(sim, a.out, {
    format,
    data: SIMULATED_DATA_FILES[format],
    nonZero: matrix.nonZero,
    density: Number((matrix.nonZero / (matrix.cells * matrix.genes)).toFixed(5)),
  });
  log.info('simulate done', {
    out: dataPath,
    nonZero: matrix.nonZero,
    density: Number((matrix.nonZero / (matrix.cells * matrix.genes)).toFixed(4)),
    seconds: Number(((performance.now() - t0) / 1000).toFixed(2)),
  });
  return {
    sim,
    matrix,
    dataPath,
    cellsTable: format === 'mtx' ? join(dataPath, MTX_FILES.cells) : undefined,
    geneOntology: join(a.out, TRUTH_FILES.geneOntology),
    outDir: a.out,
  };
}
