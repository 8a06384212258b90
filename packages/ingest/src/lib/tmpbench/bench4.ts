import { openParquetSource } from '../parquet-source.ts';
const cpu = () => { const u = process.cpuUsage(); return (u.user + u.system) / 1e6; };
for (let rep = 0; rep < 3; rep++) {
  const src = await openParquetSource('/tmp/ingestspeed/ds6');
  const t = cpu(); let n = 0;
  for await (const b of src.blocks(2048)) n += b.values.length;
  console.log('read all blocks', (cpu() - t).toFixed(3), n);
}
