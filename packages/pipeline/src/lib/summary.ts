/**
 * The few lines `gears run` prints at the end: where the outputs are, and the headline metrics
 * of GEARS against the strongest baseline, read back from metrics_summary.parquet.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest, readParquetColumns } from '@gears-pipeline/core';

export interface HeadlineRow {
  model: string;
  subgroup: string;
  metric: string;
  value: number;
}

/** Overall (all test conditions) mean of each metric per model, from the evaluate stage's table. */
export async function headlineMetrics(evaluateDir: string, metrics: readonly string[]): Promise<HeadlineRow[]> {
  const path = join(evaluateDir, 'metrics_summary.parquet');
  if (!existsSync(path)) return [];
  const t = await readParquetColumns(path, ['split', 'subgroup', 'model', 'metric', 'value']);
  const rows: HeadlineRow[] = [];
  for (let i = 0; i < t.metric.length; i++) {
    if (!metrics.includes(String(t.metric[i]))) continue;
    if (t.split[i] !== 'test') continue;
    rows.push({ model: String(t.model[i]), subgroup: String(t.subgroup[i]), metric: String(t.metric[i]), value: t.value[i] === null ? NaN : Number(t.value[i]) });
  }
  return rows;
}

interface FormRecord {
  form: string;
  own_expression?: boolean;
  decided_on?: string;
  reason?: string;
}

/** The forms record of the train stage's manifest (composition auto / singles), if any. */
export function trainForms(trainDir: string): Record<string, FormRecord | string> | undefined {
  return (readManifest(trainDir)?.notes as { forms?: Record<string, FormRecord | string> } | undefined)?.forms;
}

/** One line saying which form predicts which kind of condition. */
export function formsLine(forms: Record<string, FormRecord | string> | undefined): string | undefined {
  if (!forms) return undefined;
  const parts = Object.entries(forms)
    .filter((e): e is [string, FormRecord] => typeof e[1] === 'object')
    .map(([kind, f]) => `${kind} → ${f.form}${f.own_expression ? ' + own expression' : ''}${f.decided_on ? ` (${f.decided_on})` : ''}`);
  return `  forms (train.composition ${String(forms.composition)}): ${parts.join('; ')}`;
}

/**
 * Whether GEARS beats "no change" per test subgroup (higher Pearson δ and lower top-20 DE MSE), and
 * where it does not, which form predicted that subgroup and why that form was chosen.
 */
export function noChangeVerdict(rows: HeadlineRow[], forms?: Record<string, FormRecord | string>): string[] {
  const get = (model: string, sub: string, metric: string) => rows.find((r) => r.model === model && r.subgroup === sub && r.metric === metric)?.value;
  const subgroups = [...new Set(rows.filter((r) => r.model === 'gears').map((r) => r.subgroup))].filter((s) => s !== 'overall').sort();
  if (!subgroups.length || !rows.some((r) => r.model === 'no_change')) return [];
  const verdicts = subgroups.map((s) => {
    const p = get('gears', s, 'pearson_delta') ?? NaN;
    const d = get('gears', s, 'mse_de') ?? NaN;
    const p0 = get('no_change', s, 'pearson_delta') ?? NaN;
    const d0 = get('no_change', s, 'mse_de') ?? NaN;
    return { s, beats: p > p0 && d < d0, text: `${s} ${p > p0 && d < d0 ? 'yes' : 'no'} (Pearson δ ${p.toFixed(3)} vs ${p0.toFixed(3)}, DE MSE ${d.toFixed(3)} vs ${d0.toFixed(3)})` };
  });
  const lines = [`  beats no change on test? ${verdicts.map((v) => v.text).join('; ')}`];
  for (const v of verdicts.filter((x) => !x.beats)) {
    const f = forms?.[v.s];
    const why = f && typeof f === 'object' ? `predicted by ${f.form}${f.own_expression ? ' + own expression' : ''}, chosen on ${f.decided_on}: ${f.reason}` : 'predicted by the network (train.composition network)';
    lines.push(`  why not on ${v.s}: ${why}; on this data's test conditions the form chosen on validation is not closer to the observed change than no change on both metrics`);
  }
  return lines;
}
