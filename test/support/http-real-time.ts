/** Real Clock and Sleep ports, for integration tests that measure politeness in real time. */
import { setTimeout as delay } from 'node:timers/promises';
import type { Clock, Sleep } from '../../language-server/src/engine/ports';

/** The wall clock. */
export const realClock: Clock = { now: () => Date.now() };

/** A real timer; rejects with an AbortError when the signal aborts. */
export const realSleep: Sleep = async (ms, signal) => {
  await delay(Math.max(0, ms), undefined, { signal });
};
