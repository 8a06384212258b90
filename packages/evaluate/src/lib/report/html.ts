/**
 * report.html: one self-contained file (inline CSS and SVG; one tiny inline script that only
 * checks the page and records errors into DOM attributes, so a headless browser test can read
 * them). Sections: metrics by subgroup (grouped bars + table), the per-condition perturbation
 * plot, and the GI scatter.
 *
 * Perturbation plot from moments: the reference draws a boxplot of the per-cell observed change
 * of the top-20 non-dropout DE genes. With only the mean m and std s of each gene's change,
 * the box is the normal-theory interquartile range m ± 0.674·s (width 1.35·s), the centre line
 * the mean and the whiskers m ± 2.698·s (1.5 IQR beyond the quartiles, Tukey's rule under
 * normality). Predicted changes are dots, one colour per model.
 */
import { conditionGeneLists, row, type DatasetStats } from '@gears-pipeline/core';
import type { EvaluateResult } from '../evaluate.ts';
import { OBSERVED_MODEL } from '../gi/analysis.ts';
import { AGGREGATE_CONDITION, OVERALL_SUBGROUP, SUBGROUPS } from '../types.ts';
import { esc, groupedBarChart, perturbationPlot, scatterPlot, type GeneBox } from './svg.ts';

export const REPORT_METRICS = [
  'pearson_delta',
  'pearson_delta_de',
  'mse_top20_de_non_dropout',
  'frac_correct_direction_top20_non_dropout',
  'l2_top1000_expressed',
  'pearson_delta_systema',
] as const;

const TABLE_METRICS = [
  'mse',
  'pearson',
  'mse_de',
  'pearson_de',
  'pearson_delta',
  'pearson_delta_de',
  'frac_correct_direction_top20_non_dropout',
  'frac_opposite_direction_top20_non_dropout',
  'mse_top20_de_non_dropout',
  'frac_sigma_below_1_non_dropout',
  'l2_top1000_expressed',
  'pearson_delta_systema',
];

export const IQR_HALF_WIDTH_SD = 0.6745;
export const WHISKER_SD = 2.698;

export interface ReportOptions {
  title?: string;
  /** split whose metrics are charted (default test) */
  split?: string;
  /** at most this many per-condition plots */
  maxConditionPlots?: number;
  /** which form of the model predicts which kind of condition (from the predict stage's manifest) */
  forms?: Record<string, { form: string; decided_on?: string; reason?: string; own_expression?: boolean }>;
}

export function buildReport(stats: DatasetStats, result: EvaluateResult, opts: ReportOptions = {}): string {
  const split = opts.split ?? 'test';
  const models = result.predictions.map((p) => p.model);
  const agg = new Map<string, number>();
  for (const r of result.metrics) {
    if (r.condition === AGGREGATE_CONDITION && r.split === split) agg.set(`${r.model}|${r.subgroup}|${r.metric}`, r.value);
  }
  const groups = [...SUBGROUPS, OVERALL_SUBGROUP];
  const bars = REPORT_METRICS.map((m) => groupedBarChart(`${m} (${split})`, groups, models, (model, g) => agg.get(`${model}|${g}|${m}`) ?? NaN)).join('\n');

  const table = `<table><thead><tr><th>model</th>${TABLE_METRICS.map((m) => `<th>${esc(m)}</th>`).join('')}</tr></thead><tbody>${models
    .map((model) => `<tr><td>${esc(model)}</td>${TABLE_METRICS.map((m) => `<td>${num(agg.get(`${model}|${OVERALL_SUBGROUP}|${m}`))}</td>`).join('')}</tr>`)
    .join('')}</tbody></table>`;

  const G = stats.genes.length;
  const ci = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const control = result.context.control;
  const plots = result.evaluated
    .filter((e) => e.split === split)
    .slice(0, opts.maxConditionPlots ?? 24)
    .map((e) => {
      const c = ci.get(e.condition)!;
      const n = stats.conditions[c].nCells;
      const mean = row(stats.mean, c, G);
      const m2 = row(stats.m2, c, G);
      const genes = conditionGeneLists(stats, c).topNonDropoutDe20;
      const boxes: GeneBox[] = genes.map((g) => {
        const d = mean[g] - control[g];
        const sd = n > 0 ? Math.sqrt(m2[g] / n) : 0;
        return {
          gene: stats.genes[g].gene,
          median: d,
          q1: d - IQR_HALF_WIDTH_SD * sd,
          q3: d + IQR_HALF_WIDTH_SD * sd,
          lo: d - WHISKER_SD * sd,
          hi: d + WHISKER_SD * sd,
          predicted: result.predictions.map((p) => {
            const v = p.mean.get(e.condition);
            return v ? v[g] - control[g] : NaN;
          }),
        };
      });
      return perturbationPlot(`${e.condition} · ${e.subgroup || e.split}`, boxes, models);
    })
    .join('\n');

  const observed = new Map(result.gi.rows.filter((r) => r.model === OBSERVED_MODEL).map((r) => [r.combination, r.scores.mag]));
  const points = result.gi.rows
    .filter((r) => r.model !== OBSERVED_MODEL && observed.has(r.combination))
    .map((r) => ({ x: observed.get(r.combination)!, y: r.scores.mag, model: Math.max(0, models.indexOf(r.model)), label: r.combination }));
  const scatter = scatterPlot('GI magnitude: predicted vs observed', 'observed mag', 'predicted mag', points, models);
  const precision = result.gi.precision.length
    ? `<table><thead><tr><th>model</th><th>GI type</th><th>precision@k</th><th>k</th><th>true set size</th></tr></thead><tbody>${result.gi.precision
        .map((p) => `<tr><td>${esc(p.model)}</td><td>${esc(p.type)}</td><td>${num(p.precision)}</td><td>${p.k}</td><td>${p.nTrue}</td></tr>`)
        .join('')}</tbody></table>`
    : '<p>No combination with both singles observed was evaluated.</p>';

  const title = opts.title ?? 'GEARS evaluation';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<script>window.addEventListener('error', function (e) { var d = document.documentElement.dataset; d.errors = (d.errors || '') + String(e.message) + ';'; });</script>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}
td:first-child,th:first-child{text-align:left}.charts svg{display:block;margin:12px 0}.note{color:#555;font-size:12px}.wide{overflow-x:auto}
</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="note">${stats.conditions.length} conditions × ${G} genes; ${result.evaluated.length} evaluated conditions; models: ${models.map(esc).join(', ')}. Metrics on exact means from the ingest statistics; subgroup values are unweighted means over conditions (empty subgroups have no bar).</p>
${opts.forms ? formsSection(opts.forms) : ''}<h2>Metrics by subgroup (${esc(split)})</h2>
<div class="charts">${bars}</div>
<h2>Overall (${esc(split)})</h2>
<div class="wide">${table}</div>
<h2>Per condition: observed change of the top-20 non-dropout DE genes</h2>
<p class="note">Box = mean ± 0.674·sd of the per-cell change (normal-theory quartiles, from the statistics' moments), whiskers = mean ± 2.698·sd; dots = predicted change per model.</p>
<div class="charts">${plots || '<p>No evaluated condition.</p>'}</div>
<h2>Genetic interactions</h2>
<div class="charts">${scatter}</div>
${precision}
<script>
(function () {
  var charts = document.querySelectorAll('svg[data-chart]');
  document.body.dataset.charts = String(charts.length);
  document.body.dataset.rendered = charts.length > 0 ? 'ok' : 'empty';
})();
</script>
</body></html>
`;
}

function num(v: number | undefined): string {
  if (v === undefined || !Number.isFinite(v)) return '–';
  return v.toFixed(4);
}

/** "Which form predicts what": one row per kind of condition. */
function formsSection(forms: NonNullable<ReportOptions['forms']>): string {
  const rows = Object.entries(forms)
    .filter(([, v]) => v && typeof v === 'object' && 'form' in v)
    .map(([kind, v]) => `<tr><td>${esc(kind)}</td><td>${esc(v.form)}${v.own_expression ? ' + own expression' : ''}</td><td>${esc(v.decided_on ?? '')}</td><td>${esc(v.reason ?? '')}</td></tr>`)
    .join('');
  return `<h2>Which form predicts what</h2><p class="note">composition: ${esc(String((forms as Record<string, unknown>).composition ?? ''))} (chosen on validation conditions only)</p><table><thead><tr><th>kind of condition</th><th>form</th><th>decided on</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>\n`;
}
