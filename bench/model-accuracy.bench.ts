/**
 * GEARS accuracy on the bundled reference synthetic data set (data/reference-synth/synth_raw.h5ad,
 * seed-1 simulation split, the synthetic gene2go): test top-20 DE MSE and Pearson delta per
 * subgroup, for both objectives (moments, cells) with reference defaults, next to the no-change
 * baseline. Runs ingest → split → graphs in a temporary workspace.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { conditionGeneLists, CONTROL } from '@gears-pipeline/core';
import { runIngest } from '@gears-pipeline/ingest';
import { runGraphs, runSplit } from '@gears-pipeline/graphs';
import { pearsonOrZero as pearson } from '@gears-pipeline/evaluate';
import { loadTrainInputs, predictDeltas, trainGears, type ObjectiveName } from '@gears-pipeline/model';

export const name = 'model-accuracy';

export async function run(): Promise<Record<string, unknown>> {
  const root = resolve(import.meta.dirname, '..');
  const ws = mkdtempSync(join(tmpdir(), 'gears-acc-'));
  const gene2go = join(root, 'data/reference-synth/gene2go.tsv');
  try {
    await runIngest({ input: join(root, 'data/reference-synth/synth_raw.h5ad'), outDir: join(ws, 'dataset') });
    await runSplit({ workspace: ws, gene2go, split: 'simulation', seed: 1 });
    await runGraphs({ workspace: ws, gene2go });
    const data = await loadTrainInputs({ dataset: join(ws, 'dataset'), split: join(ws, 'split/split.parquet'), graphs: join(ws, 'graphs') });
    const s = data.stats;
    const G = s.genes.length;
    const ctrl = s.mean.subarray(s.controlIndex * G, (s.controlIndex + 1) * G);
    const test = data.split.filter((a) => a.split === 'test' && a.condition !== CONTROL);
    const row = new Map(s.conditions.map((c, i) => [c.name, i]));
    const score = (deltaOf: (condition: string) => ArrayLike<number>) => {
      const bySub: Record<string, { mseDe: number[]; pearsonDelta: number[] }> = {};
      for (const a of test) {
        const c = row.get(a.condition);
        if (c === undefined) continue;
        const d = deltaOf(a.condition);
        if (!d) continue;
        const truth = Float64Array.from({ length: G }, (_, g) => s.mean[c * G + g] - ctrl[g]);
        const de = conditionGeneLists(s, c).topDe20;
        const mseDe = de.reduce((acc, g) => acc + (d[g] - truth[g]) ** 2, 0) / de.length;
        (bySub[a.subgroup] ??= { mseDe: [], pearsonDelta: [] }).mseDe.push(mseDe);
        bySub[a.subgroup].pearsonDelta.push(pearson(d, truth));
      }
      const mean = (x: number[]) => Number((x.reduce((p, q) => p + q, 0) / x.length).toFixed(4));
      return Object.fromEntries(Object.entries(bySub).sort().map(([k, v]) => [k, { n: v.mseDe.length, mseDe: mean(v.mseDe), pearsonDelta: mean(v.pearsonDelta) }]));
    };
    const out: Record<string, unknown> = { testConditions: test.length, noChange: score(() => new Float32Array(G)) };
    for (const objective of ['moments', 'cells'] as ObjectiveName[]) {
      const r = await trainGears({ objective, seed: 1 }, data);
      const idx = new Map(data.pertVocabulary.map((g, i) => [g, i]));
      const deltas = new Map<string, Float32Array>();
      const conds = test.map((a) => a.condition).filter((c) => r.conditions.test.includes(c));
      predictDeltas(r.model, conds.map((c) => c.split('+').filter((g) => g !== CONTROL).map((g) => idx.get(g)!))).forEach((d, i) => deltas.set(conds[i], d));
      out[objective] = { bestEpoch: r.bestEpoch, epochs: r.history.length, seconds: Number(r.seconds.toFixed(1)), bySubgroup: score((c) => deltas.get(c)!) };
    }
    return out;
  } finally {
    rmSync(ws, { recursive: true, force: true });
  }
}
