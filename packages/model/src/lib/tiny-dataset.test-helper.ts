/** A tiny cell-level data set (dense cells → statistics, chunks, graphs, split) for training tests. */
import type { CellChunk, GeneGraph, SplitAssignment } from '@gears-pipeline/core';
import { Rng } from './rng.ts';
import { statsFromCells, type DenseCell } from './synthetic.ts';
import type { TrainInputs } from './train.ts';

export function tinyDataset(seed = 7, G = 24, cellsPerCondition = 12) {
  const rng = new Rng(seed);
  const genes = Array.from({ length: G }, (_, g) => `GENE${g}`);
  const pertGenes = genes.slice(0, 8);
  const conds = ['ctrl', ...pertGenes.map((g) => `${g}+ctrl`), 'GENE0+GENE1', 'GENE2+GENE3', 'GENE4+GENE5', 'GENE6+GENE7'];
  const effect = pertGenes.map(() => Array.from({ length: G }, () => (rng.next() < 0.3 ? rng.normal() : 0)));
  const cells: DenseCell[] = [];
  for (const cond of conds) {
    const n = cond === 'ctrl' ? 40 : cellsPerCondition;
    const shift = new Array(G).fill(0);
    for (const g of cond.split('+')) if (g !== 'ctrl') effect[pertGenes.indexOf(g)].forEach((v, k) => (shift[k] += v));
    for (let i = 0; i < n; i++) cells.push({ condition: cond, values: Array.from({ length: G }, (_, k) => Math.max(0, 1 + shift[k] + 0.3 * rng.normal())) });
  }
  const stats = statsFromCells(genes, cells);
  const split: SplitAssignment[] = conds.map((condition) =>
    ['GENE6+GENE7', 'GENE7+ctrl'].includes(condition) ? { condition, split: 'val', subgroup: 'combo_seen1' } : condition === 'GENE4+GENE5' ? { condition, split: 'test', subgroup: 'combo_seen2' } : { condition, split: 'train', subgroup: '' },
  );
  const graph = (nodes: string[]): GeneGraph => {
    const s: number[] = [], t: number[] = [], w: number[] = [];
    for (let i = 0; i < nodes.length; i++) for (let k = 0; k < 3; k++) s.push((i + k) % nodes.length), t.push(i), w.push(k === 0 ? 1 : 0.5);
    return { nodes, source: Int32Array.from(s), target: Int32Array.from(t), weight: Float64Array.from(w) };
  };
  const chunkSize = 50;
  const cellChunks = async function* (): AsyncIterable<CellChunk> {
    for (let i = 0; i < cells.length; i += chunkSize) {
      const part = cells.slice(i, i + chunkSize);
      const indptr = [0], indices: number[] = [], values: number[] = [];
      for (const c of part) {
        for (let g = 0; g < G; g++) if (c.values[g] !== 0) indices.push(g), values.push(Number(c.values[g]));
        indptr.push(indices.length);
      }
      yield { cellIds: part.map((_, k) => `cell${i + k}`), conditions: part.map((c) => c.condition), nGenes: G, indptr: Int32Array.from(indptr), indices: Int32Array.from(indices), values: Float32Array.from(values) };
    }
  };
  const inputs: TrainInputs = { stats, split, goGraph: graph(pertGenes), coexpressionGraph: graph(genes), pertVocabulary: pertGenes, cellChunks };
  return { cells, inputs };
}
