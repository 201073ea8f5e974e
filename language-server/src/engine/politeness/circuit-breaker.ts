/**
 * A circuit breaker per host: a host that keeps failing (network errors, timeouts, 5xx after
 * retries) is paused for a cool-down instead of being hammered, and after repeated pauses it is
 * abandoned for the rest of the run with a reason the user can read. Any success closes it again.
 */
import type { Clock } from '../ports';
import { formatMs } from './retry';

/** Settings of {@link CircuitBreaker}. */
export interface CircuitBreakerOptions {
  clock: Clock;
  /** Consecutive failures that trip the breaker (default 5). */
  failureThreshold?: number;
  /** How long a tripped host is paused (default 60 s). */
  coolDownMs?: number;
  /** Pauses a host may take; the next trip abandons it (default 3). */
  maxPauses?: number;
}

/** The breaker's view of one host. */
export type BreakerState =
  | { state: 'closed' }
  | { state: 'paused'; untilMs: number; reason: string }
  | { state: 'abandoned'; reason: string };

interface HostRecord {
  consecutiveFailures: number;
  pauses: number;
  pausedUntilMs: number;
  reason?: string;
  abandoned: boolean;
}

/** Counts consecutive failures per host; see the module comment. */
export class CircuitBreaker {
  private readonly hosts = new Map<string, HostRecord>();
  private readonly failureThreshold: number;
  private readonly coolDownMs: number;
  private readonly maxPauses: number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.failureThreshold = Math.max(1, options.failureThreshold ?? 5);
    this.coolDownMs = Math.max(0, options.coolDownMs ?? 60_000);
    this.maxPauses = Math.max(0, options.maxPauses ?? 3);
  }

  /** Where the host stands now: closed, paused until a time, or abandoned. */
  check(host: string): BreakerState {
    const record = this.hosts.get(host.toLowerCase());
    if (!record) return { state: 'closed' };
    if (record.abandoned) return { state: 'abandoned', reason: record.reason ?? 'host abandoned' };
    if (record.pausedUntilMs > this.options.clock.now()) {
      return { state: 'paused', untilMs: record.pausedUntilMs, reason: record.reason ?? 'host paused' };
    }
    return { state: 'closed' };
  }

  /** A response that was not a server error: the host works, so forget its failures and pauses. */
  recordSuccess(host: string): void {
    const record = this.hosts.get(host.toLowerCase());
    if (!record || record.abandoned) return;
    record.consecutiveFailures = 0;
    record.pauses = 0;
    record.pausedUntilMs = 0;
    record.reason = undefined;
  }

  /**
   * One final failure (after retries). Returns the new state: the failure that reaches the
   * threshold pauses the host for the cool-down, and the trip after `maxPauses` pauses abandons it.
   */
  recordFailure(host: string, what: string): BreakerState {
    const record = this.record(host);
    if (record.abandoned) return this.check(host);
    record.consecutiveFailures++;
    if (record.consecutiveFailures < this.failureThreshold) return this.check(host);
    record.consecutiveFailures = 0;
    if (record.pauses >= this.maxPauses) {
      record.abandoned = true;
      record.reason = `abandoned ${host} after ${this.failureThreshold} consecutive failures ${record.pauses + 1} times (last: ${what})`;
      return this.check(host);
    }
    record.pauses++;
    record.pausedUntilMs = this.options.clock.now() + this.coolDownMs;
    record.reason = `paused ${host} for ${formatMs(this.coolDownMs)} after ${this.failureThreshold} consecutive failures (last: ${what}); pause ${record.pauses} of ${this.maxPauses}`;
    return this.check(host);
  }

  /** Stops a host for the rest of the run (e.g. it asked for a longer Retry-After than allowed). */
  abandon(host: string, reason: string): void {
    const record = this.record(host);
    record.abandoned = true;
    record.reason = reason;
  }

  private record(host: string): HostRecord {
    const key = host.toLowerCase();
    let record = this.hosts.get(key);
    if (!record) {
      record = { consecutiveFailures: 0, pauses: 0, pausedUntilMs: 0, abandoned: false };
      this.hosts.set(key, record);
    }
    return record;
  }
}
