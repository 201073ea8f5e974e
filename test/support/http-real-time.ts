/** Real Clock and Sleep ports, for integration tests that measure politeness in real time. */
import { performance } from 'node:perf_hooks';
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock, Sleep } from '../../language-server/src/engine/ports';

/**
 * Epoch milliseconds that never go backwards and have sub-millisecond resolution: Date.now()
 * truncates to whole milliseconds (a measured gap could read 100 ms and be 99.01 ms) and follows
 * clock adjustments, neither of which a test of spacing wants.
 */
export const realClock: Clock = { now: () => performance.timeOrigin + performance.now() };

/** A real timer; rejects with an AbortError when the signal aborts. */
export const realSleep: Sleep = async (ms, signal) => {
  await delay(Math.max(0, ms), undefined, { signal });
};
