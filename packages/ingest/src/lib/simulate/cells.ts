import type { CellChunk } from '@gears-pipeline/core';
import { AliasTable, SeededRandom } from './random.ts';
import { cellNoiseVariance, NEGATIVE_BINOMIAL_MIN_MEAN, STREAM, type SimulatedData } from './simulate.ts';

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
 * μ = L_i · p_kg · exp(n_ig − v_g/2), where n_ig is the cell's regulator activity noise
 * propagated one step (so targets of one regulator co-vary within a condition) plus its
 * cell-state program scores times g's loadings, and v_g its variance (the correction keeps the
 * mean at L_i · p_kg); both noises act on the negative-binomial genes only. Genes with a mean ≥ 0.5 are drawn as
 * negative binomial (gamma–Poisson, θ_g); the many low genes are drawn as Poisson — for them the
 * μ²/θ over-dispersion is small — by drawing their total and scattering it with an alias table,
 * which costs O(counts), not O(genes). Each cell has its own random stream, so chunking does not
 * change the data.
 */
export function* simulatedCellChunks(sim: SimulatedData, chunkCells = DEFAULT_CHUNK_CELLS): Generator<SimulatedCellChunk> {
  const G = sim.geneNames.length;
  const drawer = new CellDrawer(sim);
  const nCells = sim.cellCondition.length;
  let capacity = Math.max(1024, Math.ceil(chunkCells * G * sim.args.density * 1.5));
  let scratchIdx = new Int32Array(capacity);
  let scratchVal = new Float32Array(capacity);
  for (let first = 0; first < nCells; first += chunkCells) {
    const n = Math.min(chunkCells, nCells - first);
    const indptr = new Int32Array(n + 1);
    const librarySize = new Float64Array(n);
    const conditionCodes = sim.cellCondition.slice(first, first + n);
    // Draw the chunk's cells grouped by condition: each condition's sampling tables then stay in
    // cache for a run of cells (in file order they would be evicted between cells). Every cell has
    // its own random stream, so the order of drawing does not change the data.
    const order = Array.from({ length: n }, (_, c) => c).sort((x, y) => conditionCodes[x] - conditionCodes[y] || x - y);
    const start = new Int32Array(n);
    const length = new Int32Array(n);
    let used = 0;
    for (const c of order) {
      if (used + G > capacity) {
        capacity = Math.max(capacity * 2, used + G);
        const ni = new Int32Array(capacity);
        ni.set(scratchIdx.subarray(0, used));
        scratchIdx = ni;
        const nv = new Float32Array(capacity);
        nv.set(scratchVal.subarray(0, used));
        scratchVal = nv;
      }
      const end = drawer.draw(first + c, conditionCodes[c], scratchIdx, scratchVal, used);
      start[c] = used;
      length[c] = end - used;
      librarySize[c] = drawer.lastLibrarySize;
      used = end;
    }
    const indices = new Int32Array(used);
    const values = new Float32Array(used);
    let nnz = 0;
    for (let c = 0; c < n; c++) {
      indices.set(scratchIdx.subarray(start[c], start[c] + length[c]), nnz);
      values.set(scratchVal.subarray(start[c], start[c] + length[c]), nnz);
      indptr[c + 1] = nnz += length[c];
    }
    yield {
      firstCell: first,
      cellIds: Array.from({ length: n }, (_, c) => cellBarcode(first + c)),
      conditions: Array.from(conditionCodes, (k) => sim.conditions[k].name),
      conditionCodes,
      nGenes: G,
      indptr,
      indices,
      values,
      librarySize,
    };
  }
}

/** Draws one cell at a time into CSR buffers; holds the per-condition tables and scratch space. */
class CellDrawer {
  private readonly sim: SimulatedData;
  private readonly samplers: (ConditionSampler | undefined)[];
  /** variance of each gene's propagated regulator noise */
  private readonly noiseVar: Float64Array;
  private readonly counts: Int32Array;
  private readonly activity: Float64Array;
  /** program memberships per gene (CSR): program index and loading */
  private readonly programPtr: Int32Array;
  private readonly programOf: Int32Array;
  private readonly programLoading: Float64Array;
  private readonly programScore: Float64Array;
  private readonly rng = new SeededRandom(0);
  /** total counts of the cell drawn last */
  lastLibrarySize = 0;

  constructor(sim: SimulatedData) {
    this.sim = sim;
    const G = sim.geneNames.length;
    const net = sim.network;
    this.samplers = new Array(sim.conditions.length);
    this.noiseVar = cellNoiseVariance(net, sim.programs, sim.args);
    this.counts = new Int32Array(G);
    this.activity = new Float64Array(net.regulators.length);
    const progs = sim.programs;
    this.programPtr = new Int32Array(G + 1);
    for (const p of progs) for (const g of p.genes) this.programPtr[g + 1]++;
    for (let g = 0; g < G; g++) this.programPtr[g + 1] += this.programPtr[g];
    const fill = this.programPtr.slice(0, G);
    this.programOf = new Int32Array(this.programPtr[G]);
    this.programLoading = new Float64Array(this.programPtr[G]);
    progs.forEach((p, k) =>
      p.genes.forEach((g, j) => {
        this.programOf[fill[g]] = k;
        this.programLoading[fill[g]++] = p.loading[j];
      }),
    );
    this.programScore = new Float64Array(progs.length);
  }

  /** Draws cell `cell` of condition `k`; writes its non-zero genes at `at` onward; returns the new end. */
  draw(cell: number, k: number, indices: Int32Array, values: Float32Array, at: number): number {
    const { sim, counts, activity, noiseVar, rng } = this;
    const net = sim.network;
    const { seed, librarySizeSd: sdL, regulatorNoise: noiseSd } = sim.args;
    const s = (this.samplers[k] ??= buildSampler(sim, k));
    rng.reseed(seed, STREAM.cells, cell);
    const lib = sim.depth * Math.exp(sdL * rng.normal() - (sdL * sdL) / 2);
    const lowTotal = rng.poisson(lib * s.lowMass);
    const low = s.low;
    for (let t = 0; t < lowTotal; t++) counts[low.sample(rng)]++;
    const R = activity.length;
    if (noiseSd > 0) for (let r = 0; r < R; r++) activity[r] = noiseSd * rng.normal();
    const { programScore, programPtr, programOf, programLoading } = this;
    const psd = sim.args.programSd;
    for (let k = 0; k < programScore.length; k++) programScore[k] = psd * rng.normal();
    const { high, highProportion } = s;
    const { regulatorOf, inPtr, inEdge, weight, source } = net;
    for (let h = 0; h < high.length; h++) {
      const g = high[h];
      let noise = 0;
      if (noiseSd > 0) {
        const r = regulatorOf[g];
        if (r >= 0) noise += activity[r];
        for (let j = inPtr[g]; j < inPtr[g + 1]; j++) {
          const e = inEdge[j];
          noise += weight[e] * activity[regulatorOf[source[e]]];
        }
      }
      for (let j = programPtr[g]; j < programPtr[g + 1]; j++) noise += programLoading[j] * programScore[programOf[j]];
      const mu = lib * highProportion[h] * Math.exp(noise - noiseVar[g] / 2);
      counts[g] += rng.negativeBinomial(mu, sim.dispersion[g]);
    }
    let total = 0;
    const G = counts.length;
    for (let g = 0; g < G; g++) {
      const x = counts[g];
      if (x !== 0) {
        indices[at] = g;
        values[at++] = x;
        total += x;
        counts[g] = 0;
      }
    }
    this.lastLibrarySize = total;
    return at;
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
