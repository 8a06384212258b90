/**
 * Writes cells.parquet on a worker thread, and accumulates the per-(condition, gene) moments
 * there too, so Parquet encoding and the statistics run beside reading, validating and
 * normalising on the main thread (the two halves cost about the same: node --cpu-prof). At most `MAX_IN_FLIGHT` chunks wait for the writer (memory stays
 * bounded); the chunk's buffers are transferred, not copied.
 */
import { Worker } from 'node:worker_threads';
import type { CellChunk } from '@gears-pipeline/core';
import type { Moments } from './stats/moments.ts';

/** What the cells writer accumulates moments over: the MomentAccumulator's arguments. */
export interface MomentSpec {
  conditions: string[];
  nGenes: number;
  shift: Float64Array;
  /** accumulate only the conditions with only[c] = 1 (the caller accumulates the others); all when absent */
  only?: Uint8Array;
}

export const MAX_IN_FLIGHT = 2;

export class ThreadedCellsWriter {
  private readonly worker: Worker;
  private inFlight = 0;
  private failure: Error | undefined;
  private waiters: Array<() => void> = [];
  private closed: Promise<number>;
  private resolveClosed!: (rows: number) => void;
  private accumulated: Moments | undefined;
  private rejectClosed!: (e: Error) => void;

  constructor(dir: string, moments?: MomentSpec) {
    // from src/ a .mjs entry registers tsx first; the built dist/ runs the compiled body directly
    this.worker = new Worker(new URL(import.meta.url.endsWith('.ts') ? './cells-worker.mjs' : './cells-worker-body.js', import.meta.url), { workerData: { dir, moments } });
    this.closed = new Promise((res, rej) => {
      this.resolveClosed = res;
      this.rejectClosed = rej;
    });
    this.closed.catch(() => {});
    this.worker.on('message', (m: { type: string; rows?: number; message?: string; moments?: Moments }) => {
      if (m.type === 'ack') {
        this.inFlight--;
        this.wake();
      } else if (m.type === 'closed') {
        this.accumulated = m.moments;
        this.resolveClosed(m.rows ?? 0);
      } else if (m.type === 'error') {
        this.fail(new Error(`writing cells.parquet failed: ${m.message}`));
      }
    });
    this.worker.on('error', (e) => this.fail(e));
    this.worker.on('exit', (code) => {
      if (code !== 0) this.fail(new Error(`cells.parquet writer thread exited with code ${code}`));
    });
  }

  private fail(e: Error): void {
    this.failure ??= e;
    this.rejectClosed(e);
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Queues a chunk (its typed arrays are transferred: do not use the chunk afterwards). */
  async write(chunk: CellChunk): Promise<void> {
    while (this.inFlight >= MAX_IN_FLIGHT && !this.failure) await new Promise<void>((r) => this.waiters.push(r));
    if (this.failure) throw this.failure;
    this.inFlight++;
    const transfer = [chunk.indptr.buffer, chunk.indices.buffer, chunk.values.buffer, ...(chunk.librarySize ? [chunk.librarySize.buffer] : [])] as ArrayBuffer[];
    this.worker.postMessage({ type: 'chunk', chunk }, transfer);
  }

  /** Waits for every chunk, closes the file (rename into place); returns the row count. */
  async close(): Promise<number> {
    this.worker.postMessage({ type: 'close' });
    try {
      return await this.closed;
    } finally {
      await this.worker.terminate();
    }
  }

  /** After close(): the moments of every chunk written (when constructed with a MomentSpec). */
  moments(): Moments | undefined {
    return this.accumulated;
  }

  async abort(): Promise<void> {
    if (!this.failure) this.worker.postMessage({ type: 'abort' });
    await Promise.race([this.closed.catch(() => 0), new Promise((r) => setTimeout(r, 5000))]);
    await this.worker.terminate();
  }
}
