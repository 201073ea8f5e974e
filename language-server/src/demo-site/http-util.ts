/**
 * Small HTTP helpers for the demo site: validators (ETag / Last-Modified) and the conditional
 * request rules of RFC 9110 §13, and a sliding-window rate limiter. Node built-ins only.
 */
import { createHash } from 'node:crypto';

/** A strong entity tag for a body: the same bytes always give the same tag. */
export function entityTag(body: string | Buffer): string {
  return `"${createHash('sha1').update(body).digest('base64url')}"`;
}

/**
 * Whether a GET/HEAD may be answered 304. RFC 9110 §13.2.2: when `If-None-Match` is present,
 * `If-Modified-Since` is ignored. `If-None-Match` uses the weak comparison, so `W/"x"` matches `"x"`.
 */
export function isNotModified(headers: { ifNoneMatch?: string; ifModifiedSince?: string }, etag: string, lastModified: Date): boolean {
  if (headers.ifNoneMatch !== undefined) {
    const tags = headers.ifNoneMatch.split(',').map((t) => t.trim()).filter((t) => t.length > 0);
    const opaque = (t: string): string => (t.startsWith('W/') ? t.slice(2) : t);
    return tags.some((t) => t === '*' || opaque(t) === opaque(etag));
  }
  if (headers.ifModifiedSince !== undefined) {
    const since = Date.parse(headers.ifModifiedSince);
    // HTTP dates have one-second precision, so compare whole seconds.
    return Number.isFinite(since) && Math.floor(lastModified.getTime() / 1000) <= Math.floor(since / 1000);
  }
  return false;
}

/**
 * Admits at most `limit` events in any window of `windowMs` (a sliding log). Only admitted
 * events are counted, so a client that backs off for the window always gets through again.
 */
export class SlidingWindowLimiter {
  private readonly admitted: number[] = [];

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Records an event at `now` (monotonic ms) if the window has room; false when it has none. */
  tryAdmit(now: number): boolean {
    if (!Number.isFinite(this.limit) || this.limit <= 0) return true;
    while (this.admitted.length > 0 && this.admitted[0] <= now - this.windowMs) this.admitted.shift();
    if (this.admitted.length >= this.limit) return false;
    this.admitted.push(now);
    return true;
  }
}

/** What a {@link FixedWindowBudget} says about one request. */
export interface BudgetVerdict {
  admitted: boolean;
  limit: number;
  /** Requests left in the window after this one (0 once spent). */
  remaining: number;
  /** Monotonic ms when the current window began and when it resets. */
  windowStart: number;
  resetAt: number;
}

/**
 * A request budget in fixed windows, the model behind `X-RateLimit-*` headers: `limit` requests
 * per window of `windowMs`, the window starting with its first request. Unlike the sliding log
 * above, it can tell a client exactly how many requests remain and when the budget resets.
 * Refused requests are not counted, so waiting for the reset always works.
 */
export class FixedWindowBudget {
  private windowStart = -Infinity;
  private used = 0;

  constructor(
    readonly limit: number,
    readonly windowMs: number,
  ) {}

  /** Charges one request at `now` (monotonic ms) if the window has room. */
  take(now: number): BudgetVerdict {
    if (now >= this.windowStart + this.windowMs) {
      this.windowStart = now;
      this.used = 0;
    }
    const admitted = this.used < this.limit;
    if (admitted) this.used += 1;
    return { admitted, limit: this.limit, remaining: this.limit - this.used, windowStart: this.windowStart, resetAt: this.windowStart + this.windowMs };
  }
}

/**
 * The `X-RateLimit-*` fields for a verdict. Reset is in whole seconds until the window resets,
 * rounded up, so a client that waits that long never arrives early.
 */
export function rateLimitHeaders(verdict: BudgetVerdict, now: number): Record<string, string> {
  const resetSeconds = Math.max(1, Math.ceil((verdict.resetAt - now) / 1000));
  return {
    'x-ratelimit-limit': String(verdict.limit),
    'x-ratelimit-remaining': String(verdict.remaining),
    'x-ratelimit-reset': String(resetSeconds),
  };
}
