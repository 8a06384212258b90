import type { Command } from '../command.ts';

/**
 * Every subcommand, in pipeline order. Commands are imported only when run: each stage package
 * pulls in heavy modules (TensorFlow.js, HDF5 WebAssembly), and `gears --help` or `gears init`
 * should not wait for all of them. The summaries here are checked against the commands' own.
 */
export interface CommandEntry {
  name: string;
  summary: string;
  load(): Promise<Command>;
}

export const commands: CommandEntry[] = [
  { name: 'run', summary: 'run the pipeline (ingest → split → graphs → train → predict → evaluate), skipping unchanged stages', load: async () => (await import('./run.ts')).runCommand },
  { name: 'init', summary: 'write an example config (gears.config.json) and its JSON Schema', load: async () => (await import('./init.ts')).initCommand },
  { name: 'ingest', summary: 'read Perturb-seq data (h5ad, 10x MTX, Parquet) or a pseudobulk table into per-condition statistics and cell tables', load: async () => (await import('./ingest.ts')).ingestCommand },
  { name: 'simulate', summary: 'write a seeded synthetic Perturb-seq data set (h5ad or 10x MTX) with a known regulatory network', load: async () => (await import('./simulate.ts')).simulateCommand },
  { name: 'split', summary: 'assign conditions to train / val / test, seed for seed as the reference GEARS', load: async () => (await import('./split.ts')).splitCommand },
  { name: 'graphs', summary: 'build the GO similarity graph and the co-expression graph (needs ingest and split)', load: async () => (await import('./graphs.ts')).graphsCommand },
  { name: 'train', summary: 'train the GEARS network (needs ingest, split and graphs)', load: async () => (await import('./train.ts')).trainCommand },
  { name: 'predict', summary: 'predict expression after any gene perturbations (needs a trained model)', load: async () => (await import('./predict.ts')).predictCommand },
  { name: 'evaluate', summary: 'score predictions and baselines with the GEARS metrics, genetic-interaction scores and an HTML report', load: async () => (await import('./evaluate.ts')).evaluateCommand },
];
