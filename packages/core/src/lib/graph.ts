/**
 * A directed weighted gene graph as GEARS uses it (edge source → target, weight), over a node
 * vocabulary. Written by the graphs stage as Parquet (source, target, weight with gene names).
 */
export interface GeneGraph {
  /** node names; edges index into this list */
  nodes: string[];
  source: Int32Array;
  target: Int32Array;
  weight: Float64Array;
}

/** One condition's place in a split. `subgroup` is '' for train conditions. */
export interface SplitAssignment {
  condition: string;
  split: 'train' | 'val' | 'test';
  subgroup: '' | 'unseen_single' | 'combo_seen0' | 'combo_seen1' | 'combo_seen2';
}
