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
