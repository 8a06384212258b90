/**
 * The linear baseline of Ahlmann-Eltze, Huber & Anders (Nat Methods 2025): the centred training
 * pseudobulk change Y (genes × training conditions) ≈ G · K · P, with
 *   G (genes × d): the gene embedding, scores of a d = 10 PCA of the training pseudobulk
 *     expression (genes as observations, each condition column centred over genes, as R's
 *     prcomp does);
 *   P (d × conditions): the perturbation embedding, the row of G of the perturbed gene (the sum
 *     of its genes' rows for a combination; control is 0);
 *   K = (GᵀG + λI)⁻¹ Gᵀ Y Pᵀ (PPᵀ + λI)⁻¹, λ = 0.1, closed form.
 * Prediction = G K p + row means of Y + control mean.
 *
 * A perturbed gene that is not among the measured genes has no embedding. Training conditions
 * with such a gene are left out of the fit (as the authors' script drops unmatched columns); a
 * predicted condition gets the sum of the embeddings it has (zero when none, which reduces the
 * prediction to the mean training change) and is flagged. When no perturbed training condition
 * can be embedded at all, the centring uses every training condition (see below).
 */
import { CONTROL, conditionGenes, geneNames } from '@gears-pipeline/core';
import type { ModelPredictions } from '../types.ts';
import { addRidge, gram, inverseSPD, matmul, matrix, symmetricEigen, transpose, type Matrix } from '../linalg/dense.ts';
import { targetConditions, type BaselineInput } from './common.ts';

export const LINEAR_PCA_DIM = 10;
export const LINEAR_RIDGE = 0.1;

export interface LinearBaselineOptions {
  pcaDim?: number;
  ridge?: number;
}

export function linearBaseline(input: BaselineInput, opts: LinearBaselineOptions = {}): ModelPredictions {
  const { stats, split } = input;
  const G = stats.genes.length;
  const lambda = opts.ridge ?? LINEAR_RIDGE;
  const ctrlRow = stats.controlIndex;
  const control = Float64Array.from(stats.mean.subarray(ctrlRow * G, (ctrlRow + 1) * G));
  const trainNames = new Set(split.filter((s) => s.split === 'train').map((s) => s.condition));
  trainNames.add(CONTROL);
  const trainRows = stats.conditions.map((c, i) => ({ c, i })).filter(({ c, i }) => trainNames.has(c.name) || i === ctrlRow);

  // gene embedding: PCA scores of the column-centred training pseudobulk (genes × T)
  const T = trainRows.length;
  const X = matrix(G, T);
  for (let j = 0; j < T; j++) {
    const i = trainRows[j].i;
    let s = 0;
    for (let g = 0; g < G; g++) s += stats.mean[i * G + g];
    const m = s / G;
    for (let g = 0; g < G; g++) X.data[g * T + j] = stats.mean[i * G + g] - m;
  }
  const d = Math.max(1, Math.min(opts.pcaDim ?? LINEAR_PCA_DIM, T, G));
  const { vectors } = symmetricEigen(gram(X));
  const V = matrix(T, d);
  for (let r = 0; r < T; r++) for (let k = 0; k < d; k++) V.data[r * d + k] = vectors.data[r * T + k];
  const E = matmul(X, V); // G × d

  const geneRow = new Map(geneNames(stats).map((name, g) => [name, g]));
  const embed = (condition: string): { p: Float64Array; missing: string[] } => {
    const p = new Float64Array(d);
    const missing: string[] = [];
    for (const gene of conditionGenes(condition)) {
      const g = geneRow.get(gene);
      if (g === undefined) {
        missing.push(gene);
        continue;
      }
      for (let k = 0; k < d; k++) p[k] += E.data[g * d + k];
    }
    return { p, missing };
  };

  // fit on training conditions whose genes all have an embedding (control embeds as 0)
  const fit = trainRows.map(({ c, i }) => ({ i, ...embed(c.name) })).filter((f) => f.missing.length === 0);
  const F = fit.length;
  const Y = matrix(G, F);
  const center = new Float64Array(G);
  for (let j = 0; j < F; j++) {
    const i = fit[j].i;
    for (let g = 0; g < G; g++) {
      const v = stats.mean[i * G + g] - control[g];
      Y.data[g * F + j] = v;
      center[g] += v / F;
    }
  }
  for (let g = 0; g < G; g++) for (let j = 0; j < F; j++) Y.data[g * F + j] -= center[g];
  // No perturbed training condition could be embedded (e.g. no perturbed gene is measured, as in
  // the bundled Norman subset): K has nothing to learn, and centring on control alone would make
  // this "no change". Centre on every training condition instead, so the model degrades to the
  // training mean (control counted with change 0), and say so in the flags.
  const degenerate = fit.every((f) => f.i === ctrlRow);
  if (degenerate) {
    center.fill(0);
    for (const { i } of trainRows) for (let g = 0; g < G; g++) center[g] += (stats.mean[i * G + g] - control[g]) / trainRows.length;
  }
  const P = matrix(d, F);
  for (let j = 0; j < F; j++) for (let k = 0; k < d; k++) P.data[k * F + j] = fit[j].p[k];

  const Et = transpose(E);
  const left = matmul(inverseSPD(addRidge(matmul(Et, E), lambda)), Et); // d × G
  const Pt = transpose(P);
  const right = matmul(Pt, inverseSPD(addRidge(matmul(P, Pt), lambda))); // F × d
  const K: Matrix = matmul(matmul(left, Y), right); // d × d

  const mean = new Map<string, Float64Array>();
  const flags = new Map<string, string>();
  for (const c of targetConditions(input)) {
    const { p, missing } = embed(c);
    const kp = new Float64Array(d);
    for (let a = 0; a < d; a++) for (let b = 0; b < d; b++) kp[a] += K.data[a * d + b] * p[b];
    const pred = new Float64Array(G);
    for (let g = 0; g < G; g++) {
      let s = 0;
      for (let k = 0; k < d; k++) s += E.data[g * d + k] * kp[k];
      pred[g] = s + center[g] + control[g];
    }
    mean.set(c, pred);
    if (missing.length) flags.set(c, `perturbed gene(s) ${missing.join(', ')} not measured: no embedding (zero used)${degenerate ? '; no training condition could be embedded: training-mean fallback' : ''}`);
  }
  return { model: 'linear', genes: geneNames(stats), mean, flags };
}
