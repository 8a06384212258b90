/**
 * In-memory data sets for tests and the benchmark: DatasetStats computed from dense cells (exactly
 * as ingest defines them), and synthetic Norman-scale statistics generated directly.
 */
import { CONTROL, conditionGenes, type DatasetStats, type GeneGraph, type SplitAssignment } from '@gears-pipeline/core';
import { Rng } from './rng.ts';

export interface DenseCell {
  condition: string;
  values: Float32Array | number[];
}

function rankByAbsT(t: Float64Array, c: number, G: number, out: Int32Array): void {
  const order = Array.from({ length: G }, (_, g) => g).sort((a, b) => Math.abs(t[c * G + b]) - Math.abs(t[c * G + a]) || a - b);
  order.forEach((g, r) => (out[c * G + g] = r));
}

/** Sufficient statistics of dense cells (population sums of central powers, Welch t vs control). */
export function statsFromCells(genes: string[], cells: DenseCell[]): DatasetStats {
  const G = genes.length;
  const names = [...new Set(cells.map((c) => c.condition))].sort((a, b) => (a === CONTROL ? -1 : b === CONTROL ? 1 : a < b ? -1 : 1));
  const C = names.length;
  const idx = new Map(names.map((n, i) => [n, i]));
  const n = new Float64Array(C);
  const mk = () => new Float64Array(C * G);
  const s: DatasetStats = {
    genes: genes.map((gene) => ({ gene, geneId: gene, mean: 0, dispersionNorm: 0, highlyVariable: true, isPerturbed: false })),
    conditions: names.map((name) => ({ name, genes: conditionGenes(name), nCells: 0, isControl: name === CONTROL })),
    controlIndex: idx.get(CONTROL) ?? -1,
    mean: mk(), m2: mk(), m3: mk(), m4: mk(), nonzero: mk(), t: mk(), deRank: new Int32Array(C * G).fill(-1),
  };
  for (const cell of cells) {
    const c = idx.get(cell.condition)!;
    n[c]++;
    for (let g = 0; g < G; g++) s.mean[c * G + g] += cell.values[g];
  }
  for (let c = 0; c < C; c++) for (let g = 0; g < G; g++) s.mean[c * G + g] /= n[c];
  for (const cell of cells) {
    const c = idx.get(cell.condition)!;
    for (let g = 0; g < G; g++) {
      const d = cell.values[g] - s.mean[c * G + g];
      s.m2[c * G + g] += d * d;
      s.m3[c * G + g] += d * d * d;
      s.m4[c * G + g] += d * d * d * d;
      if (cell.values[g] !== 0) s.nonzero[c * G + g]++;
    }
  }
  names.forEach((_, c) => (s.conditions[c].nCells = n[c]));
  const x = s.controlIndex;
  for (let c = 0; c < C; c++) {
    if (c === x) continue;
    for (let g = 0; g < G; g++) {
      const vy = n[c] > 1 ? s.m2[c * G + g] / (n[c] - 1) : 0;
      const vx = n[x] > 1 ? s.m2[x * G + g] / (n[x] - 1) : 0;
      const t = (s.mean[c * G + g] - s.mean[x * G + g]) / Math.sqrt(vy / n[c] + vx / n[x]);
      s.t[c * G + g] = Number.isFinite(t) ? t : 0;
    }
    rankByAbsT(s.t, c, G, s.deRank);
  }
  return s;
}

export interface SyntheticArgs {
  nGenes: number;
  nSingles: number;
  nDoubles: number;
  cellsPerCondition: number;
  controlCells: number;
  seed: number;
}

export interface SyntheticDataset {
  stats: DatasetStats;
  split: SplitAssignment[];
  goGraph: GeneGraph;
  coexpressionGraph: GeneGraph;
  pertVocabulary: string[];
}

/**
 * A synthetic data set shaped like Norman 2019 (statistics generated directly, no cells): each
 * perturbed gene shifts a random set of 50 genes; doubles add their singles' shifts. Graphs are
 * random with ~20 incoming edges per node as after the reference's top-k cut.
 */
export function syntheticDataset(a: SyntheticArgs): SyntheticDataset {
  const rng = new Rng(a.seed);
  const G = a.nGenes;
  const genes = Array.from({ length: G }, (_, g) => `G${String(g).padStart(5, '0')}`);
  const pertGenes = genes.slice(0, a.nSingles);
  const conds = [CONTROL, ...pertGenes.map((g) => `${g}+ctrl`)];
  for (let k = 0; k < a.nDoubles; k++) {
    const i = rng.int(a.nSingles);
    let j = rng.int(a.nSingles);
    if (j === i) j = (i + 1) % a.nSingles;
    const name = `${pertGenes[Math.min(i, j)]}+${pertGenes[Math.max(i, j)]}`;
    if (!conds.includes(name)) conds.push(name);
  }
  const C = conds.length;
  const base = Float64Array.from({ length: G }, () => (rng.next() < 0.2 ? 0 : rng.uniform(0.1, 3)));
  const effect = pertGenes.map(() => {
    const e = new Map<number, number>();
    for (let k = 0; k < 50; k++) e.set(rng.int(G), rng.normal() * 0.5);
    return e;
  });
  const mk = () => new Float64Array(C * G);
  const stats: DatasetStats = {
    genes: genes.map((gene, g) => ({ gene, geneId: gene, mean: base[g], dispersionNorm: 0, highlyVariable: true, isPerturbed: g < a.nSingles })),
    conditions: conds.map((name, c) => ({ name, genes: conditionGenes(name), nCells: c === 0 ? a.controlCells : a.cellsPerCondition, isControl: c === 0 })),
    controlIndex: 0,
    mean: mk(), m2: mk(), m3: mk(), m4: mk(), nonzero: mk(), t: mk(), deRank: new Int32Array(C * G).fill(-1),
  };
  const pidx = new Map(pertGenes.map((g, i) => [g, i]));
  for (let c = 0; c < C; c++) {
    const n = stats.conditions[c].nCells;
    const shift = new Float64Array(G);
    for (const g of stats.conditions[c].genes) for (const [k, v] of effect[pidx.get(g)!]) shift[k] += v;
    for (let g = 0; g < G; g++) {
      const k = c * G + g;
      const mu = base[g] === 0 ? 0 : Math.max(0, base[g] + shift[g]);
      const v = mu * 0.5;
      stats.mean[k] = mu;
      stats.m2[k] = v * n;
      stats.m3[k] = 0.3 * v ** 1.5 * n;
      stats.m4[k] = 3.5 * v * v * n;
      stats.nonzero[k] = mu > 0 ? Math.round(n * 0.8) : 0;
      if (c > 0) stats.t[k] = (mu - stats.mean[g]) / Math.sqrt(v / n + (stats.m2[g] / a.controlCells) / a.controlCells + 1e-12);
    }
    if (c > 0) rankByAbsT(stats.t, c, G, stats.deRank);
  }
  const split: SplitAssignment[] = conds.map((condition, c) => {
    const r = c === 0 ? 0 : rng.next();
    return r < 0.75 ? { condition, split: 'train', subgroup: '' } : r < 0.875 ? { condition, split: 'val', subgroup: 'combo_seen1' } : { condition, split: 'test', subgroup: 'combo_seen1' };
  });
  const randomGraph = (nodes: string[]): GeneGraph => {
    const N = nodes.length;
    const s: number[] = [];
    const t: number[] = [];
    const w: number[] = [];
    for (let i = 0; i < N; i++) {
      s.push(i), t.push(i), w.push(1);
      for (let k = 0; k < 20; k++) s.push(rng.int(N)), t.push(i), w.push(rng.uniform(0.4, 1));
    }
    return { nodes, source: Int32Array.from(s), target: Int32Array.from(t), weight: Float64Array.from(w) };
  };
  return { stats, split, goGraph: randomGraph(pertGenes), coexpressionGraph: randomGraph(genes), pertVocabulary: pertGenes };
}
