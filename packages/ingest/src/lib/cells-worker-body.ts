/**
 * Body of the cells.parquet writer thread: receives chunks, adds them to the moments (when asked),
 * writes them, acknowledges each; on close posts the row count and the moments back.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MomentSpec } from './cells-writer.ts';
import { CellsWriter } from './output.ts';
import { MomentAccumulator } from './stats/moments.ts';

const port = parentPort!;
const writer = new CellsWriter(workerData.dir as string);
const spec = workerData.moments as MomentSpec | undefined;
const acc = spec ? new MomentAccumulator(spec.conditions, spec.nGenes, spec.shift, spec.only) : undefined;
port.on('message', (m: { type: string; chunk?: never }) => {
  try {
    if (m.type === 'chunk') {
      acc?.add(m.chunk!);
      writer.write(m.chunk!);
      port.postMessage({ type: 'ack' });
    } else if (m.type === 'close') {
      writer.close();
      const moments = acc?.result();
      const transfer = moments ? [moments.n, moments.mean, moments.m2, moments.m3, moments.m4, moments.nonzero].map((a) => a.buffer) : [];
      port.postMessage({ type: 'closed', rows: writer.rowCount, moments }, transfer as ArrayBuffer[]);
    } else if (m.type === 'abort') {
      writer.abort();
      port.postMessage({ type: 'closed', rows: 0 });
    }
  } catch (e) {
    writer.abort();
    port.postMessage({ type: 'error', message: (e as Error).message });
  }
});
port.postMessage({ type: 'ready' });
