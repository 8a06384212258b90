#!/usr/bin/env node
// The `gears` command. Installed from a tarball it runs the compiled dist/ with plain Node. In
// the monorepo (src/ present) it runs the TypeScript sources through tsx, so no build is needed;
// the repository's tsconfig maps @gears-pipeline/* to packages/*/src (workers inherit it via
// TSX_TSCONFIG_PATH, whatever the working directory).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const fromSource = existsSync(new URL('../src/cli.ts', import.meta.url));
// h5wasm's Emscripten bundle is loaded before tsx is registered: through tsx's transform it costs
// ≈ 2.4 s and ≈ 600 MiB more; natively 0.2 s. Later imports of it hit the module cache.
await import('h5wasm/node');
// Likewise TensorFlow.js (≈ 0.4 s and 80 MiB), for the commands that train or predict.
if (['run', 'train', 'predict'].includes(process.argv[2])) {
  await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
}
let main;
if (fromSource) {
  process.env.TSX_TSCONFIG_PATH ??= fileURLToPath(new URL('../../../tsconfig.json', import.meta.url));
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('../src/cli.ts'));
} else {
  ({ main } = await import('../dist/cli.js'));
}
process.exitCode = await main(process.argv.slice(2));
