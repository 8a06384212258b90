/** Body of the cells.parquet writer thread: receives chunks, writes them, acknowledges each. */
import { parentPort, workerData } from 'node:worker_threads';
import { CellsWriter } from './output.ts';

const port = parentPort!;
const writer = new CellsWriter(workerData.dir as string);
port.on('message', (m: { type: string; chunk?: never }) => {
  try {
    if (m.type === 'chunk') {
      writer.write(m.chunk!);
      port.postMessage({ type: 'ack' });
    } else if (m.type === 'close') {
      writer.close();
      port.postMessage({ type: 'closed', rows: writer.rowCount });
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
