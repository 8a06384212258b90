/**
 * Minimal inline-SVG chart builders for the self-contained report (no scripts, no fonts from the
 * network): grouped bars, the GEARS perturbation plot (box per DE gene + predicted dots) and a
 * scatter. Each returns an `<svg>` string with a `data-chart` attribute the report test checks.
 */

export const MODEL_COLOURS = ['#1b9e77', '#d95f02', '#7570b3', '#e7298a', '#66a61e', '#e6ab02', '#a6761d', '#666666'];

export function esc(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function fmt(v: number): string {
  if (!Number.isFinite(v)) return 'NaN';
  const a = Math.abs(v);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? v.toExponential(2) : v.toFixed(3);
}

function niceRange(values: number[], includeZero = true): [number, number] {
  const fin = values.filter(Number.isFinite);
  let lo = fin.length ? Math.min(...fin) : 0;
  let hi = fin.length ? Math.max(...fin) : 1;
  if (includeZero) {
    lo = Math.min(lo, 0);
    hi = Math.max(hi, 0);
  }
  if (hi === lo) hi = lo + 1;
  const pad = (hi - lo) * 0.05;
  return [lo - (lo < 0 ? pad : 0), hi + pad];
}

function legend(models: string[], x: number, y: number): string {
  return models
    .map((m, i) => `<g transform="translate(${x + (i % 4) * 150},${y + Math.floor(i / 4) * 16})"><rect width="10" height="10" fill="${MODEL_COLOURS[i % MODEL_COLOURS.length]}"/><text x="14" y="9" font-size="11">${esc(m)}</text></g>`)
    .join('');
}

function yAxis(lo: number, hi: number, x: number, top: number, h: number, w: number): string {
  const ticks = 5;
  let s = '';
  for (let i = 0; i <= ticks; i++) {
    const v = lo + ((hi - lo) * i) / ticks;
    const y = top + h - (h * i) / ticks;
    s += `<line x1="${x}" x2="${x + w}" y1="${y}" y2="${y}" stroke="#e5e5e5"/><text x="${x - 4}" y="${y + 3}" font-size="10" text-anchor="end">${fmt(v)}</text>`;
  }
  return s;
}

/** Grouped bars: one group per category, one bar per model; NaN bars are left out. */
export function groupedBarChart(title: string, categories: string[], models: string[], value: (model: string, category: string) => number): string {
  const W = 640;
  const H = 260;
  const left = 60;
  const top = 30;
  const plotH = 160;
  const plotW = W - left - 10;
  const vals = categories.flatMap((c) => models.map((m) => value(m, c)));
  const [lo, hi] = niceRange(vals);
  const y = (v: number) => top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const groupW = plotW / Math.max(1, categories.length);
  const barW = (groupW * 0.8) / Math.max(1, models.length);
  let bars = '';
  categories.forEach((c, ci) => {
    const gx = left + ci * groupW + groupW * 0.1;
    models.forEach((m, mi) => {
      const v = value(m, c);
      if (!Number.isFinite(v)) return;
      const y0 = y(0);
      const y1 = y(v);
      bars += `<rect class="bar" x="${(gx + mi * barW).toFixed(1)}" y="${Math.min(y0, y1).toFixed(1)}" width="${(barW * 0.9).toFixed(1)}" height="${Math.abs(y1 - y0).toFixed(1)}" fill="${MODEL_COLOURS[mi % MODEL_COLOURS.length]}"><title>${esc(m)} · ${esc(c)}: ${fmt(v)}</title></rect>`;
    });
    bars += `<text x="${(left + ci * groupW + groupW / 2).toFixed(1)}" y="${top + plotH + 14}" font-size="11" text-anchor="middle">${esc(c)}</text>`;
  });
  return `<svg data-chart="bars" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
<text x="${left}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>${yAxis(lo, hi, left, top, plotH, plotW)}
<line x1="${left}" x2="${left + plotW}" y1="${y(0)}" y2="${y(0)}" stroke="#333"/>${bars}${legend(models, left, top + plotH + 28)}</svg>`;
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
  const H = 300;
  const left = 60;
  const top = 30;
  const plotH = 170;
  const plotW = W - left - 10;
  const vals = boxes.flatMap((b) => [b.lo, b.hi, ...b.predicted]);
  const [lo, hi] = niceRange(vals);
  const y = (v: number) => top + plotH - ((v - lo) / (hi - lo)) * plotH;
  const step = plotW / Math.max(1, boxes.length);
  let s = '';
  boxes.forEach((b, i) => {
    const cx = left + step * (i + 0.5);
    const bw = step * 0.5;
    s += `<g class="gene-box"><line x1="${cx}" x2="${cx}" y1="${y(b.hi)}" y2="${y(b.lo)}" stroke="#555"/>`;
    s += `<rect x="${cx - bw / 2}" y="${Math.min(y(b.q3), y(b.q1))}" width="${bw}" height="${Math.max(1, Math.abs(y(b.q1) - y(b.q3)))}" fill="#ddd" stroke="#555"><title>${esc(b.gene)}: observed ${fmt(b.median)}</title></rect>`;
    s += `<line x1="${cx - bw / 2}" x2="${cx + bw / 2}" y1="${y(b.median)}" y2="${y(b.median)}" stroke="#000"/></g>`;
    b.predicted.forEach((v, mi) => {
      if (!Number.isFinite(v)) return;
      const dx = ((mi - (models.length - 1) / 2) * bw) / Math.max(1, models.length);
      s += `<circle class="pred" cx="${(cx + dx).toFixed(1)}" cy="${y(v).toFixed(1)}" r="3" fill="${MODEL_COLOURS[mi % MODEL_COLOURS.length]}"><title>${esc(models[mi])} ${esc(b.gene)}: ${fmt(v)}</title></circle>`;
    });
    s += `<text transform="translate(${cx},${top + plotH + 8}) rotate(60)" font-size="9">${esc(b.gene)}</text>`;
  });
  return `<svg data-chart="perturbation" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
<text x="${left}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>${yAxis(lo, hi, left, top, plotH, plotW)}
<line x1="${left}" x2="${left + plotW}" y1="${y(0)}" y2="${y(0)}" stroke="#999" stroke-dasharray="3,3"/>${s}${legend(models, left, H - 16)}</svg>`;
}

/** Scatter of predicted against observed values, one colour per model, with the diagonal. */
export function scatterPlot(title: string, xLabel: string, yLabel: string, points: { x: number; y: number; model: number; label: string }[], models: string[]): string {
  const W = 460;
  const H = 420;
  const left = 60;
  const top = 30;
  const size = 320;
  const fin = points.filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y));
  const [lo, hi] = niceRange(fin.flatMap((p) => [p.x, p.y]), false);
  const sx = (v: number) => left + ((v - lo) / (hi - lo)) * size;
  const sy = (v: number) => top + size - ((v - lo) / (hi - lo)) * size;
  const dots = fin
    .map((p) => `<circle class="point" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="3.5" fill="${MODEL_COLOURS[p.model % MODEL_COLOURS.length]}" fill-opacity="0.8"><title>${esc(p.label)} (${esc(models[p.model])}): observed ${fmt(p.x)}, predicted ${fmt(p.y)}</title></circle>`)
    .join('');
  return `<svg data-chart="scatter" xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${esc(title)}">
<text x="${left}" y="16" font-size="13" font-weight="bold">${esc(title)}</text>
<rect x="${left}" y="${top}" width="${size}" height="${size}" fill="none" stroke="#333"/>
<line x1="${sx(lo)}" y1="${sy(lo)}" x2="${sx(hi)}" y2="${sy(hi)}" stroke="#999" stroke-dasharray="4,3"/>
<text x="${left + size / 2}" y="${top + size + 28}" font-size="11" text-anchor="middle">${esc(xLabel)} (${fmt(lo)} – ${fmt(hi)})</text>
<text transform="translate(${left - 40},${top + size / 2}) rotate(-90)" font-size="11" text-anchor="middle">${esc(yLabel)}</text>
${dots}${legend(models, left, top + size + 44)}</svg>`;
}
