/**
 * Graphs stage benchmark: the GO graph over every annotated human gene of the bundled table,
 * and the co-expression graph for 5,000 genes over 20,000 cells (≈10% non-zero), generated
 * here from a seed and streamed in chunks (never held in memory at once).
 */
import { resourceUsage } from 'node:process';
import os from 'node:os';
import { mulberry32, type CellChunk } from '@gears-pipeline/core';
import { BUNDLED_HUMAN_GENE2GO, buildCoexpressionGraph, buildGoGraph, buildVocabulary, readGene2Go } from '@gears-pipeline/graphs';

export const name = 'graphs';

const GENES = 5000;
const CELLS = 20000;
const DENSITY = 0.1;
const CHUNK = 2048;
/** genes in one co-regulated module, so the graph has real correlations to find */
const MODULE = 50;
/** a module is active in this share of cells; its genes are then detected more often */
const ACTIVE = 0.15;
const P_ACTIVE = 0.6;
/** chosen so the overall density is DENSITY */
const P_INACTIVE = (DENSITY - ACTIVE * P_ACTIVE) / (1 - ACTIVE);

const rssMiB = () => Math.round(resourceUsage().maxRSS / 1024);

const rng = mulberry32;

export async function* syntheticCells(seed: number): AsyncGenerator<CellChunk> {
  const rand = rng(seed);
  const modules = GENES / MODULE;
  const factor = new Float64Array(modules);
  for (let start = 0; start < CELLS; start += CHUNK) {
    const n = Math.min(CHUNK, CELLS - start);
    const indptr = new Int32Array(n + 1);
    const indices: number[] = [];
    const values: number[] = [];
    for (let c = 0; c < n; c++) {
      for (let m = 0; m < modules; m++) factor[m] = rand() < ACTIVE ? 1 + rand() : 0;
      for (let g = 0; g < GENES; g++) {
        const f = factor[(g / MODULE) | 0];
        if (rand() >= (f > 0 ? P_ACTIVE : P_INACTIVE)) continue;
        indices.push(g);
        values.push(Math.log1p(f * 4 + rand()));
      }
      indptr[c + 1] = indices.length;
    }
    yield {
      cellIds: Array.from({ length: n }, (_, i) => `cell${start + i}`),
      conditions: new Array(n).fill('ctrl'),
      nGenes: GENES,
      indptr,
      indices: Int32Array.from(indices),
      values: Float32Array.from(values),
    };
  }
}

export async function run(): Promise<Record<string, unknown>> {
  // co-expression first, so its peak RSS is not mixed with the GO table's
  const genes = Array.from({ length: GENES }, (_, i) => `G${i}`);
  // time to generate the cells alone, to tell it apart from the graph
  let t = performance.now();
  let nonzero = 0;
  for await (const chunk of syntheticCells(7)) nonzero += chunk.indices.length;
  const generateSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const { graph: co, nCells } = await buildCoexpressionGraph(syntheticCells(7), genes, { include: () => true });
  const coSeconds = (performance.now() - t) / 1000;
  const coexpressionPeakRssMiB = rssMiB();

  t = performance.now();
  const gene2go = readGene2Go(BUNDLED_HUMAN_GENE2GO);
  const readSeconds = (performance.now() - t) / 1000;
  t = performance.now();
  const vocabulary = buildVocabulary(gene2go.keys(), gene2go);
  const { graph: go } = buildGoGraph(vocabulary.genes, gene2go);
  const goSeconds = (performance.now() - t) / 1000;
  return {
    coexpressionGenes: GENES,
    coexpressionCells: nCells,
    coexpressionNonzeroFraction: Number((nonzero / (GENES * CELLS)).toFixed(4)),
    coexpressionEdges: co.source.length,
    coexpressionSeconds: Number(coSeconds.toFixed(2)),
    generateCellsSeconds: Number(generateSeconds.toFixed(2)),
    coexpressionNote: 'coexpressionSeconds includes generating the cells again while streaming (generateCellsSeconds)',
    coexpressionPeakRssMiB,
    goGenes: vocabulary.genes.length,
    goEdges: go.source.length,
    goReadTableSeconds: Number(readSeconds.toFixed(2)),
    goBuildSeconds: Number(goSeconds.toFixed(2)),
    loadAverage1m: Number(os.loadavg()[0].toFixed(2)),
  };
}
