/**
 * FLOP count of one training step (forward + backward ≈ 3 × forward for the matmuls), counting
 * multiply-adds as 2 FLOPs; element-wise work is ignored. Used to report achieved GFLOP/s.
 */
import type { GearsModel } from './model.ts';

export function forwardFlops(model: GearsModel, conditions: number): number {
  const G = model.genes.length;
  const P = model.pertVocabulary.length;
  const H = model.params.config.hiddenSize;
  const cfg = model.params.config;
  const coexEdges = model.graphs.coexpression.forward.values.length;
  const goEdges = model.graphs.go.forward.values.length;
  const gene = cfg.numGeneGnnLayers * (2 * coexEdges * H + 2 * G * H * H) + 2 * (2 * G * H * H);
  const pert = cfg.numGoGnnLayers * (2 * goEdges * H + 2 * P * H * H) + 2 * conditions * P * H + 2 * (2 * conditions * H * H);
  const perCondition = G * (2 * H * 2 * H * 2) + 2 * G * H + 2 * G * H + 2 * H * H + 2 * H * G;
  return gene + pert + conditions * perCondition;
}

export function stepFlops(model: GearsModel, conditions: number): number {
  return 3 * forwardFlops(model, conditions);
}
