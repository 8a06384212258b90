/**
 * report.html: one self-contained file (inline CSS and SVG; one tiny inline script that only
 * checks the page and records errors into DOM attributes, so a headless browser test can read
 * them). Sections: metrics by subgroup (grouped bars), key metrics per model (all metrics
 * collapsible), the training curve, a heatmap of observed and predicted changes across
 * perturbations, per condition the perturbation plot and a predicted-vs-observed scatter, and the
 * GI section when it is meaningful (else the reason it is not shown).
 *
 * Charts are hand-written SVG on nice scales (scale.ts) rather than an inlined Vega-Lite: the
 * whole report code is ~20 KB of TypeScript and the default run's report ≈ 1 MB of SVG, where
 * Vega + Vega-Lite alone would add ≈ 800 KB of minified script to every file and need a
 * JavaScript runtime to draw anything.
 *
 * Perturbation plot from moments: the reference draws a boxplot of the per-cell observed change
 * of the top-20 non-dropout DE genes. With only the mean m and std s of each gene's change,
 * the box is the normal-theory interquartile range m ± 0.674·s (width 1.35·s), the centre line
 * the mean and the whiskers m ± 2.698·s (1.5 IQR beyond the quartiles, Tukey's rule under
 * normality). Predicted changes are dots, one colour per model.
 */
import { conditionGeneLists, row, type DatasetStats } from '@gears-pipeline/core';
import { PRECISION_K } from '../gi/types.ts';
import type { EvaluateResult } from '../evaluate.ts';
import { OBSERVED_MODEL } from '../gi/analysis.ts';
import { AGGREGATE_CONDITION, OVERALL_SUBGROUP, SUBGROUPS } from '../types.ts';
import { esc, groupedBarChart, heatmap, lineChart, perturbationPlot, scatterPlot, type GeneBox } from './svg.ts';

export const REPORT_METRICS = [
  'pearson_delta',
  'pearson_delta_de',
  'mse_top20_de_non_dropout',
  'frac_correct_direction_top20_non_dropout',
  'l2_top1000_expressed',
  'pearson_delta_systema',
] as const;

/** The key metrics of the overall table (GEARS's headline ones and cell-eval's); the rest is collapsible. */
export const KEY_METRICS = [
  'pearson_delta',
  'pearson_delta_de',
  'mse',
  'mse_de',
  'mse_top20_de_non_dropout',
  'frac_correct_direction_top20_non_dropout',
  'l2_top1000_expressed',
  'pearson_delta_systema',
  'mae',
  'discrimination_score_l1',
  'de_direction_match',
  'overlap_at_100',
];

/** Lower is better for these (the table marks the best model per metric). */
const LOWER_IS_BETTER = /^(mse|mae|l2|frac_opposite|frac_0\/1|mean_sigma|std_sigma)/;

export const IQR_HALF_WIDTH_SD = 0.6745;
export const WHISKER_SD = 2.698;
/** genes per condition in the predicted-vs-observed scatter (top of the DE ranking) */
export const SCATTER_GENES = 50;
/** at most this many perturbations × genes in the heatmap */
export const HEATMAP_ROWS = 40;
export const HEATMAP_GENES = 40;

export interface TrainingHistoryRow {
  epoch: number;
  trainLoss: number;
  valMse: number;
  valMseDe: number;
}

export interface ReportOptions {
  title?: string;
  /** split whose metrics are charted (default test) */
  split?: string;
  /** at most this many per-condition plots */
  maxConditionPlots?: number;
  /** which form of the model predicts which kind of condition (from the predict stage's manifest) */
  forms?: Record<string, { form: string; decided_on?: string; reason?: string; own_expression?: boolean }>;
  /** model/training_history.parquet rows, for the training curve */
  history?: TrainingHistoryRow[];
}

/** Whether the GI section means anything, and if not, why (shown in its place). */
export function giMeaningful(result: EvaluateResult): { ok: boolean; reason: string } {
  const gs = result.gi.geneSet;
  if (gs?.fellBack) {
    return { ok: false, reason: `only ${gs.measured} of the ${gs.listed} genes listed in --gi-genes are measured in this dataset (at least 20 are needed), so the GI scores would run over every gene, unlike GEARS's genes_with_hi_mean` };
  }
  const combos = new Set(result.gi.rows.filter((r) => r.model === OBSERVED_MODEL).map((r) => r.combination)).size;
  if (combos === 0) return { ok: false, reason: 'no evaluated combination has both of its singles measured' };
  if (combos <= PRECISION_K) {
    return { ok: false, reason: `only ${combos} evaluated combination(s): precision@k would rank all of them (k = ${Math.min(PRECISION_K, combos)} is not smaller than the number of combinations), so every model scores alike; gi.parquet still holds the scores` };
  }
  return { ok: true, reason: '' };
}

export function buildReport(stats: DatasetStats, result: EvaluateResult, opts: ReportOptions = {}): string {
  const split = opts.split ?? 'test';
  const models = result.predictions.map((p) => p.model);
  const agg = new Map<string, number>();
  const metricNames: string[] = [];
  for (const r of result.metrics) {
    if (r.condition === AGGREGATE_CONDITION && r.split === split) {
      agg.set(`${r.model}|${r.subgroup}|${r.metric}`, r.value);
      if (r.subgroup === OVERALL_SUBGROUP && !metricNames.includes(r.metric)) metricNames.push(r.metric);
    }
  }
  const groups = [...SUBGROUPS, OVERALL_SUBGROUP];
  const bars = REPORT_METRICS.map((m) => groupedBarChart(`${m} (${split})`, m, groups, models, (model, g) => agg.get(`${model}|${g}|${m}`) ?? NaN)).join('\n');

  const metricTable = (names: string[]) => `<table><thead><tr><th>metric</th>${models.map((m) => `<th>${esc(m)}</th>`).join('')}</tr></thead><tbody>${names
    .map((metric) => {
      const vals = models.map((model) => agg.get(`${model}|${OVERALL_SUBGROUP}|${metric}`));
      const fin = vals.filter((v): v is number => v !== undefined && Number.isFinite(v));
      const best = fin.length ? (LOWER_IS_BETTER.test(metric) ? Math.min(...fin) : Math.max(...fin)) : NaN;
      return `<tr><td>${esc(metric)}</td>${vals.map((v) => `<td${v === best && fin.length > 1 ? ' class="best"' : ''}>${num(v)}</td>`).join('')}</tr>`;
    })
    .join('')}</tbody></table>`;
  const key = KEY_METRICS.filter((m) => metricNames.includes(m));
  const rest = metricNames.filter((m) => !key.includes(m)).sort();

  const G = stats.genes.length;
  const ci = new Map(stats.conditions.map((c, i) => [c.name, i]));
  const control = result.context.control;
  const inSplit = result.evaluated.filter((e) => e.split === split);
  const primary = result.predictions.find((p) => !['no_change', 'training_mean', 'additive', 'linear'].includes(p.model)) ?? result.predictions.find((p) => p.model === 'additive') ?? result.predictions[0];
  const deltaOf = (mean: ArrayLike<number>, g: number) => mean[g] - control[g];

  const plots = inSplit
    .slice(0, opts.maxConditionPlots ?? 24)
    .map((e) => {
      const c = ci.get(e.condition)!;
      const n = stats.conditions[c].nCells;
      const mean = row(stats.mean, c, G);
      const m2 = row(stats.m2, c, G);
      const lists = conditionGeneLists(stats, c);
      const boxes: GeneBox[] = lists.topNonDropoutDe20.map((g) => {
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
      const top = lists.ranking.slice(0, SCATTER_GENES);
      const points = result.predictions.flatMap((p, mi) => {
        const v = p.mean.get(e.condition);
        return v ? top.map((g) => ({ x: deltaOf(mean, g), y: deltaOf(v, g), model: mi, label: stats.genes[g].gene })) : [];
      });
      const label = `${e.condition} · ${e.subgroup || e.split}`;
      return `<div class="condition">${perturbationPlot(label, boxes, models)}${scatterPlot(`${label}: top ${top.length} DE genes`, 'observed change vs control', 'predicted change', points, models, 260)}</div>`;
    })
    .join('\n');

  // heatmap: the split's perturbations × the genes most often among their top-10 DE genes
  const rowsH = inSplit.slice(0, HEATMAP_ROWS);
  const freq = new Map<number, number>();
  for (const e of rowsH) for (const g of conditionGeneLists(stats, ci.get(e.condition)!).ranking.slice(0, 10)) freq.set(g, (freq.get(g) ?? 0) + 1);
  const colsH = [...freq].sort((a, b) => b[1] - a[1] || a[0] - b[0]).slice(0, HEATMAP_GENES).map(([g]) => g);
  const heat = rowsH.length && colsH.length && primary
    ? heatmap(
        `Change vs control across ${esc(split)} perturbations: observed and ${primary.model}`,
        rowsH.map((e) => e.condition),
        colsH.map((g) => stats.genes[g].gene),
        [
          { name: 'observed', values: (r, c) => deltaOf(row(stats.mean, ci.get(rowsH[r].condition)!, G), colsH[c]) },
          { name: `predicted (${primary.model})`, values: (r, c) => { const v = primary.mean.get(rowsH[r].condition); return v ? deltaOf(v, colsH[c]) : NaN; } },
        ],
      )
    : '<p>No evaluated perturbation in this split.</p>';

  const h = opts.history ?? [];
  const training = h.length
    ? `<div class="row">${lineChart('Training loss by epoch', 'epoch', 'training loss', [{ name: 'train_loss', points: h.map((r) => [r.epoch, r.trainLoss]) }])}${lineChart('Validation error by epoch', 'epoch', 'validation MSE', [
        { name: 'val_mse', points: h.map((r) => [r.epoch, r.valMse]) },
        { name: 'val_mse_de (top-20 DE genes)', points: h.map((r) => [r.epoch, r.valMseDe]) },
      ])}</div>`
    : '<p class="note">No training history was given (model/training_history.parquet), e.g. predictions from another tool.</p>';

  const gi = giMeaningful(result);
  let giSection: string;
  if (gi.ok) {
    const observed = new Map(result.gi.rows.filter((r) => r.model === OBSERVED_MODEL).map((r) => [r.combination, r.scores.mag]));
    const points = result.gi.rows
      .filter((r) => r.model !== OBSERVED_MODEL && observed.has(r.combination))
      .map((r) => ({ x: observed.get(r.combination)!, y: r.scores.mag, model: Math.max(0, models.indexOf(r.model)), label: r.combination }));
    const scatter = scatterPlot('GI magnitude: predicted vs observed', 'observed magnitude', 'predicted magnitude', points, models);
    const precision = `<table><thead><tr><th>model</th><th>GI type</th><th>precision@k</th><th>k</th><th>true set size</th><th>combinations</th></tr></thead><tbody>${result.gi.precision
      .map((p) => `<tr><td>${esc(p.model)}</td><td>${esc(p.type)}</td><td>${num(p.precision)}</td><td>${p.k}</td><td>${p.nTrue}</td><td>${p.nCombinations}</td></tr>`)
      .join('')}</tbody></table>`;
    giSection = `<div class="charts">${scatter}</div>${precision}`;
  } else {
    giSection = `<p class="note" data-gi="not-shown">Not shown: ${esc(gi.reason)}.</p>`;
  }

  const title = opts.title ?? 'GEARS evaluation';
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<script>window.addEventListener('error', function (e) { var d = document.documentElement.dataset; d.errors = (d.errors || '') + String(e.message) + ';'; });</script>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:24px;color:#222;max-width:1100px}
h1{font-size:22px}h2{font-size:17px;margin-top:32px;border-bottom:1px solid #ccc}
table{border-collapse:collapse;font-size:12px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 6px;text-align:right}
td:first-child,th:first-child,table.text td,table.text th{text-align:left}td.best{font-weight:bold;background:#eef6ee}.charts svg,.condition svg,.row svg{display:block;margin:12px 0}
.condition,.row{display:flex;flex-wrap:wrap;gap:8px;align-items:flex-start}.note{color:#555;font-size:12px}summary{cursor:pointer;font-size:13px}
</style></head>
<body>
<h1>${esc(title)}</h1>
<p class="note">${stats.conditions.length} conditions × ${G} genes; ${result.evaluated.length} evaluated conditions; models: ${models.map(esc).join(', ')}. Metrics on exact means from the ingest statistics; subgroup values are unweighted means over conditions (empty subgroups have no bar).</p>
${opts.forms ? formsSection(opts.forms) : ''}<h2>Metrics by subgroup (${esc(split)})</h2>
<div class="charts">${bars}</div>
<h2>Overall (${esc(split)}): key metrics</h2>
<p class="note">Mean over the split's conditions; the best model per metric in bold (lower is better for mse/mae/l2 and the opposite-direction shares). Metric definitions: packages/evaluate/README.md.</p>
${metricTable(key)}
<details><summary>All ${metricNames.length} metrics</summary>${metricTable(rest)}</details>
<h2>Training</h2>
${training}
<h2>Changes across perturbations</h2>
<div class="charts">${heat}</div>
<h2>Per condition: observed change of the top-20 non-dropout DE genes, and predicted vs observed</h2>
<p class="note">Box = mean ± 0.674·sd of the per-cell change (normal-theory quartiles, from the statistics' moments), whiskers = mean ± 2.698·sd; dots = predicted change per model. Scatter: predicted against observed change of the condition's top ${SCATTER_GENES} DE genes, diagonal = perfect.</p>
<div class="charts">${plots || '<p>No evaluated condition.</p>'}</div>
<h2>Genetic interactions</h2>
${giSection}
<script>
(function () {
  var charts = document.querySelectorAll('svg[data-chart]');
  var empty = 0;
  var boxes = [];
  for (var i = 0; i < charts.length; i++) {
    var b = charts[i].getBoundingClientRect();
    boxes.push([Math.round(b.left + window.scrollX), Math.round(b.top + window.scrollY), Math.round(b.width), Math.round(b.height), charts[i].dataset.chart]);
    if (b.width < 10 || b.height < 10 || charts[i].querySelectorAll('rect,circle,polyline').length === 0) empty++;
  }
  document.body.dataset.charts = String(charts.length);
  document.body.dataset.boxes = JSON.stringify(boxes);
  document.body.dataset.pageHeight = String(document.documentElement.scrollHeight);
  document.body.dataset.emptyCharts = String(empty);
  document.body.dataset.rendered = charts.length > 0 && empty === 0 ? 'ok' : 'empty';
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
  return `<h2>Which form predicts what</h2><p class="note">composition: ${esc(String((forms as Record<string, unknown>).composition ?? ''))} (chosen on validation conditions only)</p><table class="text"><thead><tr><th>kind of condition</th><th>form</th><th>decided on</th><th>why</th></tr></thead><tbody>${rows}</tbody></table>\n`;
}
