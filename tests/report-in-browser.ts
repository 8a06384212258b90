// Opens a run's report.html in headless Chromium as a user would and checks what the user sees:
// every chart drawn, no script error, axes with nice ticks and labels, ink inside each chart.
// Shared by the end-to-end runs on the bundled default data and on the Norman pseudobulk table.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findChromium, renderInChromium } from '../packages/evaluate/src/lib/testing/chromium.ts';
import { inkFraction, readPng } from '../packages/evaluate/src/lib/testing/png.ts';

export interface ReportSeen {
  /** charts the page script drew */
  charts: number;
  /** the GI section: shown, or the reason it is not */
  gi: 'shown' | string;
}

/** Static checks of the HTML that need no browser. */
export function checkReportHtml(html: string): void {
  assert.ok(!/src=["']https?:/.test(html) && !/href=["']https?:/.test(html), 'the report loads nothing from the network');
  const ticks = [...html.matchAll(/<text class="tick"[^>]*>([^<]*)</g)].map((m) => m[1]);
  assert.ok(ticks.length > 20, `${ticks.length} tick labels`);
  // 1/2/5 × 10^k steps print with at most two decimals (or in exponent form)
  for (const tk of ticks) assert.match(tk, /^-?\d+(\.\d{1,2})?$|e/, `tick label ${tk}`);
  assert.ok((html.match(/class="axis-label"/g) ?? []).length > 6, 'axes are labelled');
  assert.match(html, /predicted vs observed/i, 'the predicted-vs-observed scatter is there');
  assert.match(html, /data-chart="heatmap"/, 'the heatmap of changes is there');
  assert.match(html, /Validation error by epoch/, 'the training curve is there');
}

/**
 * Renders the report; returns undefined (the caller skips) when no Chromium is installed.
 * Asserts no console error, no empty chart, and ink inside every chart box of a screenshot.
 */
export function checkReportInChromium(reportPath: string): ReportSeen | undefined {
  const html = readFileSync(reportPath, 'utf8');
  checkReportHtml(html);
  if (!findChromium()) return undefined;
  const r = renderInChromium(reportPath)!;
  assert.match(r.dom, /data-rendered="ok"/, 'the page script finished');
  assert.doesNotMatch(r.dom, /data-errors=/);
  assert.doesNotMatch(r.stderr, /Uncaught|SyntaxError|CONSOLE\(\d+\)\].*error/i);
  const charts = Number(/data-charts="(\d+)"/.exec(r.dom)?.[1]);
  assert.ok(charts >= 8, `${charts} charts drawn`);
  assert.equal(/data-empty-charts="(\d+)"/.exec(r.dom)?.[1], '0', 'no chart is empty');
  const boxes = JSON.parse(/data-boxes="([^"]*)"/.exec(r.dom)![1].replace(/&quot;/g, '"')) as [number, number, number, number, string][];
  const height = Number(/data-page-height="(\d+)"/.exec(r.dom)?.[1]);
  const dir = mkdtempSync(join(tmpdir(), 'gears-report-shot-'));
  try {
    const png = join(dir, 'report.png');
    renderInChromium(reportPath, { screenshot: png, width: 1200, height });
    const img = readPng(png);
    for (const [x, y, w, h, kind] of boxes) {
      const ink = inkFraction(img, x, y, w, h);
      assert.ok(ink > 0.02 && ink < 0.9, `${kind} chart at ${x},${y} (${w}×${h}) has ${(ink * 100).toFixed(1)}% ink`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const notShown = /data-gi="not-shown">([^<]*)</.exec(html)?.[1];
  return { charts, gi: notShown ?? (/GI magnitude: predicted vs observed/.test(html) ? 'shown' : 'absent') };
}
