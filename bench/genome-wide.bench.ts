/**
 * Genome-wide screen on one machine (issue 13, target: the whole pipeline within 1 h and 8 GiB
 * peak on 2 cores): `gears simulate --preset genome-wide` (shaped like Replogle et al. 2022
 * genome-wide K562: 8,000 genes, 8,000 singles + 2,000 doubles, 1,000,000 cells, raw counts), then
 * every stage as its own `gears run --run.stages <stage>` process, so each stage's wall time, CPU
 * time and peak RSS are its own. Not part of CI (`npm run bench -- genome-wide`).
 *
 * `BENCH_GW_SCALE` (default 1) scales cells and perturbations, never genes (so per-condition costs
 * stay genome-wide); `BENCH_GW_EPOCHS` (default 20) sets the training epochs. A scaled run reports
 * `extrapolated`, a linear extrapolation stated as such, not a measurement: a stage's start-up
 * (taken as the split stage's whole time) stays, the rest is divided by the scale; training is
 * (seconds per optimiser step) × (steps of one pass over the full training set, ≥ the steps
 * measured) × 20 epochs; graphs gets a range: as measured (the GO graph depends on the genes only)
 * up to the whole stage ÷ scale (if the co-expression pass, ∝ cells, were all of it).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const name = 'genome-wide';

const gears = resolve(import.meta.dirname, '..', 'packages', 'pipeline', 'bin', 'gears.js');
const STAGES = ['ingest', 'split', 'graphs', 'train', 'predict', 'evaluate'] as const;
const FULL = { cells: 1_000_000, singles: 8000, doubles: 2000, genes: 8000, epochs: 20 };
const TARGET = { seconds: 3600, peakRssMiB: 8192 };
/** stages whose work does not grow with cells or conditions (extrapolated as measured) */
const FIXED_STAGES = new Set(['split']);

interface Run {
  seconds: number;
  cpuSeconds: number;
  peakRssMiB: number;
  events: Array<Record<string, unknown>>;
}

function runGears(args: string[], dir: string): Run {
  const timeFile = join(dir, 'time.txt');
  const t0 = performance.now();
  // /usr/bin/time for the child's CPU time (user + system) and peak RSS
  const r = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', '%U %S %M', process.execPath, gears, ...args, '--json'], { encoding: 'utf8', maxBuffer: 1024 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`gears ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.slice(-1500)}`);
  const [user, sys, maxKiB] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
  const events = r.stderr.split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
  return { seconds: Number(seconds.toFixed(2)), cpuSeconds: Number((user + sys).toFixed(2)), peakRssMiB: Math.round(maxKiB / 1024), events };
}

export async function run(): Promise<Record<string, unknown>> {
  const scale = Number(process.env.BENCH_GW_SCALE ?? 1);
  const epochs = Number(process.env.BENCH_GW_EPOCHS ?? FULL.epochs);
  const cells = Math.round(FULL.cells * scale);
  const singles = Math.round(FULL.singles * scale);
  const doubles = Math.round(FULL.doubles * scale);
  const dir = mkdtempSync(join(tmpdir(), 'gears-bench-genome-wide-'));
  try {
    const load = [loadavg()[0]];
    const sim = runGears(['simulate', '--preset', 'genome-wide', '--cells', String(cells), '--singles', String(singles), '--doubles', String(doubles), '--out', join(dir, 'sim'), '--format', 'h5ad'], dir);
    const config = {
      run: { out: join(dir, 'out') },
      ingest: { input: join(dir, 'sim', 'perturbseq.h5ad'), obsFilter: [] },
      graphs: { goTable: join(dir, 'sim', 'gene2go.tsv') },
      train: { epochs },
    };
    const cfg = join(dir, 'gears.config.json');
    writeFileSync(cfg, JSON.stringify(config, null, 2));
    const stages: Record<string, Record<string, unknown>> = {};
    const extrapolated: Record<string, number | [number, number]> = {};
    let startup = 0;
    for (const s of STAGES) {
      const r = runGears(['run', '--config', cfg, '--run.stages', s], dir);
      load.push(loadavg()[0]);
      const extra: Record<string, unknown> = {};
      if (s === 'split') startup = r.seconds;
      if (s === 'ingest') extra.cellsPerSecond = Math.round(cells / r.seconds);
      if (s === 'train') {
        const ep = r.events.filter((e) => e.event === 'epoch');
        const start = r.events.find((e) => e.event === 'train_start') ?? {};
        const steps = ep.reduce((a, e) => a + Number(e.steps), 0);
        const epochSeconds = ep.reduce((a, e) => a + Number(e.seconds), 0);
        extra.epochs = ep.length;
        extra.steps = steps;
        extra.trainConditions = start.train;
        extra.secondsPerEpoch = ep.length ? Number((epochSeconds / ep.length).toFixed(2)) : undefined;
        extra.secondsPerStep = steps ? Number((epochSeconds / steps).toFixed(3)) : undefined;
        extra.backend = start.backend;
        if (steps && ep.length) {
          const fullSteps = Math.max(steps / ep.length, Math.ceil(Number(start.train) / scale / Number(start.batchSize)));
          extrapolated[s] = Math.round(r.seconds - epochSeconds + (epochSeconds / steps) * fullSteps * FULL.epochs);
        }
      } else if (s === 'graphs') {
        extrapolated[s] = [Math.round(r.seconds), Math.round(startup + (r.seconds - startup) / scale)];
      } else if (FIXED_STAGES.has(s)) {
        extrapolated[s] = Math.round(r.seconds);
      } else {
        // ingest runs before split: its start-up is taken as the split stage's whole time afterwards
        extrapolated[s] = NaN;
      }
      stages[s] = { seconds: r.seconds, cpuSeconds: r.cpuSeconds, peakRssMiB: r.peakRssMiB, ...extra };
    }
    for (const s of ['ingest', 'predict', 'evaluate']) extrapolated[s] = Math.round(startup + (Number(stages[s].seconds) - startup) / scale);
    const pipelineSeconds = Number(Object.values(stages).reduce((a, s) => a + Number(s.seconds), 0).toFixed(1));
    const stagesPeakRssMiB = Math.max(...Object.values(stages).map((s) => Number(s.peakRssMiB)));
    const conditions = 1 + singles + doubles;
    return {
      data: { preset: 'genome-wide', scale, cells, genes: FULL.genes, singles, doubles, conditions, epochs },
      simulate: { seconds: sim.seconds, cpuSeconds: sim.cpuSeconds, peakRssMiB: sim.peakRssMiB },
      stages,
      pipelineSeconds,
      stagesPeakRssMiB,
      loadAverage1mPerStage: load.map((l) => Number(l.toFixed(2))),
      target: TARGET,
      ...(scale !== 1 || epochs !== FULL.epochs
        ? {
            extrapolated: {
              note: `linear extrapolation from scale ${scale} and ${epochs} epoch(s) to 1,000,000 cells, 10,000 perturbations, ${FULL.epochs} epochs: not a measurement`,
              stageSeconds: extrapolated,
              pipelineSeconds: Object.values(extrapolated).reduce((a: number, b) => a + (Array.isArray(b) ? b[0] : b), 0),
              pipelineSecondsUpper: Object.values(extrapolated).reduce((a: number, b) => a + (Array.isArray(b) ? b[1] : b), 0),
              // the per-(condition, gene) statistics are dense float64 [conditions × genes] arrays
              denseStatsArrayGiB: Number(((FULL.singles + FULL.doubles + 1) * FULL.genes * 8 / 2 ** 30).toFixed(2)),
            },
          }
        : {}),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
