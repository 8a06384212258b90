export * from './lib/errors.ts';
export * from './lib/condition.ts';
export * from './lib/atomic.ts';
export * from './lib/parquet.ts';
export * from './lib/manifest.ts';
export * from './lib/dataset.ts';
export * from './lib/graph.ts';
export * from './lib/log.ts';
