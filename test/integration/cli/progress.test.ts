// The CLI's progress line: what it shows, and that it draws only on a terminal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, ProgressBar, progressLine } from '../../../language-server/src/cli/progress';
import type { ProgressEvent } from '../../../language-server/src/engine/index';

const p: ProgressEvent = { type: 'progress', pages: 10, records: 9, failed: 1, skipped: 2, errors: 1, retries: 3, rate: 2.5, pending: 30, etaMs: 12_000 };

void test('the progress line shows pages, records, rate, errors, retries and ETA', () => {
  assert.equal(progressLine(p, 8), '[##------] 10 pages, 9 records, 1 failed, 2.5 p/s, 1 errors, 3 retries eta 12s');
  assert.equal(formatDuration(125_000), '2m05s');
  assert.equal(formatDuration(3_725_000), '1h02m');
});

void test('the bar draws on a TTY only, throttled, and clears itself', () => {
  const writes: string[] = [];
  let now = 0;
  const tty = { isTTY: true, columns: 200, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
  const bar = new ProgressBar(tty, () => now);
  now = 1000;
  bar.update(p);
  bar.update(p); // within 100 ms: skipped
  now = 1200;
  bar.update({ ...p, pages: 11 });
  bar.clear();
  assert.equal(writes.length, 3);
  assert.match(writes[1], /11 pages/);
  assert.equal(writes[2], '\r\x1b[K');
  const pipe = { isTTY: false, write: (s: string) => writes.push(s) } as unknown as NodeJS.WriteStream;
  const quiet = new ProgressBar(pipe, () => 5000);
  quiet.update(p);
  quiet.clear();
  assert.equal(writes.length, 3);
});
