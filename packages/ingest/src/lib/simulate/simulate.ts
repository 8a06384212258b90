import { CONTROL, conditionName } from '@gears-pipeline/core';
import { MIN_CELLS_PER_CONDITION, resolveSimulateArgs, type SimulateArgs } from './args.ts';
import { propagate, simulateGeneOntology, simulateNetwork, type RegulatoryNetwork } from './network.ts';
import { SeededRandom } from './random.ts';

export type SimulatedConditionKind = 'control' | 'single' | 'double';
/** Genetic interaction planted in a double: none (additive), synergy, suppression or a new (neomorphic) effect. */
export type SimulatedInteraction = 'none' | 'synergy' | 'suppression' | 'neomorphic';

export interface SimulatedCondition {
  /** canonical GEARS name: `ctrl`, `A+ctrl`, `A+B` */
  name: string;
  genes: string[];
  kind: SimulatedConditionKind;
  nCells: number;
  interaction: SimulatedInteraction;
  /** synergy/suppression: κ scaling the singles' summed downstream change; neomorphic: sd of the new effects */
  interactionStrength: number;
}

/**
 * A simulated experiment before any cell is drawn: the truth (network, GO, latent effects) and
 * the per-condition expression rates from which `simulatedCellChunks` draws counts.
 */
export interface SimulatedData {
  args: SimulateArgs;
  geneNames: string[];
  /** baseline log-expression per gene (softmax logits of the control expression profile) */
  baseline: Float64Array;
  /** negative-binomial θ per gene */
  dispersion: Float64Array;
  network: RegulatoryNetwork;
  /** sorted GO ids per gene */
  geneOntology: string[][];
  conditions: SimulatedCondition[];
  /**
   * latent change of log-expression per condition and gene, row-major [conditions × genes]: the
   * perturbed gene's own shift plus its propagation through the network; a double is the sum of
   * its singles' rows plus its interaction term
   */
  latentEffect: Float32Array;
  /** expected share of a cell's counts per condition and gene, [conditions × genes], rows sum to 1 */
  proportion: Float64Array;
  /** mean library size (total counts per cell), tuned so the matrix has the requested density */
  depth: number;
  /** condition index of every cell, in file order (shuffled, as in a real experiment) */
  cellCondition: Uint16Array;
  /** cell-state programs: member genes and their signed loadings */
  programs: CellProgram[];
}

/** A cell-state program: its genes' log-expression moves by loading × the cell's program score. */
export interface CellProgram {
  genes: Int32Array;
  loading: Float64Array;
}

/** Random streams: one per concern, so changing one part of the design leaves the others unchanged. */
export const STREAM = { genes: 1, network: 2, go: 3, perturbations: 4, interactions: 5, allocation: 6, depth: 7, cells: 8, programs: 9 } as const;

/** Perturbation efficacy (fraction of the full self shift) is uniform in this range: guides differ. */
const EFFICACY_RANGE: [number, number] = [0.5, 1];
/** Share of single perturbations that target regulators (Norman 2019 chose mostly TFs). */
const REGULATOR_TARGET_SHARE = 0.8;
const SYNERGY_RANGE: [number, number] = [0.5, 1];
const SUPPRESSION_RANGE: [number, number] = [-0.8, -0.4];
/** neomorphic interactions move this share of genes (at least 5) by N(0, sd) */
const NEOMORPHIC_GENE_SHARE = 0.01;
const NEOMORPHIC_SD = 0.8;
/** spread of the condition sizes (sd of log weight), as guides differ in how many cells they reach */
const CONDITION_SIZE_SD = 0.25;
/** spread of θ across genes (sd of log θ) */
const DISPERSION_SD = 0.5;

/** `GENE0001` … — four digits at least, more when there are more genes. */
export function simulatedGeneNames(n: number): string[] {
  const width = Math.max(4, String(n).length);
  return Array.from({ length: n }, (_, i) => `GENE${String(i + 1).padStart(width, '0')}`);
}

/**
 * Designs a seeded synthetic Perturb-seq experiment (CRISPRa/i singles and doubles on a known
 * regulatory network). Cheap: O(conditions × genes); the cells are drawn later, in chunks, by
 * `simulatedCellChunks`, so the whole matrix never exists in memory.
 */
export function simulatePerturbSeq(overrides: Partial<SimulateArgs> = {}, preset?: string): SimulatedData {
  const args = resolveSimulateArgs(overrides, preset);
  const G = args.genes;
  const geneNames = simulatedGeneNames(G);

  const geneRng = new SeededRandom(args.seed, STREAM.genes);
  const baseline = new Float64Array(G);
  const dispersion = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    baseline[g] = args.baselineSd * geneRng.normal();
    dispersion[g] = args.dispersion * Math.exp(DISPERSION_SD * geneRng.normal());
  }
  const network = simulateNetwork(args, new SeededRandom(args.seed, STREAM.network));
  const geneOntology = simulateGeneOntology(network, G, new SeededRandom(args.seed, STREAM.go));

  // which genes are perturbed, how strongly, and what each single does
  const pr = new SeededRandom(args.seed, STREAM.perturbations);
  const regs = pr.shuffle(Array.from(network.regulators));
  const others = pr.shuffle(Array.from({ length: G }, (_, g) => g).filter((g) => network.regulatorOf[g] < 0));
  const fromRegs = Math.min(regs.length, Math.round(args.singles * REGULATOR_TARGET_SHARE));
  const perturbed = [...regs.slice(0, fromRegs), ...others.slice(0, args.singles - fromRegs)];
  if (perturbed.length < args.singles) perturbed.push(...regs.slice(fromRegs, fromRegs + args.singles - perturbed.length));
  perturbed.sort((x, y) => x - y);
  const sign = args.mode === 'activation' ? 1 : -1;
  const selfShift = new Map<number, Float64Array>();
  const downstream = new Map<number, Float64Array>();
  for (const g of perturbed) {
    const initial = new Float64Array(G);
    initial[g] = sign * args.selfShift * pr.range(EFFICACY_RANGE[0], EFFICACY_RANGE[1]);
    selfShift.set(g, initial);
    downstream.set(g, propagate(network, initial, args.propagationSteps));
  }

  const conditions: SimulatedCondition[] = [];
  const effects: Float64Array[] = [];
  const add = (c: Omit<SimulatedCondition, 'nCells'>, effect: Float64Array) => {
    conditions.push({ ...c, nCells: 0 });
    effects.push(effect);
  };
  add({ name: CONTROL, genes: [], kind: 'control', interaction: 'none', interactionStrength: 0 }, new Float64Array(G));
  const single = (g: number) => {
    const e = new Float64Array(G);
    const s = selfShift.get(g)!;
    const d = downstream.get(g)!;
    for (let i = 0; i < G; i++) e[i] = s[i] + d[i];
    return e;
  };
  for (const g of perturbed) {
    add({ name: conditionName([geneNames[g]]), genes: [geneNames[g]], kind: 'single', interaction: 'none', interactionStrength: 0 }, single(g));
  }
  const ir = new SeededRandom(args.seed, STREAM.interactions);
  for (const [a, b] of drawPairs(perturbed, args.doubles, ir)) {
    const e = single(a);
    const eb = single(b);
    for (let i = 0; i < G; i++) e[i] += eb[i];
    let interaction: SimulatedInteraction = 'none';
    let strength = 0;
    if (ir.uniform() < args.interactionFraction) {
      const kind = ir.int(3);
      if (kind < 2) {
        interaction = kind === 0 ? 'synergy' : 'suppression';
        const [lo, hi] = kind === 0 ? SYNERGY_RANGE : SUPPRESSION_RANGE;
        strength = ir.range(lo, hi);
        const da = downstream.get(a)!;
        const db = downstream.get(b)!;
        for (let i = 0; i < G; i++) e[i] += strength * (da[i] + db[i]);
      } else {
        interaction = 'neomorphic';
        strength = NEOMORPHIC_SD;
        const n = Math.max(5, Math.round(G * NEOMORPHIC_GENE_SHARE));
        for (let j = 0; j < n; j++) e[ir.int(G)] += NEOMORPHIC_SD * ir.normal();
      }
    }
    const genes = [geneNames[a], geneNames[b]];
    add({ name: conditionName(genes), genes: [...genes].sort(), kind: 'double', interaction, interactionStrength: strength }, e);
  }

  const C = conditions.length;
  const latentEffect = new Float32Array(C * G);
  const proportion = new Float64Array(C * G);
  for (let c = 0; c < C; c++) {
    let max = -Infinity;
    for (let g = 0; g < G; g++) {
      latentEffect[c * G + g] = effects[c][g];
      max = Math.max(max, baseline[g] + effects[c][g]);
    }
    let sum = 0;
    for (let g = 0; g < G; g++) sum += proportion[c * G + g] = Math.exp(baseline[g] + effects[c][g] - max);
    for (let g = 0; g < G; g++) proportion[c * G + g] /= sum;
  }

  const programs = simulatePrograms(baseline, args, new SeededRandom(args.seed, STREAM.programs));
  const noise = cellNoiseVariance(network, programs, args);
  const depth = calibrateDepth(proportion.subarray(0, G), dispersion, noise, args);
  const cellCondition = allocateCells(conditions, args, new SeededRandom(args.seed, STREAM.allocation));
  return { args, geneNames, baseline, dispersion, network, geneOntology, conditions, latentEffect, proportion, depth, cellCondition, programs };
}

/**
 * Variance of each gene's per-cell log-scale noise: its own regulator activity (if a regulator),
 * its regulators' activity through the edge weights, and its cell-state program loadings.
 */
export function cellNoiseVariance(net: RegulatoryNetwork, programs: CellProgram[], args: SimulateArgs): Float64Array {
  const G = net.regulatorOf.length;
  const v = new Float64Array(G);
  const rs = args.regulatorNoise ** 2;
  for (let g = 0; g < G; g++) {
    let w2 = net.regulatorOf[g] >= 0 ? 1 : 0;
    for (let j = net.inPtr[g]; j < net.inPtr[g + 1]; j++) w2 += net.weight[net.inEdge[j]] ** 2;
    v[g] = w2 * rs;
  }
  for (const p of programs) p.genes.forEach((g, j) => (v[g] += (p.loading[j] * args.programSd) ** 2));
  return v;
}

/** Program genes come from the best-expressed share of genes, where co-variation is measurable. */
const PROGRAM_GENE_POOL_SHARE = 0.03;
/** Each program holds this share of the genes (at least 3). */
const PROGRAM_GENE_SHARE = 0.01;
const PROGRAM_LOADING_RANGE: [number, number] = [0.6, 1];

/**
 * Cell-state programs (cell cycle, stress, …): in real data they make groups of well-expressed
 * genes co-vary within every condition, which is what the co-expression graph picks up. Each
 * program takes genes from the top 20 % by baseline expression, with loadings ±U(0.6, 1).
 */
function simulatePrograms(baseline: Float64Array, args: SimulateArgs, rng: SeededRandom): CellProgram[] {
  const G = baseline.length;
  const pool = Array.from({ length: G }, (_, g) => g)
    .sort((a, b) => baseline[b] - baseline[a] || a - b)
    .slice(0, Math.max(3, Math.round(G * PROGRAM_GENE_POOL_SHARE)));
  const size = Math.min(pool.length, Math.max(3, Math.round(G * PROGRAM_GENE_SHARE)));
  return Array.from({ length: args.programs }, () => {
    const genes = Int32Array.from(rng.shuffle([...pool]).slice(0, size)).sort();
    const loading = Float64Array.from(genes, () => (rng.uniform() < 0.8 ? 1 : -1) * rng.range(PROGRAM_LOADING_RANGE[0], PROGRAM_LOADING_RANGE[1]));
    return { genes, loading };
  });
}

/** `n` distinct unordered pairs of the perturbed genes. */
function drawPairs(genes: number[], n: number, rng: SeededRandom): [number, number][] {
  const all: [number, number][] = [];
  const P = genes.length;
  if (n === 0) return all;
  // sparse draw when pairs are plentiful, full enumeration otherwise (keeps it exact and fast)
  const total = (P * (P - 1)) / 2;
  if (n * 4 < total) {
    const seen = new Set<number>();
    while (all.length < n) {
      const i = rng.int(P);
      const j = rng.int(P);
      if (i === j) continue;
      const key = Math.min(i, j) * P + Math.max(i, j);
      if (seen.has(key)) continue;
      seen.add(key);
      all.push([genes[Math.min(i, j)], genes[Math.max(i, j)]]);
    }
    return all;
  }
  for (let i = 0; i < P; i++) for (let j = i + 1; j < P; j++) all.push([genes[i], genes[j]]);
  rng.shuffle(all);
  return all.slice(0, n);
}

/** Expression means at or above this are drawn per gene as negative binomial, below as Poisson (see cells.ts). */
export const NEGATIVE_BINOMIAL_MIN_MEAN = 0.5;
const DEPTH_QUANTILES = 32;

/**
 * Mean library size at which the expected fraction of non-zero counts in control cells equals
 * `args.density` (bisection on log depth; the expected density rises monotonically with depth).
 */
function calibrateDepth(p: Float64Array, theta: Float64Array, noiseVariance: Float64Array, args: SimulateArgs): number {
  // the per-cell log-normal noise (variance v) adds μ²(e^v − 1) to the variance: fold it into an
  // effective θ, so the expected share of zeros accounts for it
  const thetaEff = Float64Array.from(theta, (t, g) => 1 / (1 / t + Math.expm1(noiseVariance[g])));
  const rng = new SeededRandom(args.seed, STREAM.depth);
  const sd = args.librarySizeSd;
  const factors = Array.from({ length: DEPTH_QUANTILES }, () => Math.exp(sd * rng.normal() - (sd * sd) / 2));
  const density = (depth: number) => {
    let nz = 0;
    for (const f of factors) {
      for (let g = 0; g < p.length; g++) {
        const mu = depth * f * p[g];
        const mean = depth * p[g];
        nz += mean >= NEGATIVE_BINOMIAL_MIN_MEAN ? 1 - Math.pow(thetaEff[g] / (thetaEff[g] + mu), thetaEff[g]) : -Math.expm1(-mu);
      }
    }
    return nz / (factors.length * p.length);
  };
  let lo = Math.log(1);
  let hi = Math.log(1e9);
  for (let it = 0; it < 48; it++) {
    const mid = (lo + hi) / 2;
    if (density(Math.exp(mid)) < args.density) lo = mid;
    else hi = mid;
  }
  return Math.exp((lo + hi) / 2);
}

/** Cells per condition (controls by fraction, the rest spread with some variation), then shuffled. */
function allocateCells(conditions: SimulatedCondition[], args: SimulateArgs, rng: SeededRandom): Uint16Array {
  const C = conditions.length;
  const perturbedCells = C > 1 ? Math.round(args.cells * (1 - args.controlFraction)) : 0;
  conditions[0].nCells = args.cells - perturbedCells;
  if (C > 1) {
    const free = perturbedCells - MIN_CELLS_PER_CONDITION * (C - 1);
    const w = Array.from({ length: C - 1 }, () => Math.exp(CONDITION_SIZE_SD * rng.normal()));
    const sum = w.reduce((s, x) => s + x, 0);
    const exact = w.map((x) => (x / sum) * free);
    const base = exact.map(Math.floor);
    let left = free - base.reduce((s, x) => s + x, 0);
    // largest remainders get the leftover cells
    const order = exact.map((x, i) => [x - base[i], i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
    for (let j = 0; left > 0; j++, left--) base[order[j % order.length][1]]++;
    for (let c = 1; c < C; c++) conditions[c].nCells = MIN_CELLS_PER_CONDITION + base[c - 1];
  }
  const cellCondition = new Uint16Array(args.cells);
  let at = 0;
  for (let c = 0; c < C; c++) cellCondition.fill(c, at, (at += conditions[c].nCells));
  return rng.shuffle(cellCondition);
}
