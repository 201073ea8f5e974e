/**
 * When to try a request again, and how long to wait first (RFC 9110 9.2.2, 10.2.3, 15.5.9,
 * 15.6.4): only idempotent methods, only on network errors, timeouts and 408/429/500/502/503/504;
 * capped exponential backoff with full jitter; a server's Retry-After replaces the backoff.
 * Pure functions: the caller supplies the time and the random source.
 */
import type { HttpFailureKind, HttpMethod } from '../ports';
import type { PolitenessSpec } from '../spec/model';

/** Statuses worth another try: the server says "later", not "never". */
const RETRYABLE_STATUSES = new Set([408, 429, 500, 502, 503, 504]);

/**
 * How many Retry-After waits one URL may honour without charging the retry budget. Beyond
 * this, a server that keeps saying "later" is charged like any failure, so it cannot keep a
 * fetch looping forever.
 */
export const MAX_HONOURED_RETRY_AFTERS = 10;

/** True for the statuses that may be retried: 408, 429, 500, 502, 503, 504. */
export function isRetryableStatus(status: number): boolean {
  return RETRYABLE_STATUSES.has(status);
}

/** True for the methods that are safe to send twice (of those the engine sends). */
export function isIdempotentMethod(method: string): boolean {
  const upper = method.toUpperCase();
  return upper === 'GET' || upper === 'HEAD';
}

const HTTP_DATE_START = /^(mon|tue|wed|thu|fri|sat|sun)[a-z]*,?\s/i;

/**
 * A Retry-After header in milliseconds from `nowMs`: delta-seconds (`120`) or an HTTP-date
 * (`Wed, 21 Oct 2015 07:28:00 GMT`). A date in the past or a negative number gives 0. Anything
 * unparseable gives undefined, so the caller falls back to its own backoff.
 */
export function parseRetryAfter(value: string | undefined, nowMs: number): number | undefined {
  if (value === undefined) return undefined;
  const text = value.trim();
  if (/^-?\d+$/.test(text)) {
    const seconds = Number(text);
    if (!Number.isFinite(seconds)) return undefined;
    return Math.max(0, seconds * 1000);
  }
  // Date.parse accepts far more than HTTP-dates ("1.5" is a date to V8), so insist on the
  // day-name that all three HTTP-date forms (IMF-fixdate, RFC 850, asctime) start with.
  if (!HTTP_DATE_START.test(text)) return undefined;
  // HTTP-dates are always GMT; asctime carries no zone and Date.parse would read it as local.
  const at = Date.parse(/\b(GMT|UTC|UT)\b|[+-]\d{4}$/i.test(text) ? text : `${text} GMT`);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** What happened on the last attempt, as far as retrying cares. */
export interface RetryOutcome {
  status?: number;
  failure?: HttpFailureKind;
  /** The parsed Retry-After of the response, if it had one. */
  retryAfterMs?: number;
}

/** The inputs of {@link retryDecision}. */
export interface RetryInput {
  method: HttpMethod | string;
  outcome: RetryOutcome;
  /** Retries already charged to the budget for this URL. */
  attempt: number;
  /** Retry-After waits already honoured for this URL without charging the budget (default 0). */
  honouredRetryAfters?: number;
  policy: PolitenessSpec['retries'];
  /** Uniform in [0, 1). */
  random: () => number;
}

/**
 * What to do next. `retry` with `honouredRetryAfter: true` means the wait came from the server's
 * Retry-After and the caller must count it in `honouredRetryAfters`, not in `attempt`;
 * `stop-host` means the server asked for a longer pause than the spec allows.
 */
export type RetryDecision =
  | { action: 'retry'; delayMs: number; honouredRetryAfter: boolean; reason: string }
  | { action: 'give-up'; reason: string }
  | { action: 'stop-host'; reason: string };

/** Capped exponential backoff with full jitter: uniform in [0, min(cap, base·2^attempt)). */
export function backoffDelay(attempt: number, policy: PolitenessSpec['retries'], random: () => number): number {
  const exponential = policy.backoffMs * 2 ** Math.min(Math.max(0, attempt), 30);
  const ceiling = Math.min(policy.maxBackoffMs, exponential);
  return Math.floor(clampUnit(random()) * ceiling);
}

/** Decides whether to retry after one failed attempt; see {@link RetryDecision}. */
export function retryDecision(input: RetryInput): RetryDecision {
  const { outcome, policy } = input;
  const what = describeOutcome(outcome);
  const retryable =
    outcome.failure !== undefined
      ? outcome.failure === 'network' || outcome.failure === 'timeout'
      : outcome.status !== undefined && isRetryableStatus(outcome.status);
  if (!retryable) return { action: 'give-up', reason: `${what} is not retried` };
  if (!isIdempotentMethod(input.method)) {
    return { action: 'give-up', reason: `${what}; ${input.method.toUpperCase()} is not idempotent, so it is not retried` };
  }
  if (policy.max <= 0) return { action: 'give-up', reason: `${what}; retries are off (retries.max is 0)` };

  const retryAfter = outcome.retryAfterMs;
  if (retryAfter !== undefined) {
    if (retryAfter > policy.retryAfterCapMs) {
      return {
        action: 'stop-host',
        reason: `${what} with Retry-After ${formatMs(retryAfter)}, longer than the ${formatMs(policy.retryAfterCapMs)} the spec allows (politeness.retries.retry_after_cap); stopping this host`,
      };
    }
    const honoured = input.honouredRetryAfters ?? 0;
    if (honoured < MAX_HONOURED_RETRY_AFTERS) {
      return { action: 'retry', delayMs: retryAfter, honouredRetryAfter: true, reason: `${what}; waiting ${formatMs(retryAfter)} as Retry-After asks` };
    }
    // The free Retry-After waits are used up: still wait as asked, but charge the budget.
    if (input.attempt >= policy.max) {
      return { action: 'give-up', reason: `${what}; the server asked to retry later ${honoured} times and all ${policy.max} retries are used` };
    }
    return { action: 'retry', delayMs: retryAfter, honouredRetryAfter: false, reason: `${what}; waiting ${formatMs(retryAfter)} as Retry-After asks (charged to the retry budget)` };
  }

  if (input.attempt >= policy.max) return { action: 'give-up', reason: `${what}; gave up after ${policy.max} ${policy.max === 1 ? 'retry' : 'retries'}` };
  const delayMs = backoffDelay(input.attempt, policy, input.random);
  return { action: 'retry', delayMs, honouredRetryAfter: false, reason: `${what}; retry ${input.attempt + 1} of ${policy.max} after ${formatMs(delayMs)}` };
}

function describeOutcome(outcome: RetryOutcome): string {
  if (outcome.failure !== undefined) return `${outcome.failure} failure`;
  if (outcome.status !== undefined) return `status ${outcome.status}`;
  return 'unknown outcome';
}

function clampUnit(value: number): number {
  if (!Number.isFinite(value) || value < 0) return 0;
  return value >= 1 ? 0.999999 : value;
}

/** "1.5 s", "250 ms", "2 min" — for reasons a user reads. */
export function formatMs(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 120_000) return `${Math.round(ms / 100) / 10} s`;
  return `${Math.round(ms / 6000) / 10} min`;
}
