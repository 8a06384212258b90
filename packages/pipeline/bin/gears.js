#!/usr/bin/env node
// The `gears` command. Sources are TypeScript run through tsx, so no build step is needed.
// h5wasm's Emscripten bundle is loaded before tsx is registered: through tsx's transform it costs
// ≈ 2.4 s and ≈ 600 MiB more; natively 0.2 s. Later imports of it hit the module cache.
await import('h5wasm/node');
// Likewise TensorFlow.js (≈ 0.4 s and 80 MiB), for the commands that train or predict.
if (['run', 'train', 'predict'].includes(process.argv[2])) {
  await import('@tensorflow/tfjs');
  await import('@tensorflow/tfjs-backend-wasm');
}
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
