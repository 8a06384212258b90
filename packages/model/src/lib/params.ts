/**
 * The GEARS parameters, named as in the reference state_dict (reference §4.2), initialised as the
 * reference does (with our seeded generator instead of torch's).
 *
 * Internal layouts (what the checkpoint stores) differ from PyTorch only where it saves a
 * transpose in the forward pass:
 *   Linear `*.weight`   [in, out]   (PyTorch [out, in])
 *   `indv_w1`           [G, H]      (PyTorch [G, H, 1])
 *   `indv_b1`           [G]         (PyTorch [G, 1])
 *   `indv_w2`           [G, H+1]    (PyTorch [1, G, H+1])
 *   `indv_b2`           [G]         (PyTorch [1, G])
 * The unused reference parameters `pert_w` and `bn_pert_base_trans` are not created.
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelConfig } from './config.ts';
import { Rng } from './rng.ts';

export type InitKind = 'embedding' | 'linearWeight' | 'linearBias' | 'bnWeight' | 'bnBias' | 'runningMean' | 'runningVar' | 'xavier';

export interface ParamSpec {
  name: string;
  shape: number[];
  init: InitKind;
  /** fan-in for Linear U(±1/√fan_in), or std for xavier */
  scale: number;
  /** false for BatchNorm running statistics (buffers) */
  trainable: boolean;
}

export interface MlpSpec {
  name: string;
  sizes: number[];
}

/** The MLP blocks of the network. */
export function mlpSpecs(cfg: ModelConfig, G: number): MlpSpec[] {
  const H = cfg.hiddenSize;
  const m: MlpSpec[] = [
    { name: 'emb_trans_v2', sizes: [H, H, H] },
    { name: 'pert_fuse', sizes: [H, H, H] },
    { name: 'recovery_w', sizes: [H, 2 * H, H] },
    { name: 'cross_gene_state', sizes: [G, H, H] },
  ];
  if (cfg.uncertainty) m.push({ name: 'uncertainty_w', sizes: [H, 2 * H, H, 1] });
  return m;
}

function bnSpecs(name: string, C: number): ParamSpec[] {
  return [
    { name: `${name}.weight`, shape: [C], init: 'bnWeight', scale: 0, trainable: true },
    { name: `${name}.bias`, shape: [C], init: 'bnBias', scale: 0, trainable: true },
    { name: `${name}.running_mean`, shape: [C], init: 'runningMean', scale: 0, trainable: false },
    { name: `${name}.running_var`, shape: [C], init: 'runningVar', scale: 0, trainable: false },
  ];
}

function linearSpecs(name: string, nIn: number, nOut: number): ParamSpec[] {
  return [
    { name: `${name}.weight`, shape: [nIn, nOut], init: 'linearWeight', scale: nIn, trainable: true },
    { name: `${name}.bias`, shape: [nOut], init: 'linearBias', scale: nIn, trainable: true },
  ];
}

/** Every parameter and buffer, in the reference's state_dict order (minus the unused ones). */
export function paramSpecs(cfg: ModelConfig, G: number, P: number): ParamSpec[] {
  const H = cfg.hiddenSize;
  const s: ParamSpec[] = [
    { name: 'indv_w1', shape: [G, H], init: 'xavier', scale: Math.sqrt(2 / (H + G)), trainable: true },
    { name: 'indv_b1', shape: [G], init: 'xavier', scale: Math.sqrt(2 / (G + 1)), trainable: true },
    { name: 'indv_w2', shape: [G, H + 1], init: 'xavier', scale: Math.sqrt(2 / ((G + 1) * (H + 1))), trainable: true },
    { name: 'indv_b2', shape: [G], init: 'xavier', scale: Math.sqrt(2 / (G + 1)), trainable: true },
    { name: 'gene_emb.weight', shape: [G, H], init: 'embedding', scale: 0, trainable: true },
    { name: 'pert_emb.weight', shape: [P, H], init: 'embedding', scale: 0, trainable: true },
    { name: 'emb_pos.weight', shape: [G, H], init: 'embedding', scale: 0, trainable: true },
  ];
  for (let l = 0; l < cfg.numGeneGnnLayers; l++) s.push(...linearSpecs(`layers_emb_pos.${l}.lin`, H, H));
  for (let l = 0; l < cfg.numGoGnnLayers; l++) s.push(...linearSpecs(`sim_layers.${l}.lin`, H, H));
  for (const m of mlpSpecs(cfg, G)) {
    for (let i = 0; i + 1 < m.sizes.length; i++) {
      s.push(...linearSpecs(`${m.name}.network.${3 * i}`, m.sizes[i], m.sizes[i + 1]));
      s.push(...bnSpecs(`${m.name}.network.${3 * i + 1}`, m.sizes[i + 1]));
    }
  }
  s.push(...bnSpecs('bn_emb', H), ...bnSpecs('bn_pert_base', H));
  return s;
}

/** Named tensors of a network: trainable variables and BatchNorm buffers. */
export interface GearsParams {
  config: ModelConfig;
  nGenes: number;
  nPerts: number;
  specs: ParamSpec[];
  vars: Map<string, tf.Variable>;
}

function initValues(spec: ParamSpec, rng: Rng): Float32Array {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const v = new Float32Array(n);
  switch (spec.init) {
    case 'embedding':
      for (let i = 0; i < n; i++) v[i] = rng.normal();
      break;
    case 'linearWeight':
    case 'linearBias': {
      const bound = 1 / Math.sqrt(spec.scale);
      for (let i = 0; i < n; i++) v[i] = rng.uniform(-bound, bound);
      break;
    }
    case 'xavier':
      for (let i = 0; i < n; i++) v[i] = spec.scale * rng.normal();
      break;
    case 'bnWeight':
    case 'runningVar':
      v.fill(1);
      break;
    default:
      break; // zeros
  }
  return v;
}

/** Creates the parameters, from `values` when given (e.g. a checkpoint), else by seeded initialisation. */
export function createParams(cfg: ModelConfig, G: number, P: number, seed: number, values?: Map<string, Float32Array>): GearsParams {
  const rng = new Rng(seed);
  const specs = paramSpecs(cfg, G, P);
  const vars = new Map<string, tf.Variable>();
  for (const spec of specs) {
    const v = values?.get(spec.name) ?? initValues(spec, rng);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (v.length !== n) throw new RangeError(`parameter ${spec.name}: ${v.length} values for shape [${spec.shape}]`);
    vars.set(spec.name, tf.variable(tf.tensor(v, spec.shape, 'float32'), spec.trainable, undefined, 'float32'));
  }
  return { config: cfg, nGenes: G, nPerts: P, specs, vars };
}

/** A parameter by name (throws on a typo, so a missing weight never silently becomes zero). */
export function param<T extends tf.Tensor = tf.Tensor>(p: GearsParams, name: string): T {
  const v = p.vars.get(name);
  if (!v) throw new Error(`GEARS parameter ${name} does not exist`);
  return v as unknown as T;
}

export function trainableVariables(p: GearsParams): tf.Variable[] {
  return p.specs.filter((s) => s.trainable).map((s) => p.vars.get(s.name)!);
}

/** Copies every parameter out as float32 arrays (checkpoints, best-model snapshots). */
export function snapshotParams(p: GearsParams): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const [k, v] of p.vars) out.set(k, (v.dataSync() as Float32Array).slice());
  return out;
}

/** Overwrites every parameter from a snapshot. */
export function restoreParams(p: GearsParams, values: Map<string, Float32Array>): void {
  for (const [k, v] of p.vars) {
    const src = values.get(k);
    if (!src) throw new Error(`snapshot lacks parameter ${k}`);
    v.assign(tf.tensor(src, v.shape, 'float32'));
  }
}

export function disposeParams(p: GearsParams): void {
  for (const v of p.vars.values()) v.dispose();
  p.vars.clear();
}

export function parameterCount(p: GearsParams): number {
  return p.specs.filter((s) => s.trainable).reduce((a, s) => a + s.shape.reduce((x, y) => x * y, 1), 0);
}
