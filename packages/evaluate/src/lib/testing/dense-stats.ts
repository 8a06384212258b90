/**
 * Test helper (not exported from the package index): builds core `DatasetStats` from dense
 * per-condition cell matrices, the way ingest defines them (sums of central powers, Welch t
 * against control with ddof 1 and NaN → 0, DE rank by |t| descending, ties by gene position).
 * Lets the evaluate tests run without the ingest stage.
 */
import { CONTROL, conditionGenes, type DatasetStats } from '@gears-pipeline/core';

export interface DenseCondition {
  name: string;
  /** cells × genes, row-major */
  cells: number[][];
}

export function statsFromDense(geneNames: string[], conditions: DenseCondition[]): DatasetStats {
  const G = geneNames.length;
  const C = conditions.length;
  const mk = () => new Float64Array(C * G);
  const s: DatasetStats = {
    genes: geneNames.map((gene) => ({ gene, geneId: gene, mean: 0, dispersionNorm: 0, highlyVariable: true, isPerturbed: false })),
    conditions: conditions.map((c) => ({ name: c.name, genes: conditionGenes(c.name), nCells: c.cells.length, isControl: c.name === CONTROL })),
    controlIndex: conditions.findIndex((c) => c.name === CONTROL),
    mean: mk(),
    m2: mk(),
    m3: mk(),
    m4: mk(),
    nonzero: mk(),
    t: mk(),
    deRank: new Int32Array(C * G),
  };
  if (s.controlIndex < 0) throw new Error('statsFromDense: no ctrl condition');
  conditions.forEach((c, ci) => {
    const n = c.cells.length;
    for (let g = 0; g < G; g++) {
      let sum = 0;
      let nz = 0;
      for (const cell of c.cells) {
        sum += cell[g];
        if (cell[g] !== 0) nz++;
      }
      const m = sum / n;
      let m2 = 0;
      let m3 = 0;
      let m4 = 0;
      for (const cell of c.cells) {
        const d = cell[g] - m;
        m2 += d * d;
        m3 += d * d * d;
        m4 += d * d * d * d;
      }
      const k = ci * G + g;
      s.mean[k] = m;
      s.m2[k] = m2;
      s.m3[k] = m3;
      s.m4[k] = m4;
      s.nonzero[k] = nz;
    }
  });
  const cc = s.controlIndex;
  const nCtrl = conditions[cc].cells.length;
  for (let ci = 0; ci < C; ci++) {
    const base = ci * G;
    if (ci === cc) {
      s.deRank.fill(-1, base, base + G);
      continue;
    }
    const n = conditions[ci].cells.length;
    for (let g = 0; g < G; g++) {
      const v1 = n > 1 ? s.m2[base + g] / (n - 1) : 0;
      const v0 = nCtrl > 1 ? s.m2[cc * G + g] / (nCtrl - 1) : 0;
      const t = (s.mean[base + g] - s.mean[cc * G + g]) / Math.sqrt(v1 / n + v0 / nCtrl);
      s.t[base + g] = Number.isFinite(t) ? t : 0;
    }
    const order = Array.from({ length: G }, (_, g) => g).sort((a, b) => Math.abs(s.t[base + b]) - Math.abs(s.t[base + a]) || a - b);
    order.forEach((g, r) => (s.deRank[base + g] = r));
  }
  return s;
}
