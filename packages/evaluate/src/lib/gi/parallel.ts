/**
 * The GI analysis spread over worker threads: each fit (Theil–Sen on up to 1e5 gene pairs plus
 * four O(n²) distance correlations) is independent, and at Norman scale (≈ 100 combinations ×
 * 6 score sets × ~3,000 genes) they dominate the stage's time. Results are identical to the
 * in-thread analysis (same seeded subsampling per fit). Falls back to the current thread for
 * small jobs, one thread, or when a worker cannot start.
 */
import os from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Logger } from '@gears-pipeline/core';
import { assembleGeneticInteractions, distinctJobs, planGeneticInteractions, spreadScores, type GiAnalysis, type GiAnalysisArgs, type GiJob } from './analysis.ts';
import { giScores, type GiScores } from './scores.ts';

/** Below this many fits, worker start-up costs more than it saves. */
export const MIN_PARALLEL_GI_FITS = 12;
/**
 * Fits queued per worker: a worker always has the next fit in its queue, so it keeps fitting
 * while this thread is busy elsewhere (runEvaluate reads the cells meanwhile) instead of idling
 * until this thread gets round to handing out the next one.
 */
const JOBS_IN_FLIGHT = 4;

export function defaultGiThreads(): number {
  return Math.max(1, Math.min(8, os.availableParallelism?.() ?? os.cpus().length));
}

export async function analyseGeneticInteractionsParallel(args: GiAnalysisArgs & { threads?: number; log?: Logger }): Promise<GiAnalysis> {
  const plan = planGeneticInteractions(args);
  const { unique, slot } = distinctJobs(plan.jobs);
  const inThread = () => unique.map((j) => giScores(j.deltaA, j.deltaB, j.deltaAB, args.theilSen));
  const threads = Math.min(args.threads ?? defaultGiThreads(), unique.length);
  if (threads <= 1 || unique.length < MIN_PARALLEL_GI_FITS) return assembleGeneticInteractions(plan, spreadScores(slot, inThread()));
  try {
    const scores = await runInWorkers(unique, threads, args.theilSen);
    return assembleGeneticInteractions(plan, spreadScores(slot, scores));
  } catch (e) {
    args.log?.warn('evaluate.gi_workers_failed', { error: (e as Error).message, fallback: 'single thread' });
    return assembleGeneticInteractions(plan, spreadScores(slot, inThread()));
  }
}

function runInWorkers(jobs: readonly GiJob[], threads: number, theilSen: GiAnalysisArgs['theilSen']): Promise<GiScores[]> {
  return new Promise((resolve, reject) => {
    const scores = new Array<GiScores>(jobs.length);
    let next = 0;
    let done = 0;
    let failed = false;
    const workers: Worker[] = [];
    const finish = (err?: Error) => {
      for (const w of workers) void w.terminate();
      if (err) reject(err);
      else resolve(scores);
    };
    const feed = (w: Worker) => {
      if (next >= jobs.length) return;
      const id = next++;
      const j = jobs[id];
      w.postMessage({ id, deltaA: j.deltaA, deltaB: j.deltaB, deltaAB: j.deltaAB, theilSen });
    };
    for (let t = 0; t < threads; t++) {
      // from src/ a .mjs entry registers tsx first; the built dist/ runs the compiled body directly
      const w = new Worker(new URL(import.meta.url.endsWith('.ts') ? './worker.mjs' : './worker-impl.js', import.meta.url));
      workers.push(w);
      w.on('message', (m: { id: number; scores: GiScores }) => {
        if (failed) return;
        scores[m.id] = m.scores;
        done++;
        if (done === jobs.length) finish();
        else feed(w);
      });
      w.on('error', (e) => {
        if (failed) return;
        failed = true;
        finish(e);
      });
      for (let k = 0; k < JOBS_IN_FLIGHT; k++) feed(w);
    }
  });
}
