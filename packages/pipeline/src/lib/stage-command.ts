/**
 * How `gears <stage>` runs its stage: through the orchestrator, like `gears run`, so it takes the
 * run directory's lock (the stage directory's parent), removes stale temporaries, and writes the
 * same `pipeline-key.json` a later `gears run` compares.
 */
import { dirname } from 'node:path';
import type { Logger } from '@gears-pipeline/core';
import { runPipeline, type StageDefinition, type StageEvent } from './orchestrator.ts';

/** `--wait`, shared by every stage command and `gears run` */
export const WAIT_OPTION = { wait: { type: 'boolean' } } as const;
export const WAIT_USAGE = '  --wait                   if another gears process uses the output directory, wait for it (default: exit 1)';

export interface StageCommandOptions {
  /** run even when the stage is current (else skipped) */
  force: boolean;
  wait?: boolean;
  log: Logger;
}

export async function runStageCommand(stage: StageDefinition, opts: StageCommandOptions): Promise<StageEvent> {
  const [event] = await runPipeline([stage], { force: opts.force, wait: opts.wait, runDir: dirname(stage.dir), log: opts.log });
  return event;
}
