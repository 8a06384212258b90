/**
 * Runs pipeline stages in order as one RxJS stream of stage events. Each stage is skipped when
 * its key (config + input file contents + the content hashes of the upstream outputs it reads)
 * matches the one recorded after its last successful run and its outputs are intact. A stage
 * that reruns but writes identical outputs therefore does not force the stages after it to rerun.
 */
import { concatMap, defer, from, lastValueFrom, toArray, type Observable } from 'rxjs';
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { readManifest, sha256Json, type Logger } from '@gears-pipeline/core';
import { invalidateStage, markStageDone, stageIsCurrent, stageKey } from './stage-cache.ts';

export interface StageDefinition<C = unknown> {
  name: string;
  /** the stage's output directory */
  dir: string;
  /** the part of the config this stage depends on */
  config: C;
  /** input files outside the pipeline's own outputs (data, GO table, split file) */
  files: string[];
  /** names of earlier stages whose outputs this stage reads */
  upstream: string[];
  run(log: Logger): Promise<void>;
}

export interface StageEvent {
  stage: string;
  status: 'skipped' | 'ran';
  seconds: number;
  dir: string;
}

export interface OrchestratorOptions {
  force?: boolean;
  log: Logger;
}

/** The stage events of one pipeline run, as a cold Observable: nothing runs until subscribed. */
export function pipelineRun$(stages: readonly StageDefinition[], opts: OrchestratorOptions): Observable<StageEvent> {
  const keys = new Map<string, string>();
  return from(stages).pipe(
    concatMap((stage) =>
      defer(async (): Promise<StageEvent> => {
        const upstreamKeys = stage.upstream.map((u) => keys.get(u) ?? `external:${u}`);
        const key = await stageKey(stage.name, { config: stage.config, files: stage.files, upstream: upstreamKeys });
        const t0 = performance.now();
        if (!opts.force && (await stageIsCurrent(stage.dir, key))) {
          keys.set(stage.name, outputIdentity(stage.dir));
          opts.log.info('stage skipped (unchanged)', { stage: stage.name, dir: stage.dir });
          return { stage: stage.name, status: 'skipped', seconds: 0, dir: stage.dir };
        }
        mkdirSync(stage.dir, { recursive: true });
        invalidateStage(stage.dir);
        removeStaleTemporaries(stage.dir);
        opts.log.info('stage started', { stage: stage.name, dir: stage.dir });
        await stage.run(opts.log);
        markStageDone(stage.dir, stage.name, key);
        keys.set(stage.name, outputIdentity(stage.dir));
        const seconds = (performance.now() - t0) / 1000;
        opts.log.info('stage finished', { stage: stage.name, seconds: Number(seconds.toFixed(2)) });
        return { stage: stage.name, status: 'ran', seconds, dir: stage.dir };
      }),
    ),
  );
}

export function runPipeline(stages: readonly StageDefinition[], opts: OrchestratorOptions): Promise<StageEvent[]> {
  return lastValueFrom(pipelineRun$(stages, opts).pipe(toArray()));
}

/** What downstream stages depend on: the content hashes of the outputs a stage's manifest lists. */
function outputIdentity(dir: string): string {
  const m = readManifest(dir);
  return sha256Json(m?.outputs ?? { missing: dir });
}

/** Temporary files of a killed earlier run (never under a final name) are removed before rerunning. */
function removeStaleTemporaries(dir: string): void {
  for (const f of readdirSync(dir, { recursive: true }) as string[]) {
    if (f.endsWith('.tmp')) rmSync(join(dir, f), { force: true, recursive: true });
  }
}
