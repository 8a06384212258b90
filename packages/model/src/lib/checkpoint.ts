/**
 * Checkpoints: a directory
 *
 *   checkpoint.json    format_version, package version, full config (model + training), gene and
 *                      perturbation vocabularies, weight index, input hashes, training summary
 *   weights.bin        float32 little-endian, every parameter and buffer concatenated (index in
 *                      checkpoint.json: name, shape, offset in floats) + `control_mean`
 *   coexpression.parquet, go.parquet   the graphs as given to the model (source, target, weight; names)
 *
 * Written to a temporary sibling directory and renamed into place, so a failed save never leaves
 * a half-written checkpoint and never destroys the previous one. Readers accept every format
 * version up to the current one (see `migrate`).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GearsInputError, PACKAGE_VERSION, readParquetColumns, temporaryPath, writeParquetTable, type GeneGraph } from '@gears-pipeline/core';
import { DEFAULT_MODEL_CONFIG, type ModelConfig } from './config.ts';
import { buildModel, type GearsModel } from './model.ts';
import { targetGenes, type ComboChoice, type ComboKind, type Composition } from './composition.ts';
import { UnseenPredictor, type UnseenParams } from './unseen/forms.ts';
import type { UnseenChoice } from './unseen/select.ts';
import { createParams, paramSpecs, snapshotParams } from './params.ts';

/**
 * 2: composition `mode`, the unseen-single form and per-kind combination choices (composition auto);
 * 3: per-gene combination residuals (combination form 'residuals', which an older reader would
 * silently predict without, hence the new version);
 * 4: the unseen-single form's basis refitted on training + validation singles (the validation
 * singles' changes in composition_unseen_singles; an older reader would predict without them)
 */
export const CHECKPOINT_FORMAT_VERSION = 4;
export const CHECKPOINT_FILES = { meta: 'checkpoint.json', weights: 'weights.bin', coexpression: 'coexpression.parquet', go: 'go.parquet' } as const;
const CONTROL_MEAN = 'control_mean';
const COMPOSITION_WEIGHTS = 'composition_gene_weights';
const COMPOSITION_SINGLES = 'composition_singles';
const COMPOSITION_MEAN_CHANGE = 'composition_mean_change';
const COMPOSITION_RESIDUALS = 'composition_residuals';
const COMPOSITION_UNSEEN_SINGLES = 'composition_unseen_singles';

/** checkpoint.json's record of the unseen-single form (its basis: composition_singles and composition_mean_change) */
export interface UnseenMeta {
  params: UnseenParams;
  decided_on: UnseenChoice['decidedOn'];
  reason: string;
  n_validation: number;
  n_leave_one_out: number;
  /** validation scores of every candidate form */
  scores: UnseenChoice['scores'];
  /**
   * format 4: genes whose measured single is in the form's basis but not among the composition's
   * singles (the validation singles it was refitted with), in the row order of composition_unseen_singles
   */
  extra_single_genes?: string[];
}

/** checkpoint.json's record of a composition (the arrays live in weights.bin) */
export interface CompositionMeta {
  global_weight: number;
  interaction_weight: number;
  /** relative ridge strength; null = one global weight (Infinity in memory) */
  ridge: number | null;
  n_combinations: number;
  /** perturbed genes whose measured single effect is stored, in the row order of composition_singles */
  single_genes: string[];
  /** format 2: 'singles' or 'auto' (format 1 checkpoints are 'singles') */
  mode?: 'singles' | 'auto';
  /** format 2: the form predicting genes never perturbed in training */
  unseen?: UnseenMeta;
  /** format 2, mode auto: network or composition per kind of combination, with the validation scores */
  combos?: Partial<Record<ComboKind, ComboChoice>>;
  /** format 3, mode auto: per-gene combination residuals (rows of composition_residuals, in `genes` order) */
  residuals?: ResidualsMeta;
}

/** checkpoint.json's record of the per-gene combination residuals */
export interface ResidualsMeta {
  /** chosen μ; null = none (the composition alone was better on validation) */
  ridge: number | null;
  genes: string[];
  reason: string;
  /** validation SSE per μ tried (null = no residuals) */
  selection: { ridge: number | null; valSse: number }[];
}

export interface WeightEntry {
  name: string;
  shape: number[];
  /** offset in float32 elements */
  offset: number;
}

export interface CheckpointMeta {
  format_version: number;
  package_version: string;
  /** when it was saved: written by older versions only (a checkpoint is byte-identical across identical runs; timings live in the stage manifest) */
  created?: string;
  model_config: ModelConfig;
  /** training arguments and anything else the run wants to record */
  train_config: Record<string, unknown>;
  genes: string[];
  pert_vocabulary: string[];
  weights: { file: string; sha256: string; floats: number; index: WeightEntry[] };
  input_hashes: Record<string, string>;
  summary: Record<string, unknown>;
  /** present when combinations are composed from single effects */
  composition?: CompositionMeta;
  /** set by loadCheckpoint when the file was written in an older format and brought up to date in memory */
  migrated?: string;
}

export interface SaveOptions {
  trainConfig?: Record<string, unknown>;
  inputHashes?: Record<string, string>;
  summary?: Record<string, unknown>;
}

function graphColumns(g: GeneGraph) {
  return {
    source: Array.from(g.source, (i) => g.nodes[i]),
    target: Array.from(g.target, (i) => g.nodes[i]),
    weight: g.weight,
  };
}

const EDGE_COLUMNS = [
  { name: 'source', type: 'STRING' },
  { name: 'target', type: 'STRING' },
  { name: 'weight', type: 'DOUBLE' },
] as const;

/** Saves a model as a checkpoint directory (atomically replacing `dir`). */
export function saveCheckpoint(model: GearsModel, dir: string, opts: SaveOptions = {}): CheckpointMeta {
  const values = snapshotParams(model.params);
  values.set(CONTROL_MEAN, model.controlMean);
  const index: WeightEntry[] = [];
  let offset = 0;
  for (const spec of model.params.specs) {
    index.push({ name: spec.name, shape: spec.shape, offset });
    offset += values.get(spec.name)!.length;
  }
  index.push({ name: CONTROL_MEAN, shape: [model.controlMean.length], offset });
  offset += model.controlMean.length;
  const c = model.composition;
  let composition: CompositionMeta | undefined;
  if (c) {
    const G = model.genes.length;
    const singleIdx = [...c.singles.keys()].sort((a, b) => a - b);
    const singles = new Float32Array(singleIdx.length * G);
    singleIdx.forEach((p, k) => singles.set(c.singles.get(p)!, k * G));
    values.set(COMPOSITION_WEIGHTS, c.geneWeights);
    values.set(COMPOSITION_SINGLES, singles);
    index.push({ name: COMPOSITION_WEIGHTS, shape: [G], offset });
    offset += G;
    index.push({ name: COMPOSITION_SINGLES, shape: [singleIdx.length, G], offset });
    offset += singles.length;
    let extraGenes: string[] = [];
    if (c.unseen) {
      values.set(COMPOSITION_MEAN_CHANGE, Float32Array.from(c.unseen.predictor.basis.meanChange));
      index.push({ name: COMPOSITION_MEAN_CHANGE, shape: [G], offset });
      offset += G;
      const basis = c.unseen.predictor.basis;
      const extra = basis.genes.map((p, k) => [p, k]).filter(([p]) => !c.singles.has(p));
      if (extra.length) {
        const rows = new Float32Array(extra.length * G);
        extra.forEach(([, k], i) => rows.set(Float32Array.from(basis.changes[k]), i * G));
        values.set(COMPOSITION_UNSEEN_SINGLES, rows);
        index.push({ name: COMPOSITION_UNSEEN_SINGLES, shape: [extra.length, G], offset });
        offset += rows.length;
        extraGenes = extra.map(([p]) => model.pertVocabulary[p]);
      }
    }
    const residualIdx = c.residuals ? [...c.residuals.byPerturbation.keys()].sort((a, b) => a - b) : [];
    if (residualIdx.length) {
      const rows = new Float32Array(residualIdx.length * G);
      residualIdx.forEach((p, k) => rows.set(c.residuals!.byPerturbation.get(p)!, k * G));
      values.set(COMPOSITION_RESIDUALS, rows);
      index.push({ name: COMPOSITION_RESIDUALS, shape: [residualIdx.length, G], offset });
      offset += rows.length;
    }
    const finite = (x: number) => (Number.isFinite(x) ? x : null);
    composition = {
      mode: c.mode ?? 'singles',
      ...(c.unseen
        ? { unseen: { params: c.unseen.params, decided_on: c.unseen.choice.decidedOn, reason: c.unseen.choice.reason, n_validation: c.unseen.choice.nValidation, n_leave_one_out: c.unseen.choice.nLeaveOneOut, scores: c.unseen.choice.scores, ...(extraGenes.length ? { extra_single_genes: extraGenes } : {}) } }
        : {}),
      ...(c.combos ? { combos: c.combos } : {}),
      ...(c.residuals
        ? { residuals: { ridge: finite(c.residuals.ridge), genes: residualIdx.map((p) => model.pertVocabulary[p]), reason: c.residuals.reason, selection: c.residuals.selection.map((x) => ({ ridge: finite(x.ridge), valSse: x.valSse })) } }
        : {}),
      global_weight: c.globalWeight,
      interaction_weight: c.interactionWeight,
      ridge: Number.isFinite(c.ridge) ? c.ridge : null,
      n_combinations: c.nCombinations,
      single_genes: singleIdx.map((p) => model.pertVocabulary[p]),
    };
  }
  const all = new Float32Array(offset);
  for (const e of index) all.set(values.get(e.name)!, e.offset);
  const bytes = new Uint8Array(all.buffer);
  const meta: CheckpointMeta = {
    format_version: CHECKPOINT_FORMAT_VERSION,
    package_version: PACKAGE_VERSION,
    model_config: model.params.config,
    train_config: opts.trainConfig ?? {},
    genes: model.genes,
    pert_vocabulary: model.pertVocabulary,
    weights: { file: CHECKPOINT_FILES.weights, sha256: createHash('sha256').update(bytes).digest('hex'), floats: offset, index },
    input_hashes: opts.inputHashes ?? {},
    summary: opts.summary ?? {},
    ...(composition ? { composition } : {}),
  };
  const tmp = temporaryPath(dir);
  mkdirSync(tmp, { recursive: true });
  try {
    writeFileSync(join(tmp, CHECKPOINT_FILES.weights), bytes);
    writeParquetTable(join(tmp, CHECKPOINT_FILES.coexpression), EDGE_COLUMNS, graphColumns(model.coexpressionGraph));
    writeParquetTable(join(tmp, CHECKPOINT_FILES.go), EDGE_COLUMNS, graphColumns(model.goGraph));
    writeFileSync(join(tmp, CHECKPOINT_FILES.meta), JSON.stringify(meta, null, 1) + '\n');
    if (existsSync(dir)) {
      const old = temporaryPath(dir);
      renameSync(dir, old);
      renameSync(tmp, dir);
      rmSync(old, { recursive: true, force: true });
    } else renameSync(tmp, dir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return meta;
}

/**
 * Brings an older checkpoint.json up to the current format (and keep the committed v1 fixture
 * loading). 1 → 2: nothing to convert — a version-1 composition is mode 'singles' with the network
 * predicting unseen genes, which is what an absent `mode` / `unseen` means; the note says so.
 * 2 → 3: nothing to convert — no `residuals` means no combination uses them.
 * 3 → 4: nothing to convert — no `extra_single_genes` means the basis is the composition's singles.
 */
function migrate(raw: Record<string, unknown>, file: string): CheckpointMeta {
  const v = raw.format_version;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) {
    throw new GearsInputError({ file, field: 'format_version', problem: `is ${JSON.stringify(v)}, not a checkpoint format version`, fix: 'point --checkpoint at a directory written by gears train' });
  }
  if (v > CHECKPOINT_FORMAT_VERSION) {
    throw new GearsInputError({ file, field: 'format_version', problem: `is ${v}, newer than this gears (reads up to ${CHECKPOINT_FORMAT_VERSION})`, fix: 'upgrade gears-pipeline to the version that wrote the checkpoint' });
  }
  const meta = raw as unknown as CheckpointMeta;
  const what =
    v === 1
      ? `${meta.composition ? ' (composition singles; genes never perturbed in training are predicted by the network, as when it was written)' : ''}; retrain to get composition auto`
      : v === 2
        ? `${meta.composition ? ' (no per-gene combination residuals, as when it was written)' : ''}; retrain to get them`
        : `${meta.composition ? ' (the unseen-single form from training singles only, as when it was written)' : ''}; retrain to refit it on validation singles too`;
  const migrated = v < CHECKPOINT_FORMAT_VERSION ? `${file}: format ${v} read as ${CHECKPOINT_FORMAT_VERSION}${what}` : undefined;
  return { ...meta, model_config: { ...DEFAULT_MODEL_CONFIG, ...meta.model_config }, ...(migrated ? { migrated } : {}) };
}

async function readGraph(path: string, vocabulary: string[]): Promise<GeneGraph> {
  const t = await readParquetColumns(path, ['source', 'target', 'weight']);
  const idx = new Map(vocabulary.map((g, i) => [g, i]));
  const map = (names: unknown[], field: string) =>
    Int32Array.from(names, (n) => {
      const i = idx.get(String(n));
      if (i === undefined) throw new GearsInputError({ file: path, field, problem: `node ${String(n)} is not in the checkpoint vocabulary`, fix: 'the checkpoint is inconsistent; retrain with gears train' });
      return i;
    });
  return { nodes: vocabulary, source: map(t.source, 'source'), target: map(t.target, 'target'), weight: Float64Array.from(t.weight as number[]) };
}

/**
 * Loads a checkpoint directory.
 * @throws GearsInputError for a missing, corrupt (hash / size) or inconsistent checkpoint.
 */
export async function loadCheckpoint(dir: string): Promise<{ model: GearsModel; meta: CheckpointMeta }> {
  const metaPath = join(dir, CHECKPOINT_FILES.meta);
  if (!existsSync(metaPath)) {
    throw new GearsInputError({ file: metaPath, field: '(file)', problem: 'does not exist', fix: 'point --checkpoint at a directory written by gears train' });
  }
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(readFileSync(metaPath, 'utf8'));
  } catch (e) {
    throw new GearsInputError({ file: metaPath, field: '(json)', problem: `is not valid JSON (${(e as Error).message})`, fix: 'the checkpoint is damaged; retrain or restore it from a copy' });
  }
  const meta = migrate(raw, metaPath);
  const wPath = join(dir, meta.weights.file);
  if (!existsSync(wPath)) throw new GearsInputError({ file: wPath, field: '(file)', problem: 'does not exist', fix: 'the checkpoint is incomplete; retrain or restore it from a copy' });
  const buf = readFileSync(wPath);
  if (buf.byteLength !== meta.weights.floats * 4) {
    throw new GearsInputError({ file: wPath, field: '(size)', problem: `has ${buf.byteLength} bytes, checkpoint.json expects ${meta.weights.floats * 4}`, fix: 'the weights file is truncated or from another checkpoint; retrain or restore it' });
  }
  const sha = createHash('sha256').update(buf).digest('hex');
  if (sha !== meta.weights.sha256) {
    throw new GearsInputError({ file: wPath, field: '(sha256)', problem: 'content does not match the hash recorded in checkpoint.json (corrupt)', fix: 'retrain or restore the checkpoint from a copy' });
  }
  const all = new Float32Array(buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength));
  const G = meta.genes.length;
  const P = meta.pert_vocabulary.length;
  const values = new Map<string, Float32Array>();
  for (const e of meta.weights.index) values.set(e.name, all.subarray(e.offset, e.offset + e.shape.reduce((a, b) => a * b, 1)));
  for (const spec of paramSpecs(meta.model_config, G, P)) {
    const e = meta.weights.index.find((x) => x.name === spec.name);
    if (!e || e.shape.join(',') !== spec.shape.join(',')) {
      throw new GearsInputError({ file: metaPath, field: `weights.index.${spec.name}`, problem: e ? `has shape [${e.shape}], the config implies [${spec.shape}]` : 'is missing', fix: 'the checkpoint does not match its config; retrain with gears train' });
    }
  }
  const controlMean = values.get(CONTROL_MEAN);
  if (!controlMean || controlMean.length !== G) throw new GearsInputError({ file: metaPath, field: `weights.index.${CONTROL_MEAN}`, problem: 'is missing or has the wrong length', fix: 'retrain with gears train' });
  const params = createParams(meta.model_config, G, P, 0, values);
  const coex = await readGraph(join(dir, CHECKPOINT_FILES.coexpression), meta.genes);
  const go = await readGraph(join(dir, CHECKPOINT_FILES.go), meta.pert_vocabulary);
  const model = buildModel(params, meta.genes, meta.pert_vocabulary, coex, go, Float32Array.from(controlMean));
  if (meta.composition) model.composition = readComposition(meta.composition, values, meta, metaPath, Float32Array.from(controlMean), go);
  return { model, meta };
}

function readComposition(c: CompositionMeta, values: Map<string, Float32Array>, meta: CheckpointMeta, metaPath: string, controlMean: Float32Array, go: GeneGraph): Composition {
  const G = meta.genes.length;
  const weights = values.get(COMPOSITION_WEIGHTS);
  const singles = values.get(COMPOSITION_SINGLES);
  if (!weights || weights.length !== G || !singles || singles.length !== c.single_genes.length * G) {
    throw new GearsInputError({ file: metaPath, field: 'composition', problem: `needs ${COMPOSITION_WEIGHTS} [${G}] and ${COMPOSITION_SINGLES} [${c.single_genes.length} × ${G}] in the weights index`, fix: 'the checkpoint is inconsistent; retrain with gears train' });
  }
  const pidx = new Map(meta.pert_vocabulary.map((g, i) => [g, i]));
  const map = new Map<number, Float32Array>();
  c.single_genes.forEach((gene, k) => {
    const p = pidx.get(gene);
    if (p === undefined) throw new GearsInputError({ file: metaPath, field: 'composition.single_genes', problem: `gene ${gene} is not in pert_vocabulary`, fix: 'the checkpoint is inconsistent; retrain with gears train' });
    map.set(p, Float32Array.from(singles.subarray(k * G, (k + 1) * G)));
  });
  const targetGene = targetGenes(meta.pert_vocabulary, meta.genes);
  let unseen: Composition['unseen'];
  if (c.unseen) {
    const meanChange = values.get(COMPOSITION_MEAN_CHANGE);
    if (!meanChange || meanChange.length !== G) throw new GearsInputError({ file: metaPath, field: 'composition.unseen', problem: `needs ${COMPOSITION_MEAN_CHANGE} [${G}] in the weights index`, fix: 'the checkpoint is inconsistent; retrain with gears train' });
    const u = c.unseen;
    const basis = new Map(map);
    const extra = u.extra_single_genes ?? [];
    if (extra.length) {
      const rows = values.get(COMPOSITION_UNSEEN_SINGLES);
      if (!rows || rows.length !== extra.length * G) throw new GearsInputError({ file: metaPath, field: 'composition.unseen.extra_single_genes', problem: `needs ${COMPOSITION_UNSEEN_SINGLES} [${extra.length} × ${G}] in the weights index`, fix: 'the checkpoint is inconsistent; retrain with gears train' });
      extra.forEach((gene, k) => {
        const p = pidx.get(gene);
        if (p === undefined) throw new GearsInputError({ file: metaPath, field: 'composition.unseen.extra_single_genes', problem: `gene ${gene} is not in pert_vocabulary`, fix: 'the checkpoint is inconsistent; retrain with gears train' });
        basis.set(p, Float32Array.from(rows.subarray(k * G, (k + 1) * G)));
      });
    }
    // the basis in perturbation-index order, as training built it
    const genes = [...basis.keys()].sort((a, b) => a - b);
    const predictor = new UnseenPredictor({ G, meanChange: Float64Array.from(meanChange), genes, changes: genes.map((p) => basis.get(p)!), targetGene, controlMean }, go);
    unseen = { predictor, params: u.params, choice: { decidedOn: u.decided_on, reason: u.reason, nValidation: u.n_validation, nLeaveOneOut: u.n_leave_one_out, scores: u.scores } };
  }
  let residuals: Composition['residuals'];
  if (c.residuals) {
    const rows = values.get(COMPOSITION_RESIDUALS) ?? new Float32Array(0);
    if (rows.length !== c.residuals.genes.length * G) throw new GearsInputError({ file: metaPath, field: 'composition.residuals', problem: `needs ${COMPOSITION_RESIDUALS} [${c.residuals.genes.length} × ${G}] in the weights index`, fix: 'the checkpoint is inconsistent; retrain with gears train' });
    const byPerturbation = new Map<number, Float32Array>();
    c.residuals.genes.forEach((gene, k) => {
      const p = pidx.get(gene);
      if (p === undefined) throw new GearsInputError({ file: metaPath, field: 'composition.residuals.genes', problem: `gene ${gene} is not in pert_vocabulary`, fix: 'the checkpoint is inconsistent; retrain with gears train' });
      byPerturbation.set(p, Float32Array.from(rows.subarray(k * G, (k + 1) * G)));
    });
    const inf = (x: number | null) => x ?? Infinity;
    residuals = { byPerturbation, ridge: inf(c.residuals.ridge), reason: c.residuals.reason, selection: c.residuals.selection.map((x) => ({ ridge: inf(x.ridge), valSse: x.valSse })) };
  }
  return {
    ...(c.mode ? { mode: c.mode } : {}),
    ...(unseen ? { unseen } : {}),
    ...(residuals ? { residuals } : {}),
    ...(c.combos ? { combos: c.combos } : {}),
    singles: map,
    geneWeights: Float32Array.from(weights),
    globalWeight: c.global_weight,
    interactionWeight: c.interaction_weight,
    ridge: c.ridge ?? Infinity,
    nCombinations: c.n_combinations,
    targetGene,
    selection: [],
  };
}
