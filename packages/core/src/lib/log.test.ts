import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from './log.ts';

function sink(isTTY: boolean) {
  const chunks: string[] = [];
  return { stream: { isTTY, write: (s: string) => (chunks.push(s), true) } as unknown as NodeJS.WritableStream & { isTTY?: boolean }, chunks };
}

test('on a terminal: a progress bar with k/N, the detail (loss) and an ETA, redrawn under log lines', async () => {
  const { stream, chunks } = sink(true);
  const log = createLogger({ stream });
  log.progress('train', 0, 4, 'epochs');
  await new Promise((r) => setTimeout(r, 150));
  log.progress('train', 1, 4, 'epochs', { loss: 0.123456 });
  const barLine = chunks.at(-1)!;
  assert.match(barLine, /^\r\x1b\[Ktrain \[######\.{18}\] 1\/4 epochs loss=0\.1235 .* eta \d+s$/);
  log.info('epoch', { epoch: 1 });
  assert.ok(chunks.at(-1)!.endsWith(barLine), 'the unfinished bar is redrawn after a log line');
  await new Promise((r) => setTimeout(r, 120));
  log.progress('train', 4, 4, 'epochs', { loss: 0.1 });
  assert.match(chunks.at(-1)!, /4\/4 epochs loss=0\.1000 .*\n$/);
  log.info('done');
  assert.ok(chunks.at(-1)!.endsWith('done\n'), 'a finished bar is not redrawn');
});

test('otherwise: one JSON object per progress event, with the detail and an ETA in seconds', () => {
  const { stream, chunks } = sink(false);
  const log = createLogger({ stream });
  log.progress('train', 0, 3, 'epochs');
  log.progress('train', 3, 3, 'epochs', { loss: 0.5 });
  const events = chunks.map((c) => JSON.parse(c));
  assert.equal(events.length, 2);
  assert.deepEqual([events[1].event, events[1].task, events[1].done, events[1].total, events[1].loss, events[1].eta_seconds], ['progress', 'train', 3, 3, 0.5, 0]);
});
