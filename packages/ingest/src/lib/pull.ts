/**
 * RxJS with backpressure for the cell stream. `from(asyncIterable)` lets a slow consumer fall
 * behind while the source keeps reading (DESIGN §7). Here the source awaits each chunk's delivery:
 * `subscriber.next` runs the synchronous part of the pipeline (map, scan, tap, a statistics
 * accumulator) before the next chunk is read, so at most one chunk is in flight. An asynchronous
 * consumer should use the AsyncIterable form (or `concatMap` over this Observable, which queues).
 */
import { Observable } from 'rxjs';

/** An Observable that reads the next item only after the previous one was handed to the subscriber. */
export function pullObservable<T>(source: () => AsyncIterable<T>): Observable<T> {
  return new Observable<T>((subscriber) => {
    let stopped = false;
    const it = source()[Symbol.asyncIterator]();
    (async () => {
      try {
        while (!stopped) {
          const r = await it.next();
          if (r.done || stopped) break;
          subscriber.next(r.value);
        }
        if (!stopped) subscriber.complete();
      } catch (e) {
        if (!stopped) subscriber.error(e);
      } finally {
        if (stopped) await it.return?.();
      }
    })();
    return () => {
      stopped = true;
    };
  });
}
