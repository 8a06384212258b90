import { openParquetSource } from '../parquet-source.ts';
import { planCells } from '../conditions.ts';
import { cellChunks } from '../chunks.ts';
const src = await openParquetSource('/tmp/ingestspeed/ds6');
const plan = planCells(src, {} as never, { info() {}, warn() {}, progress() {}, error() {} } as never);
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
const blocks: any[] = [];
let t = cpu();
for await (const b of src.blocks(2048)) { blocks.push(b); if (blocks.length >= 15) break; }
console.log('read 15 blocks', (cpu() - t).toFixed(3));
for (let rep = 0; rep < 4; rep++) {
  const copies = blocks.map((b) => ({ ...b, indptr: b.indptr.slice(), indices: b.indices.slice(), values: b.values.slice() }));
  const fake = { ...src, blocks: async function* () { yield* copies; } };
  t = cpu(); let v = 0;
  for await (const c of cellChunks(fake as never, plan, { normalize: 'none' })) v += c.values.length;
  console.log('toChunk none', (cpu() - t).toFixed(3), v);
  const copies2 = blocks.map((b) => ({ ...b, indptr: b.indptr.slice(), indices: b.indices.slice(), values: b.values.map((x: number) => Math.round(Math.expm1(x))) }));
  const fake2 = { ...src, blocks: async function* () { yield* copies2; } };
  t = cpu(); v = 0;
  for await (const c of cellChunks(fake2 as never, plan, { normalize: 'counts' })) v += c.values.length;
  console.log('toChunk counts', (cpu() - t).toFixed(3), v);
}
