/**
 * @gears-pipeline/graphs — GEARS-compatible splits, the perturbation vocabulary, the GO
 * similarity graph and the co-expression graph, and the `split` / `graphs` stages.
 */
export { LegacyRandomState } from './lib/split/legacy-random.ts';
export {
  makeSplit,
  SPLIT_TYPES,
  DEFAULT_SPLIT,
  DEFAULT_SEED,
  DEFAULT_TRAIN_GENE_SET_SIZE,
  DEFAULT_COMBO_SEEN2_TRAIN_FRAC,
  DEFAULT_TEST_FRACTION,
  DEFAULT_VAL_FRACTION,
  type SplitType,
  type SplitOptions,
  type SplitResult,
  type CustomSplitLists,
} from './lib/split/make-split.ts';
export { readSplit, writeSplit, SPLIT_FILE, SPLIT_COLUMNS } from './lib/split/split-io.ts';
export { readGene2Go, BUNDLED_HUMAN_GENE2GO, BUNDLED_HUMAN_GENE_ALIASES, BUNDLED_HUMAN_GENES, ONTOLOGIES, type Gene2Go, type Gene2GoOptions, type Ontology } from './lib/go/gene2go.ts';
export { readAliasTable, annotateByAlias, type AliasTable, type AliasResolution } from './lib/go/aliases.ts';
export { buildVocabulary, filterConditionsInVocabulary, type PerturbationVocabulary, type ConditionFilter } from './lib/go/vocabulary.ts';
export { buildGoGraph, DEFAULT_GO_THRESHOLD, DEFAULT_GO_TOP_K, type GoGraphOptions, type GoGraphResult } from './lib/go/go-graph.ts';
export { GramAccumulator, DEFAULT_GRAM_BLOCK_CELLS } from './lib/coexpression/gram.ts';
export {
  buildCoexpressionGraph,
  coexpressionFromGram,
  coexpressionConditions,
  DEFAULT_COEXPRESSION_THRESHOLD,
  DEFAULT_COEXPRESSION_TOP_K,
  type CoexpressionOptions,
  type CoexpressionResult,
} from './lib/coexpression/coexpression-graph.ts';
export { pseudobulkCoexpressionGraph, pseudobulkCoexpressionConditions } from './lib/coexpression/pseudobulk.ts';
export { writeGeneGraph, readGeneGraph, EDGE_COLUMNS } from './lib/graph-io.ts';
export { loadDatasetVocabulary, type VocabularyArgs, type DatasetVocabulary } from './lib/dataset-vocabulary.ts';
export { runSplit, DEFAULT_WORKSPACE, type SplitArgs, type SplitRunResult } from './lib/run-split.ts';
export { runGraphs, GRAPH_FILES, type GraphsArgs, type GraphsRunResult } from './lib/run-graphs.ts';
