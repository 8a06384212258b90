import type { Command } from '../command.ts';
import { initCommand } from './init.ts';
import { ingestCommand } from './ingest.ts';

/** Every subcommand, in pipeline order. Stage issues add theirs here. */
export const commands: Command[] = [initCommand, ingestCommand];
