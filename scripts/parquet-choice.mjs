// Measures the project's Parquet adapter (hyparquet + hyparquet-writer) against parquetjs-lite,
// the library the design first named, on a predictions-shaped table (long form: condition,
// gene, four doubles). parquetjs-lite is not a dependency: install it anywhere and point to it,
//   mkdir /tmp/pq && (cd /tmp/pq && npm i parquetjs-lite@0.8.7)
//   PARQUETJS_DIR=/tmp/pq/node_modules/parquetjs-lite node --import tsx scripts/parquet-choice.mjs [rows]
// Prints one JSON line per library: write and read wall seconds, process CPU seconds, file bytes.
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir, loadavg, cpus } from 'node:os';
import { join } from 'node:path';
import { ParquetTableWriter, readParquetColumns, BI_ROW_GROUP_ROWS } from '@gears-pipeline/core';

const rows = Number(process.argv[2] ?? 500_000);
const G = 2000;
const dir = mkdtempSync(join(tmpdir(), 'pq-choice-'));
const genes = Array.from({ length: G }, (_, g) => `GENE${g}`);
const value = (i, k) => Math.sin(i * 0.37 + k) * 3;

function timed(fn) {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  return Promise.resolve(fn()).then((r) => {
    const cpu = process.cpuUsage(c0);
    return { r, wall: (performance.now() - t0) / 1000, cpu: (cpu.user + cpu.system) / 1e6 };
  });
}

const results = [];
{
  const path = join(dir, 'hyparquet.parquet');
  const w = await timed(() => {
    const cols = [
      { name: 'condition', type: 'STRING', dictionary: true },
      { name: 'gene', type: 'STRING', dictionary: true },
      ...['predicted_mean', 'predicted_delta', 'observed_mean', 'observed_delta'].map((name) => ({ name, type: 'DOUBLE', nullable: true })),
    ];
    const t = new ParquetTableWriter(path, cols, { rowGroupRows: BI_ROW_GROUP_ROWS });
    for (let start = 0; start < rows; start += G) {
      const n = Math.min(G, rows - start);
      const batch = { condition: new Array(n).fill(`C${start / G}+ctrl`), gene: genes.slice(0, n) };
      ['predicted_mean', 'predicted_delta', 'observed_mean', 'observed_delta'].forEach((c, k) => (batch[c] = Float64Array.from({ length: n }, (_, i) => value(start + i, k))));
      t.write(batch);
    }
    t.close();
  });
  const r = await timed(() => readParquetColumns(path));
  results.push({ library: 'hyparquet-writer 0.17 / hyparquet (core adapter)', rows, writeSeconds: w.wall, writeCpu: w.cpu, readSeconds: r.wall, readCpu: r.cpu, bytes: statSync(path).size });
}
if (process.env.PARQUETJS_DIR) {
  const parquet = createRequire(import.meta.url)(process.env.PARQUETJS_DIR);
  const path = join(dir, 'parquetjs.parquet');
  const schema = new parquet.ParquetSchema({
    condition: { type: 'UTF8' },
    gene: { type: 'UTF8' },
    predicted_mean: { type: 'DOUBLE', optional: true },
    predicted_delta: { type: 'DOUBLE', optional: true },
    observed_mean: { type: 'DOUBLE', optional: true },
    observed_delta: { type: 'DOUBLE', optional: true },
  });
  const w = await timed(async () => {
    const writer = await parquet.ParquetWriter.openFile(schema, path, { rowGroupSize: BI_ROW_GROUP_ROWS });
    for (let i = 0; i < rows; i++) {
      await writer.appendRow({ condition: `C${Math.floor(i / G)}+ctrl`, gene: genes[i % G], predicted_mean: value(i, 0), predicted_delta: value(i, 1), observed_mean: value(i, 2), observed_delta: value(i, 3) });
    }
    await writer.close();
  });
  const r = await timed(async () => {
    const reader = await parquet.ParquetReader.openFile(path);
    const cursor = reader.getCursor();
    let n = 0;
    while (await cursor.next()) n++;
    await reader.close();
    return n;
  });
  results.push({ library: 'parquetjs-lite 0.8.7', rows, writeSeconds: w.wall, writeCpu: w.cpu, readSeconds: r.wall, readCpu: r.cpu, bytes: statSync(path).size });
}
for (const r of results) console.log(JSON.stringify({ ...r, machine: `${cpus().length} × ${cpus()[0].model}`, loadavg: loadavg()[0] }));
rmSync(dir, { recursive: true, force: true });
