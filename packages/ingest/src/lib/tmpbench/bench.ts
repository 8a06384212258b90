import { openH5adSource } from '../h5ad/reader.ts';
import { planCells } from '../conditions.ts';
import { cellChunks } from '../chunks.ts';
import { cellChunks as cellChunksOld } from './chunks_old.ts';
import { MomentAccumulator } from '../stats/moments.ts';
import { MomentAccumulator as OldAcc } from './moments_old.ts';
const src = await openH5adSource('/tmp/ingestspeed/sim/perturbseq.h5ad');
const plan = planCells(src, {} as never, { info() {}, warn() {}, progress() {}, error() {} } as never);
const limited = { ...src, blocks: async function* (n: number) { let i = 0; for await (const b of src.blocks(n)) { if (i++ >= 15) return; yield b; } } };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const names = plan.conditions.map((c) => c.name);
for (let rep = 0; rep < 3; rep++) {
  for (const [label, fn] of [['old', cellChunksOld], ['new', cellChunks]] as const) {
    let t = cpu(); const chunks = [];
    for await (const c of fn(limited as never, plan, { normalize: 'counts' })) chunks.push(c);
    const tc = cpu() - t;
    const accNew = new MomentAccumulator(names, 5000); const accOld = new OldAcc(names, 5000);
    t = cpu(); for (const c of chunks) accOld.add(c); const to = cpu() - t;
    t = cpu(); for (const c of chunks) accNew.add(c); const tn = cpu() - t;
    console.log(label, 'chunks', tc.toFixed(3), 'moments old', to.toFixed(3), 'new', tn.toFixed(3), 'values', chunks.reduce((a, c) => a + c.values.length, 0));
  }
}
