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
