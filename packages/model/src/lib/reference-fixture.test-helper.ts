/** Loads the reference forward fixture (data/reference-synth/reference_forward.json.gz) for tests. */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import type { TorchTensor } from './torch-weights.ts';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '../../../..');

export interface ReferenceForward {
  num_genes: number;
  num_perts: number;
  hidden_size: number;
  gene_names: string[];
  pert_names: string[];
  weights: Record<string, TorchTensor>;
  graphs: Record<'go' | 'coexpression', { source: number[]; target: number[]; weight: number[] }>;
  examples: { condition: string; pert_idx: number[]; x: number[]; out_single: number[]; out_batched: number[] }[];
}

export function loadReferenceForward(): ReferenceForward {
  const path = join(REPO_ROOT, 'data/reference-synth/reference_forward.json.gz');
  return JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as ReferenceForward;
}

export interface ReferenceCombos {
  num_genes: number;
  num_perts: number;
  hidden_size: number;
  weights_file: string;
  weights_sha256: string;
  tolerance_abs: number;
  examples: { condition: string; genes: string[]; kind: 'ctrl' | 'single' | 'combo2' | 'combo3'; pert_idx: number[]; x: number[]; out_single: number[]; out_batched: number[]; batch_position: number }[];
}

/** The reference's outputs for ctrl, singles and 2-/3-gene combinations (same weights as loadReferenceForward). */
export function loadReferenceCombos(): ReferenceCombos {
  const path = join(REPO_ROOT, 'data/reference-synth/reference_forward_combos.json.gz');
  return JSON.parse(gunzipSync(readFileSync(path)).toString('utf8')) as ReferenceCombos;
}
