/** Architecture settings of a GEARS network (reference §4, `model_initialize` defaults). */
export interface ModelConfig {
  /** H, the embedding width (reference default 64) */
  hiddenSize: number;
  /** SGConv layers over the GO graph (reference `num_go_gnn_layers`, default 1) */
  numGoGnnLayers: number;
  /** SGConv layers over the co-expression graph (reference `num_gene_gnn_layers`, default 1) */
  numGeneGnnLayers: number;
  /** add the log-variance head `uncertainty_w` (reference §5.1) */
  uncertainty: boolean;
  /**
   * 'fixed' (default): every prediction gets co-expression message passing (the gene part is
   * computed once per step). 'reference': reproduce the reference batching defect where only the
   * first row of a batch gets it (reference §4.3 step 2) — for comparison only.
   */
  coexpressionQuirk: 'fixed' | 'reference';
}

export const DEFAULT_HIDDEN_SIZE = 64;
export const DEFAULT_GNN_LAYERS = 1;
/** the reference's fixed weight of the co-expression embedding in `base + 0.2·pos` */
export const POSITIONAL_MIX = 0.2;
/** PyTorch BatchNorm1d defaults */
export const BN_EPS = 1e-5;
export const BN_MOMENTUM = 0.1;

export const DEFAULT_MODEL_CONFIG: ModelConfig = {
  hiddenSize: DEFAULT_HIDDEN_SIZE,
  numGoGnnLayers: DEFAULT_GNN_LAYERS,
  numGeneGnnLayers: DEFAULT_GNN_LAYERS,
  uncertainty: false,
  coexpressionQuirk: 'fixed',
};
