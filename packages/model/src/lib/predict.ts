/**
 * Prediction for any perturbation sets (1, 2, 3 or more genes, including genes never perturbed in
 * training if they are in the GO vocabulary): per set, the predicted mean expression (control mean
 * + d_p — the exact mean over all control cells, deterministic, unlike the reference's 300 random
 * control cells) and the change d_p for every gene. Unknown genes are an error naming the gene
 * and suggesting matches; they never become a silent zero.
 */
import { existsSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { conditionName, GearsInputError } from '@gears-pipeline/core';
import type { GearsModel } from './model.ts';
import { predictOutputs } from './train.ts';

export interface PerturbationPrediction {
  /** canonical condition name (`A+ctrl`, `A+B`, …) */
  perturbation: string;
  genes: string[];
  /** per measured gene (model.genes order) */
  predictedMean: Float32Array;
  predictedDelta: Float32Array;
  /** uncertainty head only: predicted log-variance per gene (lower = more confident) */
  logVariance?: Float32Array;
}

export interface PredictOptions {
  /** alias → official symbols (from the bundled human gene table) for suggestions */
  aliases?: Map<string, string[]>;
  /** where the request came from, for error messages (a file or 'command line') */
  source?: string;
}

/** Reads an alias table (entrez_id, symbol, alias; TSV, gzipped or not) into alias (upper case) → symbols. */
export function readGeneAliases(path: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  if (!existsSync(path)) return out;
  const buf = readFileSync(path);
  const text = (path.endsWith('.gz') ? gunzipSync(buf) : buf).toString('utf8');
  const lines = text.split('\n');
  const header = lines[0].split('\t');
  const si = header.indexOf('symbol');
  const ai = header.indexOf('alias');
  if (si < 0 || ai < 0) return out;
  for (let i = 1; i < lines.length; i++) {
    const f = lines[i].split('\t');
    if (f.length <= Math.max(si, ai)) continue;
    const key = f[ai].toUpperCase();
    const list = out.get(key) ?? [];
    if (!list.includes(f[si])) list.push(f[si]);
    out.set(key, list);
  }
  return out;
}

/** Vocabulary genes that may be what the user meant by `gene`: case-insensitive, then aliases. */
export function suggestGenes(gene: string, vocabulary: string[], aliases?: Map<string, string[]>): string[] {
  const upper = gene.toUpperCase();
  const inVocab = new Set(vocabulary);
  const out: string[] = vocabulary.filter((g) => g.toUpperCase() === upper);
  for (const s of aliases?.get(upper) ?? []) if (inVocab.has(s) && !out.includes(s)) out.push(s);
  return out;
}

/** Maps gene sets to perturbation-vocabulary indices, failing clearly on the first unknown gene. */
export function resolvePerturbations(model: GearsModel, sets: string[][], opts: PredictOptions = {}): number[][] {
  const idx = new Map(model.pertVocabulary.map((g, i) => [g, i]));
  return sets.map((set, k) => {
    const genes = [...new Set(set.map((g) => g.trim()).filter((g) => g.length > 0 && g !== 'ctrl'))];
    if (genes.length === 0) {
      throw new GearsInputError({ file: opts.source ?? 'perturbations', field: `set ${k + 1}`, problem: 'names no gene', fix: 'give one or more gene symbols per perturbation, e.g. FOXA1 or FOXA1+GATA3' });
    }
    return genes.map((g) => {
      const i = idx.get(g);
      if (i !== undefined) return i;
      const s = suggestGenes(g, model.pertVocabulary, opts.aliases);
      throw new GearsInputError({
        file: opts.source ?? 'perturbations',
        field: `set ${k + 1} (${set.join('+')})`,
        problem: `gene '${g}' is not in the model's perturbation (GO) vocabulary of ${model.pertVocabulary.length} genes`,
        fix: s.length > 0 ? `did you mean ${s.map((x) => `'${x}'`).join(' or ')}?` : 'use an official gene symbol with GO annotations; predicting other genes needs retraining with them in the vocabulary',
      });
    });
  });
}

/** Predicts each perturbation set (eval mode, deterministic). */
export function predictPerturbations(model: GearsModel, sets: string[][], opts: PredictOptions = {}): PerturbationPrediction[] {
  const pert = resolvePerturbations(model, sets, opts);
  const { delta: deltas, logvar } = predictOutputs(model, pert);
  return pert.map((p, k) => {
    const genes = p.map((i) => model.pertVocabulary[i]);
    const delta = deltas[k];
    const mean = new Float32Array(delta.length);
    for (let g = 0; g < delta.length; g++) mean[g] = model.controlMean[g] + delta[g];
    return { perturbation: conditionName(genes), genes: [...genes].sort(), predictedMean: mean, predictedDelta: delta, ...(logvar ? { logVariance: logvar[k] } : {}) };
  });
}
