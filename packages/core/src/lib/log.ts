/**
 * Progress and logs. On a terminal: a single updating progress line per task; otherwise (CI,
 * pipelines, files): one JSON object per line per event, so lab pipelines can parse them.
 * Stages receive a `Logger` and never write to the console themselves.
 */
export interface Logger {
  /** a structured event: `{"event": "...", ...fields}` */
  info(event: string, fields?: Record<string, unknown>): void;
  warn(event: string, fields?: Record<string, unknown>): void;
  /** progress of a counted task; `total` may be unknown; `detail` (e.g. the loss) is shown beside it */
  progress(task: string, done: number, total?: number, unit?: string, detail?: Record<string, unknown>): void;
}

export interface LoggerOptions {
  quiet?: boolean;
  /** force JSON lines even on a terminal */
  json?: boolean;
  stream?: NodeJS.WritableStream & { isTTY?: boolean };
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const out = opts.stream ?? process.stderr;
  const tty = !opts.json && Boolean((out as { isTTY?: boolean }).isTTY);
  const started = new Map<string, number>();
  let lastDraw = 0;
  let lastProgressLog = new Map<string, number>();
  /** the unfinished progress line on a terminal, redrawn below each log line so it stays visible */
  let bar = '';
  const line = (level: string, event: string, fields?: Record<string, unknown>) => {
    if (opts.quiet && level === 'info') return;
    if (tty) {
      out.write(`\r\x1b[K${level === 'warn' ? 'warning: ' : ''}${event}${fields ? ' ' + Object.entries(fields).map(([k, v]) => `${k}=${fmt(v)}`).join(' ') : ''}\n${bar}`);
    } else {
      out.write(JSON.stringify({ time: new Date().toISOString(), level, event, ...fields }) + '\n');
    }
  };
  return {
    info: (e, f) => line('info', e, f),
    warn: (e, f) => line('warn', e, f),
    progress(task, done, total, unit = 'items', detail) {
      if (opts.quiet) return;
      const now = Date.now();
      if (!started.has(task)) started.set(task, now);
      const t0 = started.get(task)!;
      const rate = done / Math.max(1e-3, (now - t0) / 1000);
      const finished = total !== undefined && done >= total;
      if (tty) {
        if (!finished && now - lastDraw < 100) return;
        lastDraw = now;
        const pct = total ? Math.min(1, done / total) : 0;
        const meter = total ? '[' + '#'.repeat(Math.round(pct * 24)).padEnd(24, '.') + '] ' : '';
        const eta = total && rate > 0 ? ` eta ${formatSeconds(Math.max(0, (total - done) / rate))}` : '';
        const extra = detail ? ' ' + Object.entries(detail).map(([k, v]) => `${k}=${fmt(v)}`).join(' ') : '';
        const text = `\r\x1b[K${task} ${meter}${done}${total ? '/' + total : ''} ${unit}${extra} ${rate >= 1 ? `${rate.toFixed(1)}/s` : `${(1 / Math.max(rate, 1e-9)).toFixed(1)}s each`}${eta}`;
        bar = finished ? '' : text;
        out.write(text + (finished ? '\n' : ''));
      } else {
        const last = lastProgressLog.get(task) ?? 0;
        if (!finished && now - last < 2000) return;
        lastProgressLog.set(task, now);
        const eta = total && rate > 0 ? Number(Math.max(0, (total - done) / rate).toFixed(1)) : undefined;
        out.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', event: 'progress', task, done, total, unit, rate: Number(rate.toFixed(2)), ...(eta !== undefined ? { eta_seconds: eta } : {}), ...detail }) + '\n');
      }
    },
  };
}

/** A logger that drops everything (library calls without a logger, tests). */
export const silentLogger: Logger = { info() {}, warn() {}, progress() {} };

function formatSeconds(s: number): string {
  if (s < 90) return `${s.toFixed(0)}s`;
  const m = Math.floor(s / 60);
  return m < 90 ? `${m}m${String(Math.round(s - m * 60)).padStart(2, '0')}s` : `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

function fmt(v: unknown): string {
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : v.toPrecision(4);
  if (typeof v === 'string') return v;
  return JSON.stringify(v);
}
