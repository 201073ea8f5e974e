/**
 * A per-origin robots.txt cache: fetches `/robots.txt` through the HttpClient port, follows
 * redirects itself, applies the RFC 9309 status table and answers "may this URL be fetched?"
 * with a sentence the user can read. A failure never becomes "allowed".
 *
 * How long an answer is kept follows the response's `Cache-Control` (RFC 9309 2.4 allows
 * standard HTTP caching): `max-age` (less any `Age`) shortens the lifetime, never past 24 hours;
 * `no-store` and `no-cache` keep it only for the minimum re-check interval (see `minTtlMs`). A
 * stale entry with a validator is revalidated with a conditional request, so a `304` renews it
 * without a new body. Failures keep their own short lifetime and never become "allowed".
 */
import { HttpFailure, type Clock, type HttpClient, type HttpFailureKind, type HttpResponse } from '../ports';
import { robotsFetchPolicy, type RobotsFetchPolicy } from './fetch-policy';
import { evaluateRobots } from './match';
import { DEFAULT_MAX_ROBOTS_BYTES, parseRobots, productToken, type RobotsTxt } from './parse';

/** The most robots.txt may be cached (RFC 9309 2.4). */
export const MAX_ROBOTS_TTL_MS = 24 * 60 * 60 * 1000;
/** RFC 9309 2.3.1.2: crawlers should follow at least five consecutive redirects. */
export const MAX_ROBOTS_REDIRECTS = 5;
/** The shortest a successful answer is kept by default, whatever its Cache-Control says. */
export const MIN_ROBOTS_TTL_MS = 60 * 1000;

export interface RobotsCacheOptions {
  http: HttpClient;
  clock: Clock;
  /** The crawler's User-Agent header; its product token selects the robots.txt groups. */
  userAgent: string;
  /** How long a fetched robots.txt is trusted; at most (and by default) 24 hours. */
  ttlMs?: number;
  /**
   * The shortest time an answer is kept when its `Cache-Control` asks for less (`no-store`,
   * `no-cache`, a small `max-age`); default 1 minute, never above `ttlMs`. Taken literally,
   * `no-store` would mean fetching robots.txt again before every page, an unthrottled request per
   * page that is itself impolite; re-reading it at most once a minute keeps to the spirit.
   */
  minTtlMs?: number;
  /** After a failure (5xx, 429, network), when to try again; default 60 s. Never cached as allow. */
  failureRetryMs?: number;
  /** Most bytes read from robots.txt; default (and at least) 512 KiB. */
  maxBytes?: number;
  /** Connect, headers and whole-exchange deadline for each hop; default 10 s. */
  timeoutMs?: number;
  /**
   * Time to open a connection, when it should be shorter than `timeoutMs`: a crawl passes its
   * spec's connect timeout, so an origin that cannot be reached is found out as fast for its
   * robots.txt as for its pages. Never above `timeoutMs`.
   */
  connectTimeoutMs?: number;
}

/** The fetched and interpreted state of one origin's robots.txt. */
export interface RobotsEntry {
  origin: string;
  /** `<origin>/robots.txt`. */
  robotsUrl: string;
  /** Where the answer finally came from, after redirects. */
  finalUrl: string;
  /** How many redirects were followed. */
  redirects: number;
  policy: RobotsFetchPolicy;
  /** Status of the final answer, when there was one. */
  status?: number;
  /** Why no answer arrived, when none did. */
  failure?: { kind: HttpFailureKind | 'redirects'; message: string };
  /** Parsed robots.txt, when `policy` is `parse`. */
  robots?: RobotsTxt;
  /** Decoded body, when `policy` is `parse`. */
  text?: string;
  sitemaps: string[];
  fetchedAt: number;
  expiresAt: number;
  /** One sentence describing the entry, e.g. "robots.txt answered 503: …". */
  summary: string;
  /** Validators of a parsed answer served without redirects, for revalidating it once stale. */
  validators?: { etag?: string; lastModified?: string };
}

/** The answer for one URL. */
export interface RobotsDecision {
  allowed: boolean;
  /** A sentence for the user, e.g. "Disallow: /private/ (robots.txt line 7)". */
  reason: string;
  /** `rule`: a line decided; `no-rule`: parsed, nothing matched; `status`: the HTTP status decided; `unreachable`: no answer. */
  basis: 'rule' | 'no-rule' | 'status' | 'unreachable';
  rule?: { line: number; text: string };
  crawlDelayMs?: number;
  robotsUrl: string;
  contentSignal?: Record<string, string>;
  status?: number;
}

/** Robots.txt per origin, fetched on demand, shared between concurrent checks, re-fetched when stale. */
export class RobotsCache {
  private readonly entries = new Map<string, RobotsEntry>();
  private readonly inFlight = new Map<string, Promise<RobotsEntry>>();
  private readonly ttlMs: number;
  private readonly minTtlMs: number;
  private readonly failureRetryMs: number;
  private readonly maxBytes: number;
  private readonly timeoutMs: number;
  private readonly connectTimeoutMs: number;
  private readonly token: string;

  constructor(private readonly options: RobotsCacheOptions) {
    this.ttlMs = Math.min(Math.max(0, options.ttlMs ?? MAX_ROBOTS_TTL_MS), MAX_ROBOTS_TTL_MS);
    this.minTtlMs = Math.min(Math.max(0, options.minTtlMs ?? MIN_ROBOTS_TTL_MS), this.ttlMs);
    this.failureRetryMs = Math.max(0, options.failureRetryMs ?? 60_000);
    this.maxBytes = Math.max(1, options.maxBytes ?? DEFAULT_MAX_ROBOTS_BYTES);
    this.timeoutMs = Math.max(1, options.timeoutMs ?? 10_000);
    this.connectTimeoutMs = Math.min(this.timeoutMs, Math.max(1, options.connectTimeoutMs ?? this.timeoutMs));
    this.token = productToken(options.userAgent);
  }

  /** Decides whether the configured user agent may fetch `url`. Never throws. */
  async check(url: string): Promise<RobotsDecision> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { allowed: false, basis: 'unreachable', reason: `${url} is not a valid URL, so robots.txt cannot be checked`, robotsUrl: '' };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return { allowed: false, basis: 'unreachable', reason: `${url} is not an http(s) URL, so robots.txt cannot be checked`, robotsUrl: '' };
    }
    const entry = await this.lookup(parsed.origin);
    const base = { robotsUrl: entry.robotsUrl, ...(entry.status !== undefined ? { status: entry.status } : {}) };
    if (entry.policy === 'allow-all') return { ...base, allowed: true, basis: 'status', reason: entry.summary };
    if (entry.policy === 'disallow-all' || !entry.robots) {
      return { ...base, allowed: false, basis: entry.failure ? 'unreachable' : 'status', reason: entry.summary };
    }
    const path = parsed.pathname + parsed.search;
    const verdict = evaluateRobots(entry.robots, this.options.userAgent, path);
    const decision: RobotsDecision = { ...base, allowed: verdict.allowed, basis: verdict.rule ? 'rule' : 'no-rule', reason: '' };
    if (verdict.crawlDelaySeconds !== undefined) decision.crawlDelayMs = Math.round(verdict.crawlDelaySeconds * 1000);
    if (verdict.contentSignal) decision.contentSignal = verdict.contentSignal;
    if (verdict.rule) {
      const directive = verdict.rule.kind === 'allow' ? 'Allow' : 'Disallow';
      decision.rule = { line: verdict.rule.line, text: verdict.rule.text };
      decision.reason = `${directive}: ${verdict.rule.pattern} (robots.txt line ${verdict.rule.line})`;
    } else if (parsed.pathname === '/robots.txt') {
      decision.reason = 'robots.txt itself is always allowed';
    } else {
      const who = verdict.matchedAgent === '*' ? 'the * group' : `user agent ${verdict.matchedAgent}`;
      decision.reason = `No robots.txt rule for ${who} matches ${path}: allowed`;
    }
    return decision;
  }

  /** The robots.txt state of `origin` (a URL or origin), fetching it when absent or stale. Never throws. */
  lookup(origin: string): Promise<RobotsEntry> {
    let key: string;
    try {
      key = new URL(origin).origin;
    } catch {
      key = origin;
    }
    const now = this.options.clock.now();
    const cached = this.entries.get(key);
    if (cached && now < cached.expiresAt) return Promise.resolve(cached);
    const running = this.inFlight.get(key);
    if (running) return running;
    // Concurrent checks for one origin share this one fetch.
    const promise = this.fetchEntry(key, cached).then((entry) => {
      this.entries.set(key, entry);
      return entry;
    });
    this.inFlight.set(key, promise);
    const forget = (): void => {
      this.inFlight.delete(key);
    };
    promise.then(forget, forget);
    return promise;
  }

  /** Drops every cached entry (in-flight fetches still complete). */
  clear(): void {
    this.entries.clear();
  }

  private request(url: string, headers: Record<string, string> = {}): Promise<HttpResponse> {
    return this.options.http.request({
      url,
      method: 'GET',
      headers: { 'user-agent': this.options.userAgent, accept: 'text/plain, */*;q=0.5', ...headers },
      maxBytes: this.maxBytes,
      connectTimeoutMs: this.connectTimeoutMs,
      headersTimeoutMs: this.timeoutMs,
      deadlineMs: this.timeoutMs,
    });
  }

  /** How long a successful answer with these headers is kept: Cache-Control within [minTtlMs, ttlMs]. */
  private lifetimeOf(headers: Record<string, string>): number {
    const asked = cacheControlLifetimeMs(headers);
    if (asked === undefined) return this.ttlMs;
    return Math.min(this.ttlMs, Math.max(this.minTtlMs, asked));
  }

  private async fetchEntry(origin: string, stale?: RobotsEntry): Promise<RobotsEntry> {
    const robotsUrl = `${origin}/robots.txt`;
    const fetchedAt = this.options.clock.now();
    const make = (fields: Omit<RobotsEntry, 'origin' | 'robotsUrl' | 'fetchedAt' | 'expiresAt' | 'sitemaps'> & { sitemaps?: string[] }, lifetimeMs: number): RobotsEntry => ({
      origin,
      robotsUrl,
      fetchedAt,
      expiresAt: fetchedAt + lifetimeMs,
      sitemaps: [],
      ...fields,
    });
    const failed = (kind: HttpFailureKind, message: string, finalUrl: string, redirects: number): RobotsEntry =>
      make(
        {
          finalUrl,
          redirects,
          policy: 'disallow-all',
          failure: { kind, message },
          summary: `robots.txt could not be fetched (${kind}: ${message}): everything disallowed until it can be`,
        },
        this.failureRetryMs,
      );

    if (!/^https?:\/\//.test(origin)) return failed('invalid', `${origin} is not an http(s) origin`, robotsUrl, 0);

    // Only a parsed answer that came without redirects is revalidated: its validators belong to
    // the URL asked for first, and anything else is cheap to fetch again.
    const revalidate = stale?.policy === 'parse' && stale.robots && stale.validators ? stale : undefined;
    let url = robotsUrl;
    for (let redirects = 0; ; redirects++) {
      let response: HttpResponse;
      try {
        const conditional: Record<string, string> = {};
        if (revalidate?.validators?.etag !== undefined && redirects === 0) conditional['if-none-match'] = revalidate.validators.etag;
        if (revalidate?.validators?.lastModified !== undefined && redirects === 0) conditional['if-modified-since'] = revalidate.validators.lastModified;
        response = await this.request(url, conditional);
      } catch (error) {
        const kind: HttpFailureKind = error instanceof HttpFailure ? error.kind : 'network';
        const message = error instanceof Error ? error.message : String(error);
        if (kind === 'too-large') {
          const partial = await this.fetchPrefix(url);
          if (partial) return this.parsed(make, partial.body, url, redirects, partial.status, true, this.lifetimeOf(partial.headers));
        }
        return failed(kind, message, url, redirects);
      }
      const status = response.status;
      if (status === 304 && revalidate && redirects === 0) {
        // Unchanged: the stored rules stay, with a lifetime from the 304's own headers (RFC 9111
        // 4.3.4 updates the stored response's headers from it).
        const validators = validatorsOf(response.headers, revalidate.validators);
        return make(
          {
            finalUrl: revalidate.finalUrl,
            redirects: 0,
            policy: 'parse',
            robots: revalidate.robots,
            sitemaps: revalidate.sitemaps,
            summary: `${revalidate.summary.replace(/ \(revalidated: 304\)$/, '')} (revalidated: 304)`,
            ...(revalidate.status !== undefined ? { status: revalidate.status } : {}),
            ...(revalidate.text !== undefined ? { text: revalidate.text } : {}),
            ...(validators ? { validators } : {}),
          },
          this.lifetimeOf(response.headers),
        );
      }
      if (status >= 300 && status < 400) {
        const location = response.headers['location'];
        let next: URL | undefined;
        try {
          next = location ? new URL(location, url) : undefined;
        } catch {
          next = undefined;
        }
        const usable = next && (next.protocol === 'http:' || next.protocol === 'https:');
        if (usable && redirects < MAX_ROBOTS_REDIRECTS) {
          url = next!.href;
          continue;
        }
        const why = usable ? `redirected more than ${MAX_ROBOTS_REDIRECTS} times` : `answered ${status} without a usable Location`;
        return make(
          {
            finalUrl: url,
            redirects,
            status,
            policy: 'allow-all',
            summary: `robots.txt ${why}: treated as unavailable (RFC 9309), everything allowed`,
          },
          this.lifetimeOf(response.headers),
        );
      }
      const policy = robotsFetchPolicy({ kind: 'status', status });
      if (policy === 'parse') {
        const entry = this.parsed(make, response.body, url, redirects, status, false, this.lifetimeOf(response.headers));
        const validators = redirects === 0 ? validatorsOf(response.headers) : undefined;
        return validators ? { ...entry, validators } : entry;
      }
      if (policy === 'allow-all') {
        return make({ finalUrl: url, redirects, status, policy, summary: `robots.txt answered ${status}: unavailable, everything allowed` }, this.lifetimeOf(response.headers));
      }
      const lifetime = Math.min(Math.max(this.failureRetryMs, retryAfterMs(response.headers['retry-after']) ?? 0), this.ttlMs);
      const label = status === 429 ? '429 (too many requests)' : String(status);
      return make(
        { finalUrl: url, redirects, status, policy, summary: `robots.txt answered ${label}: everything disallowed until it recovers` },
        lifetime,
      );
    }
  }

  /**
   * When robots.txt is larger than the limit the client aborts and we hold no bytes, yet the RFC
   * wants the first 500 KiB parsed. Ask again for just that range; a server that ignores Range
   * and sends everything again fails again, and the caller then fails closed.
   */
  private async fetchPrefix(url: string): Promise<{ body: Uint8Array; status: number; headers: Record<string, string> } | undefined> {
    try {
      const response = await this.request(url, { range: `bytes=0-${this.maxBytes - 1}` });
      if (response.status === 206 || response.status === 200) return { body: response.body, status: response.status, headers: response.headers };
    } catch (error) {
      // The ranged retry failing is the expected end for servers without Range support; the
      // caller reports the original failure, so nothing is lost by returning undefined here.
      void error;
    }
    return undefined;
  }

  private parsed(
    make: (fields: Omit<RobotsEntry, 'origin' | 'robotsUrl' | 'fetchedAt' | 'expiresAt' | 'sitemaps'> & { sitemaps?: string[] }, lifetimeMs: number) => RobotsEntry,
    body: Uint8Array,
    finalUrl: string,
    redirects: number,
    status: number,
    truncated: boolean,
    lifetimeMs: number,
  ): RobotsEntry {
    // RFC 9309 2.3: robots.txt is UTF-8; invalid bytes become U+FFFD rather than failing.
    const text = new TextDecoder('utf-8').decode(body);
    const robots = parseRobots(text, this.maxBytes);
    if (truncated) robots.truncated = true;
    const cut = robots.truncated ? ` (only the first ${this.maxBytes} bytes were read)` : '';
    return make(
      {
        finalUrl,
        redirects,
        status,
        policy: 'parse',
        robots,
        text,
        sitemaps: robots.sitemaps.map((sitemap) => absolute(sitemap, finalUrl)),
        summary: `robots.txt answered ${status} and was parsed${cut}`,
      },
      lifetimeMs,
    );
  }

  /** The product token used to select groups (for callers that show it). */
  get agentToken(): string {
    return this.token;
  }
}

/**
 * How long a response may be reused according to its `Cache-Control` (RFC 9111 5.2.2), in
 * milliseconds: 0 for `no-store` or `no-cache`, else `max-age` less the `Age` it has already
 * spent in caches on the way; undefined when the header says nothing about freshness. Directive
 * names are case-insensitive and values may be quoted; of several `max-age`s the smallest wins,
 * and a malformed one counts as 0 (RFC 9111 4.2.1: an invalid freshness value means stale).
 */
export function cacheControlLifetimeMs(headers: Record<string, string>): number | undefined {
  const value = headers['cache-control'];
  if (value === undefined) return undefined;
  let maxAge: number | undefined;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    const name = (eq < 0 ? part : part.slice(0, eq)).trim().toLowerCase();
    const argument = eq < 0 ? undefined : part.slice(eq + 1).trim().replace(/^"(.*)"$/, '$1');
    if (name === 'no-store' || name === 'no-cache') return 0;
    if (name !== 'max-age') continue;
    const seconds = argument !== undefined && /^\d+$/.test(argument) ? Number(argument) : 0;
    maxAge = Math.min(maxAge ?? Infinity, seconds);
  }
  if (maxAge === undefined) return undefined;
  const age = headers.age !== undefined && /^\d+$/.test(headers.age.trim()) ? Number(headers.age.trim()) : 0;
  return Math.max(0, maxAge - age) * 1000;
}

/** The validators of a response (falling back to `previous` for those a 304 leaves out). */
function validatorsOf(headers: Record<string, string>, previous?: RobotsEntry['validators']): RobotsEntry['validators'] {
  const etag = headers.etag ?? previous?.etag;
  const lastModified = headers['last-modified'] ?? previous?.lastModified;
  if (etag === undefined && lastModified === undefined) return undefined;
  return { ...(etag !== undefined ? { etag } : {}), ...(lastModified !== undefined ? { lastModified } : {}) };
}

/** `Retry-After` in milliseconds when it is a number of seconds; HTTP dates are left to the caller's default. */
function retryAfterMs(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value.trim());
  return Number.isFinite(seconds) && seconds >= 0 ? seconds * 1000 : undefined;
}

/** Resolves a Sitemap value against the robots.txt URL; a value that is no URL stays as written. */
function absolute(value: string, base: string): string {
  try {
    return new URL(value, base).href;
  } catch {
    return value;
  }
}
