/**
 * The one per-host throttle every request goes through. It enforces, together:
 * - at most `concurrencyPerHost` requests in flight to a host and `concurrencyTotal` overall;
 * - a minimum gap between the starts of consecutive requests to one host of
 *   `max(delayMs, Crawl-delay, AutoThrottle delay) × (1 + jitter · random)`;
 * - pauses asked for by a host (Retry-After, 429, 503), which slow that host only.
 * Waiters on one host are served first in, first out; when a slot frees, it goes to the host
 * that may start soonest (ties to the longest waiter), so one busy host cannot starve others.
 * All time comes from the injected clock and sleep, so tests drive it with a fake clock.
 */
import type { Clock, Sleep } from '../ports';
import type { PolitenessSpec } from '../spec/model';

/** The ceiling of the AutoThrottle delay, as Scrapy's AUTOTHROTTLE_MAX_DELAY. */
export const MAX_AUTO_THROTTLE_DELAY_MS = 60_000;

/** Dependencies of {@link HostThrottle}. */
export interface HostThrottleOptions {
  clock: Clock;
  sleep: Sleep;
  /** Uniform in [0, 1); draws the jitter of each gap. */
  random: () => number;
  politeness: PolitenessSpec;
}

/** What the throttle currently believes about a host, for logs, stats and tests. */
export interface HostThrottleState {
  inFlight: number;
  queued: number;
  /** The base gap now in force: max(delay, Crawl-delay, AutoThrottle). */
  delayMs: number;
  crawlDelayMs: number;
  autoThrottleDelayMs: number;
  pausedUntilMs: number;
  pauseReason?: string;
  lastStartMs?: number;
}

interface Waiter {
  seq: number;
  resolve: (release: () => void) => void;
  reject: (error: Error) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

interface HostEntry {
  queue: Waiter[];
  inFlight: number;
  lastStartMs?: number;
  /** The random draw for the gap after `lastStartMs`, taken when that request started. */
  jitterDraw: number;
  crawlDelayMs: number;
  autoDelayMs: number;
  pausedUntilMs: number;
  pauseReason?: string;
}

/** The error an aborted `acquire` rejects with. */
function abortError(host: string): Error {
  const error = new Error(`waiting for a slot on ${host} was cancelled`);
  error.name = 'AbortError';
  return error;
}

/** Per-host and total concurrency, start-to-start gaps and pauses; see the module comment. */
export class HostThrottle {
  private readonly hosts = new Map<string, HostEntry>();
  private totalInFlight = 0;
  private sequence = 0;
  private wakeUp: { at: number; controller: AbortController } | undefined;
  private readonly perHost: number;
  private readonly total: number;

  constructor(private readonly options: HostThrottleOptions) {
    this.perHost = Math.max(1, Math.floor(options.politeness.concurrencyPerHost));
    this.total = Math.max(1, Math.floor(options.politeness.concurrencyTotal));
  }

  /**
   * Waits for a slot on `host` and resolves with its release function, which must be called
   * exactly once when the request is over (later calls do nothing). Rejects with an AbortError
   * when `signal` aborts while waiting.
   */
  acquire(host: string, signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(abortError(host));
    const entry = this.entry(host);
    return new Promise<() => void>((resolve, reject) => {
      const waiter: Waiter = { seq: this.sequence++, resolve, reject, signal };
      if (signal) {
        waiter.onAbort = () => {
          const index = entry.queue.indexOf(waiter);
          if (index >= 0) entry.queue.splice(index, 1);
          reject(abortError(host));
          this.pump();
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      entry.queue.push(waiter);
      this.pump();
    });
  }

  /**
   * Tells the throttle that a request to `host` really went out at `atMs` (clock time), later
   * than its slot was granted: connection set-up or a busy event loop can delay it. The next
   * gap on the host then counts from this moment, so the server never sees two requests closer
   * together than the delay. Earlier times are ignored.
   */
  confirmStart(host: string, atMs: number): void {
    const entry = this.entry(host);
    if (entry.lastStartMs === undefined || atMs > entry.lastStartMs) entry.lastStartMs = atMs;
    this.pump();
  }

  /** Sets the host's robots.txt Crawl-delay, a floor under every other delay. */
  setCrawlDelay(host: string, ms: number): void {
    this.entry(host).crawlDelayMs = Number.isFinite(ms) ? Math.max(0, ms) : 0;
  }

  /**
   * Starts nothing on `host` before `untilMs` (clock time). A later pause extends an earlier one;
   * an earlier one never shortens it. Other hosts keep their own pace.
   */
  pauseHost(host: string, untilMs: number, reason: string): void {
    const entry = this.entry(host);
    if (untilMs > entry.pausedUntilMs) {
      entry.pausedUntilMs = untilMs;
      entry.pauseReason = reason;
    }
    this.pump();
  }

  /**
   * Feeds AutoThrottle one response (when `politeness.autoThrottle` is on). The target delay is
   * latency ÷ per-host concurrency, smoothed by averaging with the current delay. Errors can only
   * push the delay up: 429 and 503 double it (the server is asking us to back off), other 5xx
   * keep the larger of current and smoothed. It never drops below `delayMs`.
   */
  observe(host: string, observation: { latencyMs: number; status?: number }): void {
    if (!this.options.politeness.autoThrottle) return;
    const entry = this.entry(host);
    const latency = Number.isFinite(observation.latencyMs) ? Math.max(0, observation.latencyMs) : 0;
    const target = latency / this.perHost;
    const current = entry.autoDelayMs;
    const smoothed = (current + target) / 2;
    const status = observation.status;
    let next: number;
    if (status === 429 || status === 503) next = Math.max(current * 2, smoothed, this.options.politeness.delayMs);
    else if (status !== undefined && status >= 500) next = Math.max(current, smoothed);
    else next = smoothed;
    entry.autoDelayMs = Math.max(this.options.politeness.delayMs, Math.min(MAX_AUTO_THROTTLE_DELAY_MS, next));
  }

  /** A snapshot of one host's state. */
  state(host: string): HostThrottleState {
    const entry = this.entry(host);
    return {
      inFlight: entry.inFlight,
      queued: entry.queue.length,
      delayMs: this.baseDelay(entry),
      crawlDelayMs: entry.crawlDelayMs,
      autoThrottleDelayMs: entry.autoDelayMs,
      pausedUntilMs: entry.pausedUntilMs,
      pauseReason: entry.pauseReason,
      lastStartMs: entry.lastStartMs,
    };
  }

  /** Requests in flight over all hosts. */
  get inFlight(): number {
    return this.totalInFlight;
  }

  private entry(host: string): HostEntry {
    const key = host.toLowerCase();
    let entry = this.hosts.get(key);
    if (!entry) {
      entry = {
        queue: [],
        inFlight: 0,
        jitterDraw: 0,
        crawlDelayMs: 0,
        autoDelayMs: Math.max(0, this.options.politeness.delayMs),
        pausedUntilMs: Number.NEGATIVE_INFINITY,
      };
      this.hosts.set(key, entry);
    }
    return entry;
  }

  private baseDelay(entry: HostEntry): number {
    const politeness = this.options.politeness;
    return Math.max(0, politeness.delayMs, entry.crawlDelayMs, politeness.autoThrottle ? entry.autoDelayMs : 0);
  }

  /** The earliest clock time at which the host's next request may start. */
  private readyAt(entry: HostEntry): number {
    if (entry.lastStartMs === undefined) return entry.pausedUntilMs;
    const jitter = Math.min(1, Math.max(0, this.options.politeness.jitter));
    const gap = this.baseDelay(entry) * (1 + jitter * entry.jitterDraw);
    return Math.max(entry.pausedUntilMs, entry.lastStartMs + gap);
  }

  /**
   * Grants every slot that may start now, then arranges one wake-up for the soonest future
   * start. Called on acquire, release, pause and abort; releases re-run it, so no slot is lost.
   */
  private pump(): void {
    // Each pass grants one slot or returns, and slots are bounded by `total`; the guard only
    // protects against a bug turning this into an endless loop.
    for (let guard = 0; guard <= this.total + 1; guard++) {
      if (this.totalInFlight >= this.total) return;
      const now = this.options.clock.now();
      let best: { entry: HostEntry; readyAt: number; seq: number } | undefined;
      for (const entry of this.hosts.values()) {
        const head = entry.queue[0];
        if (!head || entry.inFlight >= this.perHost) continue;
        const readyAt = this.readyAt(entry);
        if (!best || readyAt < best.readyAt || (readyAt === best.readyAt && head.seq < best.seq)) {
          best = { entry, readyAt, seq: head.seq };
        }
      }
      if (!best) return;
      if (best.readyAt > now) {
        this.scheduleWakeUp(best.readyAt, now);
        return;
      }
      this.grant(best.entry, now);
    }
  }

  private grant(entry: HostEntry, now: number): void {
    const waiter = entry.queue.shift();
    if (!waiter) return;
    if (waiter.signal && waiter.onAbort) waiter.signal.removeEventListener('abort', waiter.onAbort);
    entry.inFlight++;
    this.totalInFlight++;
    entry.lastStartMs = now;
    entry.jitterDraw = Math.min(1, Math.max(0, this.options.random()));
    let released = false;
    waiter.resolve(() => {
      if (released) return;
      released = true;
      entry.inFlight--;
      this.totalInFlight--;
      this.pump();
    });
  }

  /** Keeps exactly one pending wake-up, at the soonest time anything may start. */
  private scheduleWakeUp(at: number, now: number): void {
    if (this.wakeUp && this.wakeUp.at <= at) return;
    this.wakeUp?.controller.abort();
    const wakeUp = { at, controller: new AbortController() };
    this.wakeUp = wakeUp;
    this.options.sleep(Math.max(0, at - now), wakeUp.controller.signal).then(
      () => {
        if (this.wakeUp !== wakeUp) return;
        this.wakeUp = undefined;
        this.pump();
      },
      () => {
        // Normally aborted because a sooner wake-up replaced this one, which will pump. If the
        // sleep failed on its own, pump anyway so that no waiter is stranded.
        if (this.wakeUp !== wakeUp) return;
        this.wakeUp = undefined;
        this.pump();
      },
    );
  }
}
