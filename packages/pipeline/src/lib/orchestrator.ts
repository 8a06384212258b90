/**
 * Runs pipeline stages in order as one RxJS stream of stage events. Each stage is skipped when
 * its key (code version + settings + content of every file it reads, earlier stages' outputs by
 * the hashes their manifests record; see stage-cache.ts) matches the one recorded after its last
 * successful run and its outputs are intact. The key is computed from what is on disk when the
 * stage's turn comes, whether or not the earlier stages ran in this process, so `gears run`,
 * `gears <stage>` and Nx targets share one rule. A stage that reruns but writes identical outputs
 * does not force the stages after it to rerun.
 */
import { concatMap, defer, from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { mkdirSync } from 'node:fs';
import { PACKAGE_VERSION, type Logger } from '@gears-pipeline/core';
import { markStageDone, stageIsCurrent, stageKey } from './stage-cache.ts';
import { cleanStaleTemporaries, lockRunDirectory } from './run-dir.ts';

export interface StageDefinition<C = unknown> {
  name: string;
  /** the stage's output directory */
  dir: string;
  /** the settings this stage's outputs depend on (no output locations) */
  config: C;
  /** role → path of everything the stage reads: input data, tables, earlier stages' output directories or files */
  inputs: Record<string, string>;
  /** does the work; the result is passed on in the stage's event */
  run(log: Logger): Promise<unknown>;
}

export interface StageEvent {
  stage: string;
  status: 'skipped' | 'ran';
  seconds: number;
  dir: string;
  /** what the stage's run returned (ran only) */
  result?: unknown;
}

export interface OrchestratorOptions {
  force?: boolean;
  log: Logger;
  /** the run directory to lock and clean of stale temporaries (none: neither) */
  runDir?: string;
  /** wait for another process's lock on the run directory instead of failing */
  wait?: boolean;
  /** the code version in every key (default: the package version) */
  version?: string;
}

/** The stage events of one pipeline run, as a cold Observable: nothing runs until subscribed. */
export function pipelineRun$(stages: readonly StageDefinition[], opts: OrchestratorOptions): Observable<StageEvent> {
  const version = opts.version ?? PACKAGE_VERSION;
  return from(stages).pipe(
    concatMap((stage) =>
      defer(async (): Promise<StageEvent> => {
        const keyInputs = { config: stage.config, inputs: stage.inputs };
        const key = await stageKey(stage.name, keyInputs, version);
        const t0 = performance.now();
        if (!opts.force && (await stageIsCurrent(stage.dir, key))) {
          opts.log.info('stage skipped (unchanged)', { stage: stage.name, dir: stage.dir });
          return { stage: stage.name, status: 'skipped', seconds: 0, dir: stage.dir };
        }
        // The old key stays while the stage runs: a failed run leaves the previous outputs in place
        // (every output is written atomically), and stageIsCurrent checks their hashes against the
        // manifest, so an output a failed run did replace is detected next time. No directory is
        // made before the stage succeeds, so a refused input leaves nothing behind.
        opts.log.info('stage started', { stage: stage.name, dir: stage.dir });
        const result = await stage.run(opts.log);
        mkdirSync(stage.dir, { recursive: true });
        markStageDone(stage.dir, stage.name, key, keyInputs, version);
        const seconds = (performance.now() - t0) / 1000;
        opts.log.info('stage finished', { stage: stage.name, seconds: Number(seconds.toFixed(2)) });
        return { stage: stage.name, status: 'ran', seconds, dir: stage.dir, result };
      }),
    ),
  );
}

/** Runs the stages in order (holding the run directory's lock when `runDir` is given). */
export async function runPipeline(stages: readonly StageDefinition[], opts: OrchestratorOptions): Promise<StageEvent[]> {
  const release = opts.runDir ? await lockRunDirectory(opts.runDir, { wait: opts.wait, log: opts.log }) : undefined;
  try {
    if (opts.runDir) cleanStaleTemporaries(opts.runDir, opts.log);
    return await lastValueFrom(pipelineRun$(stages, opts).pipe(toArray()));
  } finally {
    release?.();
  }
}
