/**
 * A tiny deterministic scheduler for politeness tests: a Clock whose time moves only when the
 * test says so, and a Sleep whose timers fire in time order (ties in creation order) as the
 * clock is advanced. Between timers every pending promise continuation is allowed to run, so
 * code under test sees exactly the times it would see in real life, without real waiting.
 */
import type { Clock, Sleep } from '../../language-server/src/engine/ports';

interface Timer {
  at: number;
  seq: number;
  resolve: () => void;
}

/** Fake time plus the timers waiting on it. */
export class FakeClock implements Clock {
  private current: number;
  private sequence = 0;
  private timers: Timer[] = [];

  constructor(startMs = 0) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  /** The Sleep port over this clock; rejects with an AbortError when the signal aborts. */
  readonly sleep: Sleep = (ms, signal) =>
    new Promise<void>((resolve, reject) => {
      const abortError = (): Error => Object.assign(new Error('sleep aborted'), { name: 'AbortError' });
      if (signal?.aborted) return reject(abortError());
      const timer: Timer = { at: this.current + Math.max(0, ms), seq: this.sequence++, resolve };
      const onAbort = (): void => {
        this.timers = this.timers.filter((t) => t !== timer);
        reject(abortError());
      };
      timer.resolve = () => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.timers.push(timer);
    });

  /** Timers not yet fired. */
  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Lets every queued promise continuation run (a macrotask turn drains the microtask queue). */
  async settle(): Promise<void> {
    for (let i = 0; i < 5; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  }

  /** Fires the earliest timer, moving time to it. False when no timer is pending. */
  async step(): Promise<boolean> {
    await this.settle();
    if (this.timers.length === 0) return false;
    this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
    const timer = this.timers.shift() as Timer;
    this.current = Math.max(this.current, timer.at);
    timer.resolve();
    await this.settle();
    return true;
  }

  /** Fires timers until none is pending; fails after `maxSteps` so a livelock cannot hang a test. */
  async runAll(maxSteps = 10_000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) if (!(await this.step())) return;
    throw new Error(`FakeClock.runAll: still busy after ${maxSteps} timers`);
  }

  /** Fires the timers due up to `now + ms`, then sets the time to exactly that. */
  async advance(ms: number, maxSteps = 10_000): Promise<void> {
    const target = this.current + ms;
    for (let i = 0; i < maxSteps; i++) {
      await this.settle();
      this.timers.sort((a, b) => a.at - b.at || a.seq - b.seq);
      const next = this.timers[0];
      if (!next || next.at > target) {
        this.current = target;
        await this.settle();
        return;
      }
      await this.step();
    }
    throw new Error(`FakeClock.advance: still busy after ${maxSteps} timers`);
  }

  /** Fires timers until `done()` holds; fails if timers run out or `maxSteps` pass first. */
  async runUntil(done: () => boolean, maxSteps = 10_000): Promise<void> {
    for (let i = 0; i < maxSteps; i++) {
      await this.settle();
      if (done()) return;
      if (!(await this.step())) {
        if (done()) return;
        throw new Error('FakeClock.runUntil: no timers left and the condition does not hold');
      }
    }
    throw new Error(`FakeClock.runUntil: condition still false after ${maxSteps} timers`);
  }
}

/** A seeded pseudo-random source (mulberry32), so jitter is reproducible in tests. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
