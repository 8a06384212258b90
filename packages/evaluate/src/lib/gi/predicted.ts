/**
 * GI scores of any two-gene combination from a model's predictions alone (GEARS `GI_predict`):
 * δA, δB and δAB are the model's predicted changes for A, B and A+B; the scores and calls are
 * the evaluate stage's (giScores, GI type rules), so `gears predict --gi A+B` and `gears evaluate`
 * agree on the same predictions. Written as gi.parquet beside predictions.parquet.
 */
import { join } from 'node:path';
import { BI_ROW_GROUP_ROWS, GearsInputError, ParquetTableWriter, conditionGenes, conditionName, readParquetColumns, scperturbName } from '@gears-pipeline/core';
import { GI_COLUMNS, GI_TYPE_COLUMN } from '../output/tables.ts';
import { GI_SCORE_NAMES, giScores, type GiScores } from './scores.ts';
import { GI_TYPES, giTypeFlags } from './types.ts';

export const PREDICTED_GI_FILE = 'gi.parquet';

export interface PredictedGiRow {
  combination: string;
  scores: GiScores;
  calls: Record<string, boolean | null>;
}

export interface PredictedGiArgs {
  /** predictions.parquet written by `gears predict` (shared predictions schema) */
  predictionsPath: string;
  /** two-gene combinations, e.g. ['FOXA1+GATA3'] (any order / separator handled by conditionName) */
  combinations: readonly string[];
  /** where to write gi.parquet (default: beside the predictions); null = do not write */
  outPath?: string | null;
}

/** Computes (and writes) the GI scores of each combination from the predicted singles and double. */
export async function predictedGeneticInteractions(args: PredictedGiArgs): Promise<PredictedGiRow[]> {
  const t = await readParquetColumns(args.predictionsPath);
  const condCol = t.condition ?? t.perturbation;
  const genes: string[] = [];
  const gpos = new Map<string, number>();
  for (const g of t.gene) if (!gpos.has(String(g))) (gpos.set(String(g), genes.length), genes.push(String(g)));
  const G = genes.length;
  const delta = new Map<string, Float64Array>();
  for (let k = 0; k < condCol.length; k++) {
    const c = String(condCol[k]);
    if (!delta.has(c)) delta.set(c, new Float64Array(G));
    delta.get(c)![gpos.get(String(t.gene[k]))!] = Number(t.predicted_delta[k]);
  }
  const rows: PredictedGiRow[] = [];
  for (const raw of args.combinations) {
    const genesAB = conditionGenes(raw.replace(/[,_\s]+/g, '+'));
    if (genesAB.length !== 2) throw new GearsInputError({ file: '(--gi)', field: raw, problem: 'is not a two-gene combination', fix: 'give a pair such as FOXA1+GATA3' });
    const [a, b, ab] = [conditionName([genesAB[0]]), conditionName([genesAB[1]]), conditionName(genesAB)];
    const missing = [a, b, ab].filter((c) => !delta.has(c));
    if (missing.length) throw new GearsInputError({ file: args.predictionsPath, field: 'condition', problem: `has no prediction for ${missing.join(', ')}`, fix: `predict ${[a, b, ab].join(' ')} too (gears predict --gi does this)` });
    const scores = giScores(delta.get(a)!, delta.get(b)!, delta.get(ab)!);
    rows.push({ combination: ab, scores, calls: giTypeFlags(scores) });
  }
  const out = args.outPath === undefined ? join(args.predictionsPath, '..', PREDICTED_GI_FILE) : args.outPath;
  if (out) {
    const n = rows.length;
    const first = (c: string) => (t[c] && t[c].length ? String(t[c][0]) : 'unknown');
    const w = new ParquetTableWriter(out, GI_COLUMNS, { rowGroupRows: BI_ROW_GROUP_ROWS });
    try {
      const batch: Record<string, ArrayLike<unknown>> = {
        run_id: new Array(n).fill(first('run_id')),
        model: new Array(n).fill(first('model') === 'unknown' ? 'gears' : first('model')),
        model_version: new Array(n).fill(first('model_version')),
        combination: rows.map((r) => r.combination),
        perturbation: rows.map((r) => scperturbName(r.combination)),
        n_gi_genes: new Int32Array(n).fill(G),
      };
      for (const s of GI_SCORE_NAMES) batch[s] = Float64Array.from(rows, (r) => r.scores[s]);
      for (const ty of GI_TYPES) batch[GI_TYPE_COLUMN(ty.type)] = rows.map((r) => r.calls[ty.type]);
      w.write(batch);
      w.close();
    } catch (e) {
      w.abort();
      throw e;
    }
  }
  return rows;
}
