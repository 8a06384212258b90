import { openH5adSource } from '../h5ad/reader.ts';
import { planCells } from '../conditions.ts';
import { cellChunks } from '../chunks.ts';
import { MomentAccumulator } from '../stats/moments.ts';
import { MomentAccumulator as Acc8 } from './moments_grouped.ts';
import { MomentAccumulator as OldAcc } from './moments_old.ts';
const src = await openH5adSource('/tmp/ingestspeed/sim/perturbseq.h5ad');
const plan = planCells(src, {} as never, { info() {}, warn() {}, progress() {}, error() {} } as never);
const limited = { ...src, blocks: async function* (n: number) { let i = 0; for await (const b of src.blocks(n)) { if (i++ >= 15) return; yield b; } } };
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const names = plan.conditions.map((c) => c.name);
const chunks = [];
for await (const c of cellChunks(limited as never, plan, { normalize: 'counts' })) chunks.push(c);
for (let rep = 0; rep < 4; rep++) {
  const r: string[] = []; const accs: any[] = [];
  for (const [label, A] of [['5 arrays', OldAcc], ['grouped', Acc8]] as const) {
    const acc = new A(names, 5000);
    accs.push(acc);
    const t = cpu(); for (const c of chunks) acc.add(c); r.push(`${label} ${(cpu() - t).toFixed(3)}`);
  }
  const a = accs[0].result(), b = accs[1].result(); let same = true; for (const k of ['mean','m2','m3','m4','nonzero']) for (let i = 0; i < a[k].length; i++) if (!Object.is(a[k][i], b[k][i])) same = false;
  console.log(r.join('  '), 'identical', same);
}
