/**
 * What a robots.txt fetch outcome means for crawling (RFC 9309 section 2.3.1), as a pure
 * function so that every row of the table has its own test.
 */

/** How a robots.txt fetch ended, as far as the policy cares. */
export type RobotsFetchOutcome =
  | { kind: 'status'; status: number }
  | { kind: 'network' | 'timeout' | 'too-large' };

/** Parse the body, treat every path as allowed, or treat every path as disallowed. */
export type RobotsFetchPolicy = 'parse' | 'allow-all' | 'disallow-all';

/**
 * The RFC 9309 status table, with Gleaner's choices where the RFC leaves room:
 * - 2xx: parse the body.
 * - 3xx: redirects are followed by the caller (at least 5 hops, across hosts). A 3xx that
 *   reaches this table means the chain was abandoned (more than 5 hops, or no usable
 *   `Location`); RFC 9309 2.3.1.2 lets a crawler then treat robots.txt as unavailable, which
 *   is the 4xx row: everything allowed. We follow the RFC (and Google) here.
 * - 4xx: "unavailable", everything allowed, 401 and 403 included as the RFC says — except 429,
 *   which is the server asking us to slow down, so everything is disallowed until it recovers.
 * - 5xx: "unreachable", everything disallowed (fail closed; Scrapy and Crawlee fail open here).
 * - network error or timeout: unreachable, everything disallowed.
 * - too large: we could not read even the bytes we must parse, so everything is disallowed.
 * - anything else (1xx, codes ≥ 600): not a valid final answer, so fail closed.
 */
export function robotsFetchPolicy(outcome: RobotsFetchOutcome): RobotsFetchPolicy {
  if (outcome.kind !== 'status') return 'disallow-all';
  const status = outcome.status;
  if (status >= 200 && status < 300) return 'parse';
  if (status >= 300 && status < 400) return 'allow-all';
  if (status === 429) return 'disallow-all';
  if (status >= 400 && status < 500) return 'allow-all';
  return 'disallow-all';
}
