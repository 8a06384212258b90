import type { CellChunk } from '@gears-pipeline/core';
import { AliasTable, SeededRandom } from './random.ts';
import { NEGATIVE_BINOMIAL_MIN_MEAN, STREAM, type SimulatedData } from './simulate.ts';

/** A block of simulated cells: raw integer UMI counts (as float32), CSR over the genes. */
export interface SimulatedCellChunk extends CellChunk {
  /** index of the first cell of the chunk in the whole data set */
  firstCell: number;
  /** condition index (into `SimulatedData.conditions`) per cell */
  conditionCodes: Uint16Array;
  /** total counts per cell */
  librarySize: Float64Array;
}

export const DEFAULT_CHUNK_CELLS = 4096;

/** 10x-style barcode for cell `i`: 16 nucleotides spelling `i` in base 4, then `-1`. */
export function cellBarcode(i: number): string {
  let s = '';
  let x = i;
  for (let k = 0; k < 16; k++) {
    s = 'ACGT'[x & 3] + s;
    x = Math.floor(x / 4);
  }
  return `${s}-1`;
}

/** Per-condition sampling tables, built once. */
interface ConditionSampler {
  /** genes drawn one by one as negative binomial (expected count ≥ NEGATIVE_BINOMIAL_MIN_MEAN) */
  high: Int32Array;
  highProportion: Float64Array;
  /** the rest: their total is Poisson and scattered by an alias table (exactly independent Poissons) */
  lowMass: number;
  low: AliasTable;
}

/**
 * Draws the cells of a simulated experiment in chunks of `chunkCells`, in file order.
 *
 * Cell i (condition k, library size L_i = depth · lognormal) gets for gene g an expected count
 * μ = L_i · p_kg · exp(n_ig − v_g/2), where n_ig is the regulator activity noise of the cell
 * propagated one step (so targets of one regulator co-vary within a condition) and v_g its
 * variance (the correction keeps the mean at L_i · p_kg). Genes with a mean ≥ 0.5 are drawn as
 * negative binomial (gamma–Poisson, θ_g); the many low genes are drawn as Poisson — for them the
 * μ²/θ over-dispersion is small — by drawing their total and scattering it with an alias table,
 * which costs O(counts), not O(genes). Each cell has its own random stream, so chunking does not
 * change the data.
 */
export function* simulatedCellChunks(sim: SimulatedData, chunkCells = DEFAULT_CHUNK_CELLS): Generator<SimulatedCellChunk> {
  const G = sim.geneNames.length;
  const { network: net, args } = sim;
  const R = net.regulators.length;
  const noiseSd = args.regulatorNoise;
  const samplers = new Map<number, ConditionSampler>();
  const samplerOf = (k: number) => {
    let s = samplers.get(k);
    if (!s) samplers.set(k, (s = buildSampler(sim, k)));
    return s;
  };
  // variance of each gene's propagated regulator noise
  const noiseVar = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    let v = net.regulatorOf[g] >= 0 ? 1 : 0;
    for (let j = net.inPtr[g]; j < net.inPtr[g + 1]; j++) v += net.weight[net.inEdge[j]] ** 2;
    noiseVar[g] = v * noiseSd * noiseSd;
  }
  const counts = new Int32Array(G);
  const activity = new Float64Array(R);
  const sdL = args.librarySizeSd;
  const nCells = sim.cellCondition.length;
  let capacity = Math.max(1024, Math.ceil(chunkCells * G * args.density * 1.5));
  for (let first = 0; first < nCells; first += chunkCells) {
    const n = Math.min(chunkCells, nCells - first);
    const indptr = new Int32Array(n + 1);
    let indices = new Int32Array(capacity);
    let values = new Float32Array(capacity);
    const librarySize = new Float64Array(n);
    const conditionCodes = sim.cellCondition.slice(first, first + n);
    let nnz = 0;
    for (let c = 0; c < n; c++) {
      const cell = first + c;
      const k = conditionCodes[c];
      const s = samplerOf(k);
      const rng = new SeededRandom(args.seed, STREAM.cells, cell);
      const lib = sim.depth * Math.exp(sdL * rng.normal() - (sdL * sdL) / 2);
      const lowTotal = rng.poisson(lib * s.lowMass);
      for (let t = 0; t < lowTotal; t++) counts[s.low.sample(rng)]++;
      if (noiseSd > 0) for (let r = 0; r < R; r++) activity[r] = noiseSd * rng.normal();
      for (let h = 0; h < s.high.length; h++) {
        const g = s.high[h];
        let noise = 0;
        if (noiseSd > 0) {
          const r = net.regulatorOf[g];
          if (r >= 0) noise += activity[r];
          for (let j = net.inPtr[g]; j < net.inPtr[g + 1]; j++) {
            const e = net.inEdge[j];
            noise += net.weight[e] * activity[net.regulatorOf[net.source[e]]];
          }
        }
        const mu = lib * s.highProportion[h] * Math.exp(noise - noiseVar[g] / 2);
        counts[g] += rng.negativeBinomial(mu, sim.dispersion[g]);
      }
      if (nnz + G > capacity) {
        capacity = Math.max(capacity * 2, nnz + G);
        const ni = new Int32Array(capacity);
        ni.set(indices.subarray(0, nnz));
        indices = ni;
        const nv = new Float32Array(capacity);
        nv.set(values.subarray(0, nnz));
        values = nv;
      }
      let total = 0;
      for (let g = 0; g < G; g++) {
        const x = counts[g];
        if (x !== 0) {
          indices[nnz] = g;
          values[nnz++] = x;
          total += x;
          counts[g] = 0;
        }
      }
      librarySize[c] = total;
      indptr[c + 1] = nnz;
    }
    yield {
      firstCell: first,
      cellIds: Array.from({ length: n }, (_, c) => cellBarcode(first + c)),
      conditions: Array.from(conditionCodes, (k) => sim.conditions[k].name),
      conditionCodes,
      nGenes: G,
      indptr,
      indices: indices.slice(0, nnz),
      values: values.slice(0, nnz),
      librarySize,
    };
  }
}

function buildSampler(sim: SimulatedData, k: number): ConditionSampler {
  const G = sim.geneNames.length;
  const p = sim.proportion.subarray(k * G, (k + 1) * G);
  const high: number[] = [];
  const low: number[] = [];
  for (let g = 0; g < G; g++) (sim.depth * p[g] >= NEGATIVE_BINOMIAL_MIN_MEAN ? high : low).push(g);
  const lowIdx = Int32Array.from(low);
  const lowW = Float64Array.from(low, (g) => p[g]);
  let lowMass = 0;
  for (const w of lowW) lowMass += w;
  return {
    high: Int32Array.from(high),
    highProportion: Float64Array.from(high, (g) => p[g]),
    lowMass,
    low: new AliasTable(lowW, lowIdx),
  };
}
