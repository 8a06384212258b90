/**
 * Per-condition metric rows → aggregate rows: the unweighted mean over conditions (as the
 * reference reports), per split subgroup and over the whole split. Conditions where a metric is
 * unset (NaN) do not count toward that metric's mean; an empty subgroup gives NaN with
 * n_conditions 0, so every (model, split) has the same set of aggregate rows.
 */
import { AGGREGATE_CONDITION, OVERALL_SUBGROUP, SUBGROUPS, type MetricRow } from '../types.ts';

export function aggregateMetrics(rows: readonly MetricRow[]): MetricRow[] {
  const sums = new Map<string, { s: number; n: number }>();
  const metrics = [...new Set(rows.map((r) => r.metric))];
  const modelSplits = new Map<string, { model: string; split: string }>();
  for (const r of rows) {
    modelSplits.set(`${r.model}\u0000${r.split}`, { model: r.model, split: r.split });
    if (!Number.isFinite(r.value)) continue;
    for (const subgroup of [r.subgroup, OVERALL_SUBGROUP]) {
      const key = [r.model, r.split, subgroup, r.metric].join('\u0000');
      const acc = sums.get(key) ?? { s: 0, n: 0 };
      acc.s += r.value;
      acc.n += 1;
      sums.set(key, acc);
    }
  }
  const out: MetricRow[] = [];
  for (const { model, split } of modelSplits.values()) {
    for (const subgroup of [...SUBGROUPS, OVERALL_SUBGROUP]) {
      for (const metric of metrics) {
        const acc = sums.get([model, split, subgroup, metric].join('\u0000'));
        out.push({
          condition: AGGREGATE_CONDITION,
          split,
          subgroup,
          model,
          metric,
          value: acc ? acc.s / acc.n : NaN,
          nConditions: acc ? acc.n : 0,
        });
      }
    }
  }
  return out;
}
