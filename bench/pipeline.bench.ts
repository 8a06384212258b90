/**
 * The whole pipeline at Norman scale (issue 6): `gears simulate --preset norman` (5,000 genes,
 * ≈ 280 conditions of which 130 doubles, 90,000 cells, raw counts), then every stage as its own
 * `gears run --run.stages <stage>` process, so each stage's wall time and peak RSS are its own.
 * `BENCH_PIPELINE_CELLS`, `BENCH_PIPELINE_GENES` and `BENCH_PIPELINE_EPOCHS` shrink it.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const gears = resolve(import.meta.dirname, '..', 'packages', 'pipeline', 'bin', 'gears.js');
const STAGES = ['ingest', 'split', 'graphs', 'train', 'predict', 'evaluate'] as const;

function events(stderr: string): Array<Record<string, unknown>> {
  return stderr.split('\n').filter((l) => l.startsWith('{')).flatMap((l) => {
    try {
      return [JSON.parse(l)];
    } catch {
      return [];
    }
  });
}

function runGears(args: string[]): { seconds: number; peakRssMiB: number; events: Array<Record<string, unknown>> } {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [gears, ...args, '--json'], { encoding: 'utf8', maxBuffer: 512 * 1024 * 1024 });
  const seconds = (performance.now() - t0) / 1000;
  if (r.status !== 0) throw new Error(`gears ${args.join(' ')} failed (exit ${r.status}): ${r.stderr.slice(-1500)}`);
  const ev = events(r.stderr);
  const fin = ev.filter((e) => e.event === 'command finished').pop() ?? {};
  return { seconds: Number(seconds.toFixed(2)), peakRssMiB: Number(fin.peakRssMiB ?? NaN), events: ev };
}

export async function run(): Promise<Record<string, unknown>> {
  const cells = Number(process.env.BENCH_PIPELINE_CELLS ?? 90_000);
  const genes = Number(process.env.BENCH_PIPELINE_GENES ?? 5_000);
  const epochs = Number(process.env.BENCH_PIPELINE_EPOCHS ?? 20);
  const dir = mkdtempSync(join(tmpdir(), 'gears-bench-pipeline-'));
  try {
    const sim = runGears(['simulate', '--preset', 'norman', '--cells', String(cells), '--genes', String(genes), '--out', join(dir, 'sim'), '--format', 'h5ad']);
    const config = {
      run: { out: join(dir, 'out') },
      ingest: { input: join(dir, 'sim', 'perturbseq.h5ad'), obsFilter: [] },
      graphs: { goTable: join(dir, 'sim', 'gene2go.tsv') },
      train: { epochs },
    };
    const cfg = join(dir, 'gears.config.json');
    writeFileSync(cfg, JSON.stringify(config, null, 2));
    const stages: Record<string, unknown> = {};
    for (const s of STAGES) {
      const r = runGears(['run', '--config', cfg, '--run.stages', s]);
      const extra: Record<string, unknown> = {};
      if (s === 'ingest') extra.cellsPerSecond = Math.round(cells / r.seconds);
      if (s === 'train') {
        const ep = r.events.filter((e) => e.event === 'epoch');
        extra.epochs = ep.length;
        extra.secondsPerEpoch = ep.length ? Number((ep.reduce((a, e) => a + Number(e.seconds), 0) / ep.length).toFixed(2)) : undefined;
        extra.backend = r.events.find((e) => e.event === 'train_start')?.backend;
      }
      stages[s] = { seconds: r.seconds, peakRssMiB: r.peakRssMiB, ...extra };
    }
    const summary = runGears(['run', '--config', cfg]);
    void summary;
    return {
      data: { cells, genes, preset: 'norman' },
      simulate: { seconds: sim.seconds, peakRssMiB: sim.peakRssMiB },
      stages,
      pipelineSeconds: Number(Object.values(stages).reduce((a: number, s) => a + Number((s as { seconds: number }).seconds), 0).toFixed(1)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
