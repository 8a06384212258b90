/**
 * Conversion between a PyTorch GEARS state_dict (reference names and layouts) and our parameter
 * layout (see params.ts). Used by the golden test against the reference and to import weights
 * trained by the reference implementation.
 */
import type { ModelConfig } from './config.ts';
import { paramSpecs } from './params.ts';

export interface TorchTensor {
  shape: number[];
  data: ArrayLike<number>;
}

/** Parameters present in the reference but unused by its forward pass; ignored on import. */
export const UNUSED_REFERENCE_PARAMS = ['pert_w.weight', 'pert_w.bias', 'bn_pert_base_trans.weight', 'bn_pert_base_trans.bias', 'bn_pert_base_trans.running_mean', 'bn_pert_base_trans.running_var', 'bn_pert_base_trans.num_batches_tracked'];

function transpose2d(data: ArrayLike<number>, rows: number, cols: number): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = data[r * cols + c];
  return out;
}

/**
 * Maps a state_dict to our named float32 arrays.
 * @throws RangeError naming the first missing or mis-shaped parameter.
 */
export function fromTorchStateDict(dict: Record<string, TorchTensor>, cfg: ModelConfig, G: number, P: number): Map<string, Float32Array> {
  const out = new Map<string, Float32Array>();
  for (const spec of paramSpecs(cfg, G, P)) {
    const t = dict[spec.name];
    if (!t) throw new RangeError(`state_dict lacks ${spec.name}`);
    const n = spec.shape.reduce((a, b) => a * b, 1);
    if (t.data.length !== n) throw new RangeError(`state_dict ${spec.name} has ${t.data.length} values, expected ${n} (shape [${spec.shape}])`);
    if (spec.init === 'linearWeight') {
      // PyTorch [out, in] → ours [in, out]
      const [nIn, nOut] = spec.shape;
      if (t.shape[0] !== nOut || t.shape[1] !== nIn) throw new RangeError(`state_dict ${spec.name} has shape [${t.shape}], expected [${nOut}, ${nIn}]`);
      out.set(spec.name, transpose2d(t.data, nOut, nIn));
    } else out.set(spec.name, Float32Array.from(t.data));
  }
  return out;
}
