// Measures the input readers whose cost the ingest README quotes (run: node --import tsx
// packages/ingest/scripts/measure-readers.ts). Prints wall and CPU time per case; noisy on a shared
// machine, so compare the ratios within one run.
//  1. tables: the RFC 4180 reader (csv.ts) vs a plain line split (the old reader, which could not
//     read quoted line breaks) on the bundled Norman pseudobulk table;
//  2. 10x MTX: ingest of one matrix written in cell order, in gene order (sorted in memory) and in
//     gene order with a small budget (external sort on disk).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { silentLogger } from '@gears-pipeline/core';
import { readCsv } from '../src/lib/csv.ts';
import { openBytes } from '../src/lib/text.ts';
import { runIngest } from '../src/index.ts';

const repo = resolve(import.meta.dirname, '../../..');

async function time<T>(label: string, f: () => Promise<T>): Promise<T> {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = await f();
  const cpu = process.cpuUsage(c0);
  console.log(`${label.padEnd(48)} wall ${((performance.now() - t0) / 1000).toFixed(3)} s  cpu ${((cpu.user + cpu.system) / 1e6).toFixed(3)} s`);
  return r;
}

const table = join(repo, 'data/norman2019-pseudobulk/lfc.tsv.gz');
for (let rep = 0; rep < 3; rep++) {
  await time(`table: line split (old) rep ${rep}`, async () => {
    let n = 0;
    for await (const line of createInterface({ input: openBytes(table), crlfDelay: Infinity })) n += line.split('\t').length;
    return n;
  });
  await time(`table: RFC 4180 reader (csv.ts) rep ${rep}`, async () => {
    let n = 0;
    for await (const r of readCsv(table)) n += r.fields.length;
    return n;
  });
}

// a 10x matrix: 4,000 cells × 2,000 genes, ≈ 10% non-zero
const dir = mkdtempSync(join(tmpdir(), 'gears-measure-mtx-'));
const nCells = 4000;
const nGenes = 2000;
let seed = 7;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
const entries: Array<[number, number, number]> = [];
for (let c = 0; c < nCells; c++) for (let g = 0; g < nGenes; g++) if (rand() < 0.1) entries.push([g + 1, c + 1, 1 + Math.floor(rand() * 5)]);
const write = (name: string, list: Array<[number, number, number]>) => {
  const d = join(dir, name);
  mkdirSync(d);
  writeFileSync(join(d, 'matrix.mtx'), `%%MatrixMarket matrix coordinate integer general\n${nGenes} ${nCells} ${list.length}\n${list.map((e) => e.join(' ')).join('\n')}\n`);
  writeFileSync(join(d, 'features.tsv'), Array.from({ length: nGenes }, (_, g) => `E${g}\tG${g}\n`).join(''));
  writeFileSync(join(d, 'barcodes.tsv'), Array.from({ length: nCells }, (_, c) => `c${c}\n`).join(''));
  writeFileSync(join(d, 'cell_metadata.tsv'), 'barcode\tcondition\n' + Array.from({ length: nCells }, (_, c) => `c${c}\t${c % 4 === 0 ? 'ctrl' : `G${c % 7}`}`).join('\n') + '\n');
  return d;
};
const byCell = write('by-cell', entries);
const byGene = write('by-gene', [...entries].sort((a, b) => a[0] - b[0] || a[1] - b[1]));
console.log(`MTX: ${nCells} cells × ${nGenes} genes, ${entries.length} entries`);
for (let rep = 0; rep < 2; rep++) {
  await time(`mtx ingest: cell order (streamed) rep ${rep}`, () => runIngest({ input: byCell, outDir: join(dir, 'o1') }, silentLogger));
  await time(`mtx ingest: gene order, in memory rep ${rep}`, () => runIngest({ input: byGene, outDir: join(dir, 'o2') }, silentLogger));
  await time(`mtx ingest: gene order, external sort (8 MB) rep ${rep}`, () => runIngest({ input: byGene, outDir: join(dir, 'o3'), mtxSortBudget: 8 << 20 }, silentLogger));
}
rmSync(dir, { recursive: true, force: true });
