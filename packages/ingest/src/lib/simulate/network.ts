import { SeededRandom } from './random.ts';

/**
 * The known ("ground-truth") gene regulatory network of a simulation: TF-like regulators with
 * sparse signed edges to their targets. Regulators are grouped into modules (pathways) that
 * prefer a shared pool of targets, so co-functional regulators have overlapping effects — the
 * structure GEARS's GO graph is meant to exploit.
 */
export interface RegulatoryNetwork {
  /** gene index of each regulator */
  regulators: Int32Array;
  /** regulator ordinal of each gene, −1 when the gene is not a regulator */
  regulatorOf: Int32Array;
  /** module (pathway) of each gene */
  moduleOf: Int32Array;
  modules: number;
  /** edges sorted by source regulator: gene indices and signed weights */
  source: Int32Array;
  target: Int32Array;
  weight: Float64Array;
  /** CSR over sources: edges of gene g are [outPtr[g], outPtr[g+1]) */
  outPtr: Int32Array;
  /** CSR over targets (incoming edges): positions into source/target/weight */
  inPtr: Int32Array;
  inEdge: Int32Array;
}

/** Regulators per module: small pathways, like the few TFs of one GO process. */
const REGULATORS_PER_MODULE = 8;
/** Fraction of a regulator's targets drawn from its own module's genes (the rest anywhere). */
const IN_MODULE_TARGET_FRACTION = 0.75;
/** Default share of genes that are regulators. */
const DEFAULT_REGULATOR_SHARE = 0.03;
const MIN_REGULATORS = 8;

export interface NetworkArgs {
  genes: number;
  regulators?: number;
  targetsPerRegulator: number;
  edgeWeightRange: [number, number];
  activatingEdgeFraction: number;
}

/** Default regulator count for a number of genes. */
export function defaultRegulatorCount(genes: number): number {
  return Math.min(genes, Math.max(MIN_REGULATORS, Math.round(genes * DEFAULT_REGULATOR_SHARE)));
}

/** Draws a random network (deterministic for the random stream). */
export function simulateNetwork(a: NetworkArgs, rng: SeededRandom): RegulatoryNetwork {
  const G = a.genes;
  const R = a.regulators ?? defaultRegulatorCount(G);
  const order = rng.shuffle(Int32Array.from({ length: G }, (_, i) => i));
  const regulators = order.slice(0, R).sort();
  const regulatorOf = new Int32Array(G).fill(-1);
  regulators.forEach((g, r) => (regulatorOf[g] = r));

  const modules = Math.max(1, Math.ceil(R / REGULATORS_PER_MODULE));
  const moduleOf = new Int32Array(G);
  // regulators are dealt to modules in random order; every other gene gets a random home module
  const regOrder = rng.shuffle(Int32Array.from(regulators));
  regOrder.forEach((g, i) => (moduleOf[g] = i % modules));
  for (let g = 0; g < G; g++) if (regulatorOf[g] < 0) moduleOf[g] = rng.int(modules);
  const genesOfModule: number[][] = Array.from({ length: modules }, () => []);
  for (let g = 0; g < G; g++) genesOfModule[moduleOf[g]].push(g);

  const src: number[] = [];
  const tgt: number[] = [];
  const wts: number[] = [];
  const [wLo, wHi] = a.edgeWeightRange;
  for (const reg of regulators) {
    const pool = genesOfModule[moduleOf[reg]];
    const degree = Math.min(G - 1, 1 + rng.poisson(Math.max(0, a.targetsPerRegulator - 1)));
    const chosen = new Set<number>();
    let attempts = 0;
    while (chosen.size < degree && attempts++ < degree * 20) {
      const t = rng.uniform() < IN_MODULE_TARGET_FRACTION && pool.length > 1 ? pool[rng.int(pool.length)] : rng.int(G);
      if (t !== reg) chosen.add(t);
    }
    for (const t of [...chosen].sort((x, y) => x - y)) {
      src.push(reg);
      tgt.push(t);
      const sign = rng.uniform() < a.activatingEdgeFraction ? 1 : -1;
      wts.push(sign * rng.range(wLo, wHi));
    }
  }
  const E = src.length;
  const source = Int32Array.from(src);
  const target = Int32Array.from(tgt);
  const weight = Float64Array.from(wts);
  const outPtr = new Int32Array(G + 1);
  for (let e = 0; e < E; e++) outPtr[source[e] + 1]++;
  for (let g = 0; g < G; g++) outPtr[g + 1] += outPtr[g];
  const inPtr = new Int32Array(G + 1);
  for (let e = 0; e < E; e++) inPtr[target[e] + 1]++;
  for (let g = 0; g < G; g++) inPtr[g + 1] += inPtr[g];
  const fill = inPtr.slice(0, G);
  const inEdge = new Int32Array(E);
  for (let e = 0; e < E; e++) inEdge[fill[target[e]]++] = e;
  return { regulators, regulatorOf, moduleOf, modules, source, target, weight, outPtr, inPtr, inEdge };
}

/**
 * Spreads a latent change through the network: step k moves each target by
 * weight × (the change its regulator received at step k−1). Returns the sum over steps 1..steps
 * (the downstream part, without the initial shift itself).
 */
export function propagate(net: RegulatoryNetwork, initial: Float64Array, steps: number): Float64Array {
  const G = initial.length;
  const downstream = new Float64Array(G);
  let current = initial;
  for (let s = 0; s < steps; s++) {
    const next = new Float64Array(G);
    let any = false;
    for (let g = 0; g < G; g++) {
      const c = current[g];
      if (c === 0) continue;
      for (let e = net.outPtr[g]; e < net.outPtr[g + 1]; e++) {
        next[net.target[e]] += net.weight[e] * c;
        any = true;
      }
    }
    if (!any) break;
    for (let g = 0; g < G; g++) downstream[g] += next[g];
    current = next;
  }
  return downstream;
}

/** Mean number of unrelated ("noise") GO terms per gene, so the GO graph is informative but not exact. */
const NOISE_TERMS_PER_GENE = 0.5;

/**
 * Synthetic GO annotations consistent with the network: each module is a process term carried by
 * all its genes; each regulator's regulon (itself and its targets) is a term, so genes sharing a
 * regulator share terms; plus a few random terms. Returns sorted GO ids per gene.
 */
export function simulateGeneOntology(net: RegulatoryNetwork, genes: number, rng: SeededRandom): string[][] {
  const terms: Set<number>[] = Array.from({ length: genes }, () => new Set<number>());
  let next = 1;
  const moduleTerm = next;
  next += net.modules;
  for (let g = 0; g < genes; g++) terms[g].add(moduleTerm + net.moduleOf[g]);
  for (let r = 0; r < net.regulators.length; r++) {
    const reg = net.regulators[r];
    const id = next++;
    terms[reg].add(id);
    for (let e = net.outPtr[reg]; e < net.outPtr[reg + 1]; e++) terms[net.target[e]].add(id);
  }
  const noisePool = Math.max(10, Math.round(genes / 25));
  const noiseStart = next;
  for (let g = 0; g < genes; g++) {
    const n = rng.poisson(NOISE_TERMS_PER_GENE);
    for (let i = 0; i < n; i++) terms[g].add(noiseStart + rng.int(noisePool));
  }
  return terms.map((s) => [...s].sort((x, y) => x - y).map((id) => `GO:${String(id).padStart(7, '0')}`));
}
