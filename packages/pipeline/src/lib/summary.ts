/**
 * The few lines `gears run` prints at the end: where the outputs are, and the headline metrics
 * of GEARS against the strongest baseline, read back from metrics_summary.parquet.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { readParquetColumns } from '@gears-pipeline/core';

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
