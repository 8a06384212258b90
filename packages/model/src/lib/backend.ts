/**
 * TensorFlow.js backend selection (DESIGN §5). `auto` tries, in order: tfjs-node-gpu (only when a
 * CUDA device answers), tfjs-node, wasm (SIMD; threads when the runtime offers them), cpu. The two
 * native packages are optional dependencies loaded by dynamic import, so the project installs
 * and runs without them.
 */
import * as tf from '@tensorflow/tfjs';
import { GearsUsageError, type Logger, silentLogger } from '@gears-pipeline/core';
import { ortBlockEnabled, setOrtBlock } from './ort/block.ts';
import { loadOnnxRuntime } from './ort/runtime.ts';

export type BackendName = 'auto' | 'tensorflow-gpu' | 'tensorflow' | 'onnxruntime' | 'wasm' | 'cpu';
export const BACKEND_NAMES: BackendName[] = ['auto', 'tensorflow-gpu', 'tensorflow', 'onnxruntime', 'wasm', 'cpu'];

export interface BackendInfo {
  /** what was asked for */
  requested: BackendName;
  /** the tfjs backend name now active ('tensorflow', 'wasm', 'cpu') */
  active: string;
  /** the package that provides it */
  provider: string;
  simd?: boolean;
  threads?: boolean;
  /** why earlier candidates were skipped (auto) */
  skipped: string[];
  /** 'onnxruntime' when the per-condition block runs on onnxruntime-node (ort/block.ts), else 'tfjs' */
  block: 'onnxruntime' | 'tfjs';
}

let current: BackendInfo | null = null;

/** Loads a module by a name TypeScript does not resolve statically (optional dependency). */
async function optionalImport(name: string): Promise<unknown> {
  return import(/* @vite-ignore */ name);
}

async function tryNative(gpu: boolean): Promise<string | null> {
  const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  try {
    await optionalImport(pkg);
  } catch (e) {
    return `${pkg} not installed (${(e as Error).message.split('\n')[0]})`;
  }
  if (!(await tf.setBackend('tensorflow'))) return `${pkg} loaded but the tensorflow backend failed to initialise`;
  await tf.ready();
  if (gpu) {
    // tfjs-node-gpu falls back silently to CPU kernels without a device: check that one answers.
    const isGpu = (tf.backend() as unknown as { isUsingGpuDevice?: boolean }).isUsingGpuDevice;
    if (!isGpu) return `${pkg} loaded but no CUDA device answered`;
  }
  return null;
}

async function tryWasm(): Promise<string | null> {
  try {
    await import('@tensorflow/tfjs-backend-wasm');
    // In Node the .wasm binaries are found next to the package's dist bundle without setWasmPaths.
    if (!(await tf.setBackend('wasm'))) return 'wasm backend failed to initialise';
    await tf.ready();
    return null;
  } catch (e) {
    return `wasm backend failed: ${(e as Error).message}`;
  }
}

/** tfjs wasm for the light parts, onnxruntime-node's CPU kernels for the per-condition block. */
async function tryOnnxRuntime(): Promise<string | null> {
  const { ort, why } = loadOnnxRuntime();
  if (!ort) return why;
  const wasm = await tryWasm();
  if (wasm) return wasm;
  setOrtBlock(true);
  return null;
}

async function tryCpu(): Promise<string | null> {
  return (await tf.setBackend('cpu')) ? null : 'cpu backend failed';
}

/**
 * Activates a backend and logs which one runs. Idempotent for the same request.
 * @throws GearsUsageError when a forced backend cannot be loaded.
 */
export async function selectBackend(requested: BackendName = 'auto', log: Logger = silentLogger): Promise<BackendInfo> {
  if (current && (current.requested === requested || requested === 'auto') && tf.getBackend() === current.active && (current.block === 'onnxruntime') === ortBlockEnabled()) return current;
  if (!BACKEND_NAMES.includes(requested)) {
    throw new GearsUsageError(`unknown backend '${requested}'. Use one of: ${BACKEND_NAMES.join(', ')}`);
  }
  const candidates: [BackendName, string, () => Promise<string | null>][] = [
    ['tensorflow-gpu', '@tensorflow/tfjs-node-gpu', () => tryNative(true)],
    ['tensorflow', '@tensorflow/tfjs-node', () => tryNative(false)],
    ['onnxruntime', 'onnxruntime-node + @tensorflow/tfjs-backend-wasm', tryOnnxRuntime],
    ['wasm', '@tensorflow/tfjs-backend-wasm', tryWasm],
    ['cpu', '@tensorflow/tfjs (cpu)', tryCpu],
  ];
  const skipped: string[] = [];
  for (const [name, provider, attempt] of candidates) {
    if (requested !== 'auto' && requested !== name) continue;
    // not in auto: measured no faster than wasm at Norman scale (packages/model/README.md)
    if (requested === 'auto' && name === 'onnxruntime') continue;
    setOrtBlock(false);
    const why = await attempt();
    if (why === null) {
      const env = tf.env();
      current = {
        requested,
        active: tf.getBackend(),
        provider,
        block: ortBlockEnabled() ? 'onnxruntime' : 'tfjs',
        simd: name === 'wasm' || name === 'onnxruntime' ? env.getBool('WASM_HAS_SIMD_SUPPORT') : undefined,
        threads: name === 'wasm' || name === 'onnxruntime' ? env.getBool('WASM_HAS_MULTITHREAD_SUPPORT') : undefined,
        skipped,
      };
      log.info('backend', { ...current });
      return current;
    }
    skipped.push(why);
    if (requested !== 'auto') {
      throw new GearsUsageError(`backend '${requested}' is not available: ${why}. Install ${provider} or use --backend auto`);
    }
  }
  throw new GearsUsageError(`no TensorFlow.js backend could be initialised: ${skipped.join('; ')}`);
}
