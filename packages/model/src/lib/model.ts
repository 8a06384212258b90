/**
 * A GEARS model bundle: the network parameters plus everything needed to use them — gene and
 * perturbation vocabularies, the two graphs, the control mean expression.
 */
import { GearsInputError, type GeneGraph } from '@gears-pipeline/core';
import type { ModelConfig } from './config.ts';
import type { Composition } from './composition.ts';
import { disposeParams, type GearsParams } from './params.ts';
import { gcnNormalize, type PreparedGraphs } from './network.ts';

export interface GearsModel {
  params: GearsParams;
  /** measured genes, in the order of the network's outputs */
  genes: string[];
  /** perturbation (GO graph) vocabulary */
  pertVocabulary: string[];
  /** co-expression graph over `genes`, GO graph over `pertVocabulary` (as given, before gcn_norm) */
  coexpressionGraph: GeneGraph;
  goGraph: GeneGraph;
  graphs: PreparedGraphs;
  /** mean expression over all control cells (the residual for mean predictions) */
  controlMean: Float32Array;
  /** present when combinations are composed from single effects (train composition `singles`) */
  composition?: Composition;
}

/**
 * Re-indexes a graph whose node list may differ in order from a vocabulary, by node name.
 * @throws GearsInputError naming the first node that is not in the vocabulary.
 */
export function alignGraph(graph: GeneGraph, vocabulary: string[], what: string): GeneGraph {
  const idx = new Map(vocabulary.map((g, i) => [g, i]));
  const map = graph.nodes.map((n) => idx.get(n) ?? -1);
  const bad = map.findIndex((i) => i < 0);
  if (bad >= 0) {
    throw new GearsInputError({ file: what, field: 'nodes', problem: `node ${graph.nodes[bad]} is not in the ${vocabulary.length}-gene vocabulary`, fix: 'rebuild the graphs with gears graphs for this dataset' });
  }
  return {
    nodes: vocabulary,
    source: Int32Array.from(graph.source, (s) => map[s]),
    target: Int32Array.from(graph.target, (t) => map[t]),
    weight: graph.weight,
  };
}

/** gcn_norm of both graphs over their vocabularies. */
export function prepareGraphs(coexpression: GeneGraph, go: GeneGraph, G: number, P: number): PreparedGraphs {
  return { coexpression: gcnNormalize(coexpression, G), go: gcnNormalize(go, P) };
}

export function buildModel(params: GearsParams, genes: string[], pertVocabulary: string[], coexpressionGraph: GeneGraph, goGraph: GeneGraph, controlMean: Float32Array): GearsModel {
  const coex = alignGraph(coexpressionGraph, genes, 'co-expression graph');
  const go = alignGraph(goGraph, pertVocabulary, 'GO graph');
  return { params, genes, pertVocabulary, coexpressionGraph: coex, goGraph: go, graphs: prepareGraphs(coex, go, genes.length, pertVocabulary.length), controlMean };
}

export function disposeModel(m: GearsModel): void {
  disposeParams(m.params);
}

export type { ModelConfig };
