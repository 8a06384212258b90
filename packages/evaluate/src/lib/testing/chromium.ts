/**
 * Test helper (not exported): renders an HTML file in headless Chromium and returns the DOM
 * after scripts ran (`--dump-dom`) and the browser's stderr (console errors are logged there
 * with --enable-logging=stderr). Returns undefined when no Chromium binary is installed.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

export const CHROMIUM_CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome'];

export function findChromium(): string | undefined {
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p));
}

export function renderInChromium(htmlPath: string, opts: { screenshot?: string; width?: number; height?: number } = {}): { dom: string; stderr: string; status: number | null } | undefined {
  const bin = findChromium();
  if (!bin) return undefined;
  const size = `--window-size=${opts.width ?? 1200},${opts.height ?? 900}`;
  const output = opts.screenshot ? [`--screenshot=${opts.screenshot}`, '--hide-scrollbars', '--force-device-scale-factor=1'] : ['--dump-dom'];
  const profile = mkdtempSync(join(tmpdir(), 'gears-chromium-'));
  try {
    const r = spawnSync(
      bin,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
        `--user-data-dir=${profile}`,
        '--enable-logging=stderr',
        '--v=0',
        size,
        ...output,
        `file://${htmlPath}`,
      ],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 },
    );
    return { dom: r.stdout ?? '', stderr: r.stderr ?? '', status: r.status };
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}
