/**
 * `npm run bench:accuracy`: the Ahlmann-Eltze et al. (2025) double-perturbation protocol on the
 * whole Norman 2019 screen (bundled pseudobulk log fold changes, 2,000 genes): train on every
 * single and half of the doubles, test on the other half, over seeded partitions. One GEARS
 * network is trained per partition (reference architecture and defaults, objective `moments`, which
 * on pseudobulk is the error of means); the composition variants are fitted on that same network.
 *
 * Environment: NORMAN_PARTITIONS (default 5), NORMAN_EPOCHS (default: the reference's 20),
 * NORMAN_ALIASES=0 to build the GO vocabulary without the alias table (as the reference would).
 */
import { CONTROL } from '@gears-pipeline/core';
import { annotateByAlias, BUNDLED_HUMAN_GENE2GO, BUNDLED_HUMAN_GENE_ALIASES, buildGoGraph, buildVocabulary, pseudobulkCoexpressionConditions, pseudobulkCoexpressionGraph, readAliasTable, readGene2Go } from '@gears-pipeline/graphs';
import { composedDeltas, DEFAULT_TRAIN_ARGS, targetGenes, fitComposition, fitModelComposition, formsInUse, networkOutputs, trainGears, usableConditions, type FitCompositionOptions } from '@gears-pipeline/model';
import { DEFAULT_PARTITIONS, makePartition, observedDelta } from './norman-doubles/protocol.ts';
import { doubleMetrics, l2Genes, meanOf, type DoubleMetrics } from './norman-doubles/metrics.ts';
import { loadNormanPseudobulk } from './norman-doubles/data.ts';

export const name = 'norman-doubles';

/** composition variants fitted on each partition's network (name → options) */
const COMPOSITIONS: Record<string, FitCompositionOptions> = {
  'gears-singles': {},
  'gears-singles (λ = 0)': { interactionGrid: [0] },
  'gears-singles (one global weight, λ = 0)': { ridgeGrid: [Infinity], interactionGrid: [0] },
  "gears-singles from the network's own singles": { singleEffects: 'network' },
};

type ModelScores = Record<string, DoubleMetrics[]>;

export async function run(): Promise<Record<string, unknown>> {
  const partitions = Number(process.env.NORMAN_PARTITIONS ?? DEFAULT_PARTITIONS);
  const epochs = Number(process.env.NORMAN_EPOCHS ?? DEFAULT_TRAIN_ARGS.epochs);
  const stats = await loadNormanPseudobulk();
  const G = stats.genes.length;
  const gene2go = readGene2Go(BUNDLED_HUMAN_GENE2GO);
  const aliases = process.env.NORMAN_ALIASES !== '0';
  if (aliases) annotateByAlias(gene2go, stats.conditions.flatMap((c) => c.genes), readAliasTable(BUNDLED_HUMAN_GENE_ALIASES));
  const vocabulary = buildVocabulary([...stats.genes.map((g) => g.gene), ...stats.conditions.flatMap((c) => c.genes)], gene2go);
  const goGraph = buildGoGraph(vocabulary.genes, gene2go).graph;
  const genesForL2 = l2Genes(stats);
  const perPartition: Record<string, unknown>[] = [];
  const summaries: Record<string, { l2: number[]; pearsonDelta: number[]; mseDe: number[] }> = {};
  let trainSeconds = 0;
  for (let seed = 1; seed <= partitions; seed++) {
    const part = makePartition(stats, seed);
    const coexpressionConditions = pseudobulkCoexpressionConditions(part.split);
    const coexpressionGraph = pseudobulkCoexpressionGraph(stats, (c) => coexpressionConditions.has(c)).graph;
    const r = await trainGears({ seed, epochs }, { stats, split: part.split, goGraph, coexpressionGraph, pertVocabulary: vocabulary.genes });
    trainSeconds += r.seconds;
    const sets = usableConditions(stats, part.split, vocabulary.genes);
    const net = (p: number[][]) => networkOutputs(r.model, p).delta;
    const targets = targetGenes(vocabulary.genes, stats.genes.map((g) => g.gene));
    const test = sets.test;
    const rowOf = new Map(stats.conditions.map((c, i) => [c.name, i]));
    const truth = test.map((c) => observedDelta(stats, c.name));
    const single = (gene: string) => observedDelta(stats, `${gene}+${CONTROL}`);
    const predictions: Record<string, ArrayLike<number>[]> = {
      'no change': test.map(() => new Float64Array(G)),
      additive: test.map((c) => {
        const [a, b] = c.name.split('+').map(single);
        return a.map((v, g) => v + b[g]);
      }),
      'gears (reference)': net(test.map((c) => c.perturbation)),
    };
    const fitted: Record<string, unknown> = {};
    for (const [label, opts] of Object.entries(COMPOSITIONS)) {
      const comp = fitComposition(net, stats, sets, targets, opts);
      fitted[label] = { globalWeight: round(comp.globalWeight), ridge: Number.isFinite(comp.ridge) ? comp.ridge : 'global', interactionWeight: comp.interactionWeight, combinations: comp.nCombinations };
      predictions[label] = composedDeltas(comp, net, test.map((c) => c.perturbation), G);
    }
    // composition auto (the default): the forms chosen per kind of condition on validation
    const auto = fitModelComposition(r.model, 'auto', stats, sets, net);
    const seen2 = formsInUse(auto).combo_seen2;
    fitted['gears auto (default)'] = { combo_seen2: seen2.form, scores: seen2.scores, residualRidge: Number.isFinite(auto.residuals?.ridge) ? auto.residuals!.ridge : 'none', residualSelection: auto.residuals?.selection.map((x) => ({ ridge: Number.isFinite(x.ridge) ? x.ridge : 'none', valSse: round(x.valSse) })) };
    predictions['gears auto (default)'] = composedDeltas(auto, net, test.map((c) => c.perturbation), G);
    const scores: ModelScores = {};
    for (const [label, preds] of Object.entries(predictions)) {
      scores[label] = test.map((c, i) => doubleMetrics(stats, rowOf.get(c.name)!, truth[i], preds[i], genesForL2));
      const s = (summaries[label] ??= { l2: [], pearsonDelta: [], mseDe: [] });
      s.l2.push(meanOf(scores[label].map((m) => m.l2)));
      s.pearsonDelta.push(meanOf(scores[label].map((m) => m.pearsonDelta)));
      s.mseDe.push(meanOf(scores[label].map((m) => m.mseDe)));
    }
    perPartition.push({ seed, testDoubles: test.length, skipped: sets.skipped.length, bestEpoch: r.bestEpoch, epochs: r.history.length, seconds: round(r.seconds), compositions: fitted });
    process.stderr.write(`partition ${seed}: ${Object.entries(summaries).map(([k, v]) => `${k} L2 ${v.l2.at(-1)!.toFixed(2)}`).join(', ')}\n`);
  }
  const models = Object.fromEntries(
    Object.entries(summaries).map(([label, s]) => [label, { l2: round(meanOf(s.l2)), pearsonDelta: round(meanOf(s.pearsonDelta)), mseDe: round(meanOf(s.mseDe)), l2ByPartition: s.l2.map(round) }]),
  );
  return { data: 'norman2019-pseudobulk (lfc, 2,000 genes)', l2Genes: genesForL2.length, partitions, epochs, aliases, trainSeconds: round(trainSeconds), models, perPartition };
}

function round(x: number): number {
  return Number(x.toFixed(4));
}
