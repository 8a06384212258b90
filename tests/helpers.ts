import { spawn, spawnSync } from 'node:child_process';
import { resolve } from 'node:path';

export const repoRoot = resolve(import.meta.dirname, '..');
export const gearsBin = resolve(repoRoot, 'packages/pipeline/bin/gears.js');

export interface GearsResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** JSON log events from stderr */
  events: Array<Record<string, unknown>>;
}

/** Runs the `gears` CLI as a user would (a child process), with JSON logs. */
export function gears(args: string[], cwd = repoRoot): GearsResult {
  const r = spawnSync(process.execPath, [gearsBin, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, maxBuffer: 256 * 1024 * 1024 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr, events: parseEvents(r.stderr) };
}

export function parseEvents(text: string): Array<Record<string, unknown>> {
  return text
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .flatMap((l) => {
      try {
        return [JSON.parse(l)];
      } catch {
        return [];
      }
    });
}

/** Stage names with the given status in a run's events. */
export function stagesWith(events: Array<Record<string, unknown>>, event: 'stage started' | 'stage skipped (unchanged)'): string[] {
  return events.filter((e) => e.event === event).map((e) => String(e.stage));
}

/** Starts `gears` and SIGKILLs it as soon as a log event matches. Resolves with the events seen. */
export function gearsKilledWhen(args: string[], when: (e: Record<string, unknown>) => boolean, cwd = repoRoot): Promise<{ killed: boolean; events: Array<Record<string, unknown>> }> {
  return new Promise((done) => {
    const child = spawn(process.execPath, [gearsBin, ...args], { cwd, stdio: ['ignore', 'ignore', 'pipe'] });
    let buf = '';
    const events: Array<Record<string, unknown>> = [];
    let killed = false;
    child.stderr.on('data', (b: Buffer) => {
      buf += b.toString();
      const lines = buf.split('\n');
      buf = lines.pop() ?? '';
      for (const e of parseEvents(lines.join('\n'))) {
        events.push(e);
        if (!killed && when(e)) {
          killed = true;
          child.kill('SIGKILL');
        }
      }
    });
    child.on('close', () => done({ killed, events }));
  });
}
