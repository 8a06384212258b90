import { statSync } from 'node:fs';
/**
 * Errors a user can act on. Every input problem names the file, the field and the fix, so the
 * one-line message printed by the CLI is enough to repair the input without reading code.
 */
export class GearsInputError extends Error {
  readonly file: string;
  readonly field: string;
  readonly fix: string;
  constructor(args: { file: string; field: string; problem: string; fix: string }) {
    super(`${args.file}: ${args.field}: ${args.problem}. Fix: ${args.fix}`);
    this.name = 'GearsInputError';
    this.file = args.file;
    this.field = args.field;
    this.fix = args.fix;
  }
}

/** Bad command-line usage or configuration (CLI exit code 2). */
export class GearsUsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GearsUsageError';
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/** What to do about each operating-system error a stage can meet while reading or writing files. */
const SYSTEM_ERROR_FIXES: Record<string, { problem: string; fix: string }> = {
  ENOENT: { problem: 'does not exist', fix: 'check the path (relative paths start from the working directory, or from the config file for paths in a config)' },
  ENOTDIR: { problem: 'has a part that is a file, not a directory', fix: 'choose an output path whose parent directories are directories (or remove the file in the way)' },
  EISDIR: { problem: 'is a directory where a file is needed', fix: 'name a file, not a directory' },
  EACCES: { problem: 'is not accessible (permission denied)', fix: 'choose a location you may read / write, or change the permissions' },
  EPERM: { problem: 'cannot be changed (operation not permitted)', fix: 'choose a location you own, or change the permissions' },
  EROFS: { problem: 'is on a read-only file system', fix: 'write the outputs somewhere writable (--out / run.out)' },
  ENOSPC: { problem: 'cannot be written: no space left on the device', fix: 'free disk space or write the outputs to another disk (--out / run.out); the previous outputs are intact' },
  EDQUOT: { problem: 'cannot be written: disk quota exceeded', fix: 'free space within your quota or write elsewhere' },
  EEXIST: { problem: 'already exists', fix: 'remove it or choose another path' },
  ENOTEMPTY: { problem: 'is a directory that is not empty', fix: 'remove it or choose another path' },
  EMFILE: { problem: 'cannot be opened: too many open files', fix: 'raise the limit (ulimit -n) and run again' },
  ENAMETOOLONG: { problem: 'has a name too long for the file system', fix: 'choose a shorter path' },
  EBUSY: { problem: 'is busy (in use by another process)', fix: 'close the program using it and run again' },
};

/**
 * A Node system error (`ENOTDIR: not a directory, mkdir '…'`) in the project's one-line form,
 * `path: (syscall): problem. Fix: …`; undefined for anything that is not a system error. The CLI's
 * top-level handler prints this instead of the raw message.
 */
export function describeSystemError(e: unknown): string | undefined {
  const err = e as NodeJS.ErrnoException & { dest?: string };
  if (!err || typeof err !== 'object' || typeof err.code !== 'string' || !(err.code in SYSTEM_ERROR_FIXES)) return undefined;
  let what = SYSTEM_ERROR_FIXES[err.code];
  const path = err.path ?? (/'([^']+)'/.exec(err.message ?? '')?.[1] ?? '(unknown path)');
  // mkdir -p through a file reports EEXIST: say what is really in the way
  if (err.code === 'EEXIST' && err.syscall === 'mkdir' && isFile(path)) what = { problem: 'is a file where a directory is needed (ENOTDIR)', fix: 'choose an output path whose parent directories are directories, or move the file away' };
  const dest = err.dest ? ` (→ ${err.dest})` : '';
  return `${path}${dest}: ${err.syscall ?? 'file system'}: ${what.problem} [${err.code}]. Fix: ${what.fix}`;
}
