import { GearsUsageError } from '@gears-pipeline/core';

/** How the perturbations act on their own gene: CRISPR activation (as in Norman 2019) or interference. */
export type PerturbationMode = 'activation' | 'interference';

/** Everything that shapes a simulated Perturb-seq experiment. All fields have defaults. */
export interface SimulateArgs {
  /** seed of every random choice; the same seed and arguments give byte-identical data */
  seed: number;
  /** measured genes (GENE0001 …) */
  genes: number;
  /** cells in total (control + perturbed) */
  cells: number;
  /** single-gene perturbation conditions (`A+ctrl`); each perturbs a different measured gene */
  singles: number;
  /** two-gene conditions (`A+B`), pairs of the singles' genes */
  doubles: number;
  /** fraction of the cells that are control cells (`ctrl`) */
  controlFraction: number;
  /** target fraction of non-zero entries in the count matrix; the sequencing depth is tuned to it */
  density: number;
  /** TF-like regulators in the network; default 3% of the genes (at least 8) */
  regulators?: number;
  /** mean number of targets per regulator */
  targetsPerRegulator: number;
  /** range of |edge weight|: a target's log-expression moves by weight × the regulator's change */
  edgeWeightRange: [number, number];
  /** probability that an edge activates (else it represses) */
  activatingEdgeFraction: number;
  /** how many steps a perturbation propagates through the network (1 or 2 in practice) */
  propagationSteps: number;
  mode: PerturbationMode;
  /** mean |shift| of a perturbed gene's own log-expression (before its efficacy factor) */
  selfShift: number;
  /** fraction of doubles with a genetic interaction (synergy, suppression or a new effect) */
  interactionFraction: number;
  /** standard deviation of the log library size across cells */
  librarySizeSd: number;
  /** negative-binomial inverse dispersion θ, median over genes (variance = μ + μ²/θ) */
  dispersion: number;
  /** standard deviation of each regulator's per-cell activity noise (gives co-expression within a condition) */
  regulatorNoise: number;
  /** cell-state programs (like the cell cycle): modules of well-expressed genes that co-vary from cell to cell */
  programs: number;
  /** standard deviation of a cell's program score (on the log scale, times each gene's loading) */
  programSd: number;
  /** standard deviation of the baseline log-expression across genes */
  baselineSd: number;
  /** cell type label written to `obs.cell_type` */
  cellType: string;
}

export const DEFAULT_SIMULATE_ARGS: SimulateArgs = {
  seed: 1,
  genes: 500,
  cells: 6000,
  singles: 24,
  doubles: 24,
  controlFraction: 0.15,
  density: 0.1,
  targetsPerRegulator: 25,
  edgeWeightRange: [0.15, 0.6],
  activatingEdgeFraction: 0.6,
  propagationSteps: 2,
  mode: 'activation',
  selfShift: 2.5,
  interactionFraction: 0.3,
  librarySizeSd: 0.3,
  dispersion: 8,
  regulatorNoise: 0.25,
  programs: 4,
  programSd: 1,
  baselineSd: 2,
  cellType: 'K562',
};

/** Named sizes: `norman` matches Norman et al. 2019 in scale; `small` is quick for demos and tests. */
export const SIMULATE_PRESETS: Record<string, Partial<SimulateArgs>> = {
  // Norman 2019 as GEARS uses it: 5,045 genes, 152 singles + 131 doubles (+ ctrl) ≈ 284 conditions, ≈ 91k cells
  norman: { genes: 5000, cells: 90000, singles: 150, doubles: 130, controlFraction: 0.12, density: 0.1 },
  small: { genes: 500, cells: 6000, singles: 24, doubles: 24, controlFraction: 0.15, density: 0.1 },
  // shaped like Replogle et al. 2022 genome-wide K562 (CRISPRi, ≈ 9,900 perturbed genes, ≈ 8,000
  // expressed genes kept, ≈ 100 cells per perturbation), scaled to ≥ 1,000,000 cells: 10,000
  // perturbations = every measured gene as a single (the simulator perturbs measured genes only)
  // plus 2,000 doubles (the real screen has none; they keep the GI analysis exercised)
  'genome-wide': { genes: 8000, cells: 1_000_000, singles: 8000, doubles: 2000, controlFraction: 0.05, density: 0.1, mode: 'interference' },
};

/** Fewest cells a condition may get: the statistics stage rejects conditions with a single cell. */
export const MIN_CELLS_PER_CONDITION = 5;

/** Defaults, then the preset, then explicit overrides; validated. */
export function resolveSimulateArgs(overrides: Partial<SimulateArgs> = {}, preset?: string): SimulateArgs {
  let base: Partial<SimulateArgs> = {};
  if (preset !== undefined) {
    const p = SIMULATE_PRESETS[preset];
    if (!p) throw new GearsUsageError(`unknown preset '${preset}' (known: ${Object.keys(SIMULATE_PRESETS).join(', ')})`);
    base = p;
  }
  const defined = Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined));
  const args: SimulateArgs = { ...DEFAULT_SIMULATE_ARGS, ...base, ...defined };
  validate(args);
  return args;
}

function validate(a: SimulateArgs): void {
  const bad = (field: string, problem: string) => {
    throw new GearsUsageError(`${field} ${problem}`);
  };
  const int = (field: keyof SimulateArgs, min: number) => {
    const v = a[field] as number;
    if (!Number.isInteger(v) || v < min) bad(field, `must be an integer ≥ ${min} (got ${v})`);
  };
  int('seed', 0);
  int('genes', 4);
  int('cells', 1);
  int('singles', 0);
  int('doubles', 0);
  int('propagationSteps', 0);
  int('programs', 0);
  if (a.singles > a.genes) bad('singles', `(${a.singles}) cannot exceed genes (${a.genes}): each single perturbs a different gene`);
  const pairs = (a.singles * (a.singles - 1)) / 2;
  if (a.doubles > pairs) bad('doubles', `(${a.doubles}) cannot exceed the ${pairs} pairs of the ${a.singles} singles' genes`);
  if (!(a.controlFraction > 0 && a.controlFraction < 1)) bad('controlFraction', `must be in (0, 1) (got ${a.controlFraction})`);
  if (!(a.density > 0 && a.density <= 0.9)) bad('density', `must be in (0, 0.9] (got ${a.density})`);
  if (a.regulators !== undefined && (!Number.isInteger(a.regulators) || a.regulators < 1 || a.regulators > a.genes)) {
    bad('regulators', `must be an integer in [1, genes] (got ${a.regulators})`);
  }
  const conditions = 1 + a.singles + a.doubles;
  const perturbedCells = Math.round(a.cells * (1 - a.controlFraction));
  const controlCells = a.cells - perturbedCells;
  if (controlCells < MIN_CELLS_PER_CONDITION || (conditions > 1 && perturbedCells / (conditions - 1) < MIN_CELLS_PER_CONDITION)) {
    bad('cells', `(${a.cells}) too few for ${conditions} conditions: need at least ${MIN_CELLS_PER_CONDITION} cells per condition`);
  }
  if (!(a.dispersion > 0)) bad('dispersion', 'must be > 0');
  if (!(a.edgeWeightRange[0] >= 0 && a.edgeWeightRange[1] >= a.edgeWeightRange[0])) bad('edgeWeightRange', 'must be [lo, hi] with 0 ≤ lo ≤ hi');
}
