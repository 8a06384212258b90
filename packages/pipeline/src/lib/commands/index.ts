import type { Command } from '../command.ts';
import { initCommand } from './init.ts';
import { runCommand } from './run.ts';
import { ingestCommand } from './ingest.ts';
import { simulateCommand } from './simulate.ts';
import { splitCommand } from './split.ts';
import { graphsCommand } from './graphs.ts';
import { trainCommand } from './train.ts';
import { predictCommand } from './predict.ts';
import { evaluateCommand } from './evaluate.ts';

/** Every subcommand, in pipeline order. Stage issues add theirs here. */
export const commands: Command[] = [runCommand, initCommand, ingestCommand, simulateCommand, splitCommand, graphsCommand, trainCommand, predictCommand, evaluateCommand];
