/**
 * onnxruntime-node, loaded only when present (optional dependency), run synchronously: the
 * package's public `InferenceSession.run` is a Promise around a synchronous native call, and the
 * training step inside tfjs's gradient tape must be synchronous, so the native session is used
 * directly.
 */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';

interface NativeSession {
  loadModel(buffer: ArrayBufferLike, offset: number, length: number, options: Record<string, unknown>): void;
  run(feeds: Record<string, unknown>, fetches: Record<string, null>, options: Record<string, unknown>): Record<string, { data: Float32Array; dims: readonly number[] }>;
  dispose?(): void;
}

interface OrtModule {
  binding: { InferenceSession: new () => NativeSession };
  initOrt: () => void;
  Tensor: new (type: 'float32', data: Float32Array, dims: readonly number[]) => unknown;
  version: string;
}

let loaded: OrtModule | null = null;
let failure: string | null = null;

/** Loads onnxruntime-node once; returns null and the reason when it is not installed or does not load. */
export function loadOnnxRuntime(): { ort: OrtModule | null; why: string | null } {
  if (loaded || failure) return { ort: loaded, why: failure };
  try {
    const require = createRequire(import.meta.url);
    const pub = require('onnxruntime-node') as { Tensor: OrtModule['Tensor']; env: { versions?: { node?: string } } };
    const native = require('onnxruntime-node/dist/binding') as Pick<OrtModule, 'binding' | 'initOrt'>;
    native.initOrt();
    loaded = { binding: native.binding, initOrt: native.initOrt, Tensor: pub.Tensor, version: pub.env.versions?.node ?? 'unknown' };
  } catch (e) {
    failure = `onnxruntime-node not available (${(e as Error).message.split('\n')[0]})`;
  }
  return { ort: loaded, why: failure };
}

/** threads per onnxruntime session: every core (GEARS_ORT_THREADS overrides) */
export function ortThreads(): number {
  return Number(process.env.GEARS_ORT_THREADS) || availableParallelism();
}

export interface Feed {
  data: Float32Array;
  dims: readonly number[];
}

/** One ONNX model loaded in an onnxruntime CPU session, run synchronously. */
export class OrtSession {
  private session: NativeSession;
  constructor(
    private readonly ort: OrtModule,
    model: Uint8Array,
  ) {
    this.session = new ort.binding.InferenceSession();
    this.session.loadModel(model.buffer, model.byteOffset, model.byteLength, { intraOpNumThreads: ortThreads(), interOpNumThreads: 1, graphOptimizationLevel: 'all', executionMode: 'sequential', extra: { session: { intra_op: { allow_spinning: '0' } } } });
  }
  run(feeds: Record<string, Feed>, outputs: readonly string[]): Record<string, Float32Array> {
    const f: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(feeds)) f[k] = new this.ort.Tensor('float32', v.data, v.dims);
    const res = this.session.run(f, Object.fromEntries(outputs.map((o) => [o, null])), {});
    const out: Record<string, Float32Array> = {};
    for (const o of outputs) out[o] = res[o].data;
    return out;
  }
}
