// Public surface of the synthetic Perturb-seq generator (re-exported by the ingest package).
export { DEFAULT_SIMULATE_ARGS, SIMULATE_PRESETS, MIN_CELLS_PER_CONDITION, resolveSimulateArgs } from './args.ts';
export type { SimulateArgs, PerturbationMode } from './args.ts';
export { simulatePerturbSeq, simulatedGeneNames } from './simulate.ts';
export type { SimulatedData, SimulatedCondition, SimulatedConditionKind, SimulatedInteraction, CellProgram } from './simulate.ts';
export type { RegulatoryNetwork } from './network.ts';
export { simulatedCellChunks, cellBarcode } from './cells.ts';
export type { SimulatedCellChunk } from './cells.ts';
export { writeSimulatedH5ad } from './h5ad-writer.ts';
export type { WriteH5adOptions, WrittenMatrixSummary } from './h5ad-writer.ts';
export { writeSimulatedMtx, MTX_FILES } from './mtx-writer.ts';
export type { WriteMtxOptions } from './mtx-writer.ts';
export { writeSimulationTruth, TRUTH_FILES } from './truth-writer.ts';
export { runSimulate, SIMULATED_DATA_FILES } from './run.ts';
export type { RunSimulateArgs, RunSimulateResult, SimulateFormat } from './run.ts';
