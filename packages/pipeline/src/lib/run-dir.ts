/**
 * The run directory is used by one gears process at a time. `.gears.lock` (pid, host, start time,
 * command) is created exclusively before any stage runs and removed when the process ends. A
 * second process gets a one-line error naming the holder, or waits with `--wait`. A lock left by
 * a process that no longer exists on this host (killed, crashed) is taken over with a warning.
 *
 * Under the lock, temporaries of earlier killed processes anywhere in the run directory are
 * removed: `.<name>.<pid>.<stamp>.tmp` files and folders, and ingest's `.<name>.tmp-<pid>-<stamp>`
 * folders. `.<name>.old-<pid>-<stamp>` (a previous good output set aside while its replacement was
 * renamed in) is put back when the replacement never arrived, else removed. Temporaries of a
 * process that is still alive are left alone.
 */
import { existsSync, linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { GearsInputError, type Logger } from '@gears-pipeline/core';

export const LOCK_FILE = '.gears.lock';
/** how often a waiting process looks at the lock again */
export const LOCK_POLL_MS = 500;
/** how deep below the run directory stale temporaries are looked for */
const TEMP_SEARCH_DEPTH = 4;

export interface LockHolder {
  pid: number;
  host: string;
  startedAt: string;
  command: string;
}

export interface LockOptions {
  /** wait for the holder to finish instead of failing */
  wait?: boolean;
  log: Logger;
  /** what this process is doing, recorded for a second process's message */
  command?: string;
}

/** A run directory held by another live gears process (exit code 1). */
export class RunDirectoryLockedError extends GearsInputError {}

/** True when a process with this pid exists on this host. */
export function pidIsAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(path: string): LockHolder | undefined {
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as LockHolder;
  } catch {
    return undefined;
  }
}

/** Creates the lock file with its content in one step (link fails when it exists). */
function tryCreate(path: string, holder: LockHolder): boolean {
  const tmp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  writeFileSync(tmp, JSON.stringify(holder) + '\n');
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    rmSync(tmp, { force: true });
  }
}

function describe(h: LockHolder): string {
  return `pid ${h.pid} on ${h.host}, \`${h.command}\` since ${h.startedAt}`;
}

/**
 * Takes the run directory's lock; resolves with the function that releases it. The lock is also
 * released when the process exits normally.
 */
export async function lockRunDirectory(runDir: string, opts: LockOptions): Promise<() => void> {
  mkdirSync(runDir, { recursive: true });
  const path = join(runDir, LOCK_FILE);
  const me: LockHolder = { pid: process.pid, host: hostname(), startedAt: new Date().toISOString(), command: opts.command ?? `gears ${process.argv.slice(2).join(' ')}` };
  let announced = false;
  for (;;) {
    if (tryCreate(path, me)) break;
    const holder = readHolder(path);
    if (!holder) {
      // a lock file without readable content is never written by tryCreate: left by something else
      const age = Date.now() - statSync(path).mtimeMs;
      if (age > 10_000) {
        opts.log.warn('run.lock_unreadable_removed', { lock: path });
        rmSync(path, { force: true });
        continue;
      }
    } else if (holder.host === me.host && (holder.pid === process.pid || !pidIsAlive(holder.pid))) {
      opts.log.warn('run.stale_lock_taken_over', { lock: path, holder: describe(holder), reason: 'that process no longer exists (killed or crashed)' });
      rmSync(path, { force: true });
      continue;
    } else if (!opts.wait) {
      throw new RunDirectoryLockedError({
        file: runDir,
        field: LOCK_FILE,
        problem: `is in use by another gears process (${describe(holder)})`,
        fix: 'wait for it to finish, rerun with --wait, or use another output directory (--run.out / --out)',
      });
    }
    if (!announced && holder) {
      opts.log.info('run.waiting_for_lock', { lock: path, holder: describe(holder) });
      announced = true;
    }
    await new Promise((r) => setTimeout(r, LOCK_POLL_MS));
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    const h = readHolder(path);
    if (h && h.pid === process.pid && h.host === me.host) rmSync(path, { force: true });
  };
  process.on('exit', release);
  return release;
}

// .<name>.<pid>.<stamp>.tmp (core's atomic writes, checkpoints) and .<name>.tmp|old-<pid>-<stamp> (ingest)
const ATOMIC_TMP = /^\.(.+)\.(\d+)\.[0-9a-z]+\.tmp$/;
const DIR_TMP = /^\.(.+)\.(tmp|old)-(\d+)-[0-9a-z]+$/;

/**
 * Removes (or, for a set-aside previous output whose replacement is missing, restores) the
 * temporaries of dead processes anywhere in `runDir`. Returns the paths it handled.
 */
export function cleanStaleTemporaries(runDir: string, log: Logger): string[] {
  const handled: string[] = [];
  const visit = (dir: string, depth: number) => {
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return;
    }
    for (const name of names) {
      const p = join(dir, name);
      const a = ATOMIC_TMP.exec(name);
      const d = DIR_TMP.exec(name);
      const pid = a ? Number(a[2]) : d ? Number(d[3]) : undefined;
      if (pid !== undefined) {
        if (pid === process.pid || pidIsAlive(pid)) continue;
        const finalName = join(dir, a ? a[1] : d![1]);
        if (d && d[2] === 'old' && !existsSync(finalName)) {
          renameSync(p, finalName);
          log.warn('run.previous_output_restored', { path: finalName, from: name, reason: 'a killed run set it aside and never wrote its replacement' });
        } else {
          rmSync(p, { recursive: true, force: true });
          log.info('run.stale_temporary_removed', { path: p, pid });
        }
        handled.push(p);
        continue;
      }
      if (depth < TEMP_SEARCH_DEPTH && !name.startsWith('.') && name !== 'node_modules') {
        try {
          if (statSync(p).isDirectory()) visit(p, depth + 1);
        } catch {
          /* vanished meanwhile */
        }
      }
    }
  };
  if (existsSync(runDir)) visit(runDir, 0);
  return handled;
}

/** The run directory of a stage directory (its parent). */
export function runDirOf(stageDir: string): string {
  return dirname(stageDir);
}
