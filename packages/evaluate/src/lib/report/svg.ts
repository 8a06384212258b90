/**
 * Inline-SVG chart builders for the self-contained report (no scripts, no fonts from the
 * network): grouped bars, the GEARS perturbation plot (box per DE gene + predicted dots),
 * scatters, line charts and a heatmap. Every axis uses the nice scales of scale.ts (ticks on
 * 1/2/5 × 10^k steps) and carries a label; legends wrap so every model is shown. Each chart is an
 * `<svg>` with a `data-chart` attribute the report test counts.
 */
import { niceScale, type NiceScale } from './scale.ts';

export const MODEL_COLOURS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];
const colour = (i: number) => MODEL_COLOURS[i % MODEL_COLOURS.length];

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return 'NaN';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(3);
}

/** Legend items laid out left to right, wrapping at `width`; returns the SVG and its height. */
function legend(models: readonly string[], x: number, y: number, width: number): { svg: string; height: number } {
  let cx = 0;
  let row = 0;
  let svg = '';
  models.forEach((m, i) => {
    const w = 22 + m.length * 6.6;
    if (cx > 0 && cx + w > width) {
      cx = 0;
      row++;
    }
    svg += `<g class="legend-item" transform="translate(${(x + cx).toFixed(1)},${y + row * 16})"><rect width="10" height="10" fill="${colour(i)}"/><text x="14" y="9" font-size="11">${esc(m)}</text></g>`;
    cx += w;
  });
  return { svg, height: models.length ? (row + 1) * 16 : 0 };
}

function yAxis(s: NiceScale, x: number, w: number, label: string, top: number, h: number): string {
  let out = '';
  for (const t of s.ticks) {
    const y = s.map(t).toFixed(1);
    out += `<line x1="${x}" x2="${x + w}" y1="${y}" y2="${y}" stroke="#e5e5e5"/><text class="tick" x="${x - 4}" y="${Number(y) + 3}" font-size="10" text-anchor="end">${s.format(t)}</text>`;
  }
  out += `<line x1="${x}" x2="${x}" y1="${top}" y2="${top + h}" stroke="#333"/>`;
  out += `<text class="axis-label" transform="translate(${x - 44},${top + h / 2}) rotate(-90)" font-size="11" text-anchor="middle">${esc(label)}</text>`;
  return out;
}

function xAxis(s: NiceScale, y: number, h: number, label: string, left: number, w: number): string {
  let out = `<line x1="${left}" x2="${left + w}" y1="${y}" y2="${y}" stroke="#333"/>`;
  for (const t of s.ticks) {
    const x = s.map(t).toFixed(1);
    out += `<line x1="${x}" x2="${x}" y1="${y - h}" y2="${y}" stroke="#eee"/><line x1="${x}" x2="${x}" y1="${y}" y2="${y + 4}" stroke="#333"/><text class="tick" x="${x}" y="${y + 15}" font-size="10" text-anchor="middle">${s.format(t)}</text>`;
  }
  out += `<text class="axis-label" x="${left + w / 2}" y="${y + 30}" font-size="11" text-anchor="middle">${esc(label)}</text>`;
  return out;
}

function svgOpen(kind: string, title: string, W: number, H: number, left: number): string {
  return `<svg data-chart="${kind}" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
<text x="${left}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>`;
}

/** Grouped bars: one group per category, one bar per model; NaN bars are left out. */
export function groupedBarChart(title: string, yLabel: string, categories: string[], models: string[], value: (model: string, category: string) => number): string {
  const W = 660;
  const left = 70;
  const top = 30;
  const plotH = 160;
  const plotW = W - left - 10;
  const vals = categories.flatMap((c) => models.map((m) => value(m, c)));
  const y = niceScale(vals, top + plotH, top);
  const groupW = plotW / Math.max(1, categories.length);
  const barW = (groupW * 0.8) / Math.max(1, models.length);
  let bars = '';
  categories.forEach((c, ci) => {
    const gx = left + ci * groupW + groupW * 0.1;
    models.forEach((m, mi) => {
      const v = value(m, c);
      if (!Number.isFinite(v)) return;
      const y0 = y.map(0);
      const y1 = y.map(v);
      bars += `<rect class="bar" x="${(gx + mi * barW).toFixed(1)}" y="${Math.min(y0, y1).toFixed(1)}" width="${(barW * 0.9).toFixed(1)}" height="${Math.max(0.5, Math.abs(y1 - y0)).toFixed(1)}" fill="${colour(mi)}"><title>${esc(m)} · ${esc(c)}: ${fmt(v)}</title></rect>`;
    });
    bars += `<text x="${(left + ci * groupW + groupW / 2).toFixed(1)}" y="${top + plotH + 14}" font-size="11" text-anchor="middle">${esc(c)}</text>`;
  });
  const lg = legend(models, left, top + plotH + 26, plotW);
  const H = top + plotH + 30 + lg.height;
  return `${svgOpen('bars', title, W, H, left)}${yAxis(y, left, plotW, yLabel, top, plotH)}
<line x1="${left}" x2="${left + plotW}" y1="${y.map(0)}" y2="${y.map(0)}" stroke="#333"/>${bars}${lg.svg}</svg>`;
}

export interface GeneBox {
  gene: string;
  /** box limits (e.g. quartiles) and whisker limits of the observed change */
  q1: number;
  q3: number;
  median: number;
  lo: number;
  hi: number;
  /** predicted change per model */
  predicted: number[];
}

/** The reference's perturbation plot: a box of the observed change per DE gene, predicted change as dots. */
export function perturbationPlot(title: string, boxes: GeneBox[], models: string[]): string {
  const W = 760;
  const left = 70;
  const top = 30;
  const plotH = 170;
  const plotW = W - left - 10;
  const y = niceScale(boxes.flatMap((b) => [b.lo, b.hi, ...b.predicted]), top + plotH, top);
  const step = plotW / Math.max(1, boxes.length);
  let s = '';
  boxes.forEach((b, i) => {
    const cx = left + step * (i + 0.5);
    const bw = step * 0.5;
    s += `<g class="gene-box"><line x1="${cx}" x2="${cx}" y1="${y.map(b.hi)}" y2="${y.map(b.lo)}" stroke="#555"/>`;
    s += `<rect x="${cx - bw / 2}" y="${Math.min(y.map(b.q3), y.map(b.q1))}" width="${bw}" height="${Math.max(1, Math.abs(y.map(b.q1) - y.map(b.q3)))}" fill="#ddd" stroke="#555"><title>${esc(b.gene)}: observed ${fmt(b.median)}</title></rect>`;
    s += `<line x1="${cx - bw / 2}" x2="${cx + bw / 2}" y1="${y.map(b.median)}" y2="${y.map(b.median)}" stroke="#000"/></g>`;
    b.predicted.forEach((v, mi) => {
      if (!Number.isFinite(v)) return;
      const dx = ((mi - (models.length - 1) / 2) * bw) / Math.max(1, models.length);
      s += `<circle class="pred" cx="${(cx + dx).toFixed(1)}" cy="${y.map(v).toFixed(1)}" r="3" fill="${colour(mi)}"><title>${esc(models[mi])} ${esc(b.gene)}: ${fmt(v)}</title></circle>`;
    });
    s += `<text transform="translate(${cx},${top + plotH + 8}) rotate(60)" font-size="9">${esc(b.gene)}</text>`;
  });
  const lg = legend(models, left, top + plotH + 62, plotW);
  const H = top + plotH + 66 + lg.height;
  return `${svgOpen('perturbation', title, W, H, left)}${yAxis(y, left, plotW, 'change vs control', top, plotH)}
<line x1="${left}" x2="${left + plotW}" y1="${y.map(0)}" y2="${y.map(0)}" stroke="#999" stroke-dasharray="3,3"/>${s}${lg.svg}</svg>`;
}

/** Scatter of predicted against observed values, one colour per model, with the diagonal. */
export function scatterPlot(title: string, xLabel: string, yLabel: string, points: { x: number; y: number; model: number; label: string }[], models: string[], size = 300): string {
  const left = 70;
  const top = 30;
  const W = left + size + 20;
  const fin = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const both = fin.flatMap((p) => [p.x, p.y]);
  const sx = niceScale(both, left, left + size, { includeZero: false });
  const sy = niceScale(both, top + size, top, { includeZero: false });
  const dots = fin
    .map((p) => `<circle class="point" cx="${sx.map(p.x).toFixed(1)}" cy="${sy.map(p.y).toFixed(1)}" r="3" fill="${colour(p.model)}" fill-opacity="0.75"><title>${esc(p.label)} (${esc(models[p.model])}): observed ${fmt(p.x)}, predicted ${fmt(p.y)}</title></circle>`)
    .join('');
  const lg = legend(models, left, top + size + 40, size);
  const H = top + size + 44 + lg.height;
  return `${svgOpen('scatter', title, W, H, left)}
${yAxis(sy, left, size, yLabel, top, size)}${xAxis(sx, top + size, size, xLabel, left, size)}
<line x1="${sx.map(sx.lo)}" y1="${sy.map(sx.lo)}" x2="${sx.map(sx.hi)}" y2="${sy.map(sx.hi)}" stroke="#999" stroke-dasharray="4,3"/>
${dots}${lg.svg}</svg>`;
}

/** Line chart of series over a shared x (e.g. epochs). */
export function lineChart(title: string, xLabel: string, yLabel: string, series: { name: string; points: [number, number][] }[]): string {
  const W = 480;
  const left = 70;
  const top = 30;
  const plotW = W - left - 20;
  const plotH = 180;
  const xs = niceScale(series.flatMap((s) => s.points.map((p) => p[0])), left, left + plotW, { includeZero: false });
  const ys = niceScale(series.flatMap((s) => s.points.map((p) => p[1])), top + plotH, top, { includeZero: false });
  let lines = '';
  series.forEach((s, i) => {
    const pts = s.points.filter((p) => Number.isFinite(p[0]) && Number.isFinite(p[1]));
    if (!pts.length) return;
    lines += `<polyline class="line" fill="none" stroke="${colour(i)}" stroke-width="2" points="${pts.map((p) => `${xs.map(p[0]).toFixed(1)},${ys.map(p[1]).toFixed(1)}`).join(' ')}"/>`;
    lines += pts.map((p) => `<circle cx="${xs.map(p[0]).toFixed(1)}" cy="${ys.map(p[1]).toFixed(1)}" r="2.5" fill="${colour(i)}"><title>${esc(s.name)} ${p[0]}: ${fmt(p[1])}</title></circle>`).join('');
  });
  const lg = legend(series.map((s) => s.name), left, top + plotH + 40, plotW);
  const H = top + plotH + 44 + lg.height;
  return `${svgOpen('line', title, W, H, left)}${yAxis(ys, left, plotW, yLabel, top, plotH)}${xAxis(xs, top + plotH, plotH, xLabel, left, plotW)}${lines}${lg.svg}</svg>`;
}

/** Diverging blue–white–red colour for v in [−m, m]. */
function diverging(v: number, m: number): string {
  if (!Number.isFinite(v)) return '#f0f0f0';
  const t = Math.max(-1, Math.min(1, m > 0 ? v / m : 0));
  const a = Math.abs(t);
  const [r, g, b] = t >= 0 ? [255, Math.round(255 * (1 - a * 0.85)), Math.round(255 * (1 - a * 0.9))] : [Math.round(255 * (1 - a * 0.9)), Math.round(255 * (1 - a * 0.7)), 255];
  return `rgb(${r},${g},${b})`;
}

/**
 * Heatmap panels side by side over the same rows (perturbations) and columns (genes), one shared
 * diverging colour scale (symmetric around 0) with its legend.
 */
export function heatmap(title: string, rows: string[], cols: string[], panels: { name: string; values: (r: number, c: number) => number }[]): string {
  const cell = Math.max(6, Math.min(14, Math.floor(300 / Math.max(1, cols.length))));
  const rowH = Math.max(8, Math.min(14, Math.floor(420 / Math.max(1, rows.length))));
  const left = 110;
  const top = 40;
  const panelW = cols.length * cell;
  const gap = 24;
  let m = 0;
  for (const p of panels) for (let r = 0; r < rows.length; r++) for (let c = 0; c < cols.length; c++) {
    const v = p.values(r, c);
    if (Number.isFinite(v)) m = Math.max(m, Math.abs(v));
  }
  const scale = niceScale([-m, m], 0, 1, { count: 4 });
  const mm = Math.max(Math.abs(scale.lo), Math.abs(scale.hi));
  let s = '';
  panels.forEach((p, pi) => {
    const x0 = left + pi * (panelW + gap);
    s += `<text x="${x0}" y="${top - 8}" font-size="11" font-weight="bold">${esc(p.name)}</text><g class="heat-panel">`;
    for (let r = 0; r < rows.length; r++) for (let c = 0; c < cols.length; c++) {
      const v = p.values(r, c);
      s += `<rect x="${x0 + c * cell}" y="${top + r * rowH}" width="${cell}" height="${rowH}" fill="${diverging(v, mm)}"><title>${esc(rows[r])} · ${esc(cols[c])}: ${fmt(v)}</title></rect>`;
    }
    s += '</g>';
    cols.forEach((g, c) => (s += `<text transform="translate(${x0 + c * cell + cell / 2 + 3},${top + rows.length * rowH + 4}) rotate(70)" font-size="8">${esc(g)}</text>`));
  });
  rows.forEach((r, i) => (s += `<text x="${left - 4}" y="${top + i * rowH + rowH - 2}" font-size="9" text-anchor="end">${esc(r)}</text>`));
  const W = left + panels.length * (panelW + gap) + 130;
  const legendX = W - 115;
  const legendH = 120;
  let lg = '';
  for (let i = 0; i < 24; i++) lg += `<rect x="${legendX}" y="${top + (i * legendH) / 24}" width="12" height="${legendH / 24 + 0.5}" fill="${diverging(mm - (2 * mm * (i + 0.5)) / 24, mm)}"/>`;
  const ls = niceScale([-mm, mm], top + legendH, top, { count: 4 });
  for (const t of ls.ticks) lg += `<text class="tick" x="${legendX + 16}" y="${ls.map(t) + 3}" font-size="9">${ls.format(t)}</text>`;
  lg += `<text x="${legendX}" y="${top + legendH + 16}" font-size="10">change vs control</text>`;
  const H = top + rows.length * rowH + 70;
  return `${svgOpen('heatmap', title, W, Math.max(H, top + legendH + 30), left)}${s}${lg}</svg>`;
}
