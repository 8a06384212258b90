import type { ParseArgsConfig } from 'node:util';
import type { Logger } from '@gears-pipeline/core';

export type OptionSpec = NonNullable<ParseArgsConfig['options']>;

export interface CommandContext {
  log: Logger;
  /** where `gears` was started */
  cwd: string;
}

/** One `gears <name>` subcommand. Each lives in its own file under `commands/`. */
export interface Command {
  name: string;
  summary: string;
  /** usage text shown by `gears <name> --help` */
  usage: string;
  options: OptionSpec;
  run(values: Record<string, string | boolean | string[] | undefined>, positionals: string[], ctx: CommandContext): Promise<void>;
}
