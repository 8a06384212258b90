/** Runs GI fits sent by `analyseGeneticInteractionsParallel` and posts the scores back. */
import { parentPort } from 'node:worker_threads';
import { giScores } from './scores.ts';
import type { TheilSenOptions } from './theil-sen.ts';

interface Request {
  id: number;
  deltaA: Float64Array;
  deltaB: Float64Array;
  deltaAB: Float64Array;
  theilSen?: TheilSenOptions;
}

parentPort!.on('message', (m: Request) => {
  parentPort!.postMessage({ id: m.id, scores: giScores(m.deltaA, m.deltaB, m.deltaAB, m.theilSen) });
});
