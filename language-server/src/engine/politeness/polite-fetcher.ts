/**
 * The polite way to fetch one URL: robots.txt, the host throttle, retries and redirects,
 * combined so that politeness holds on every hop and every retry. Redirects are followed here,
 * one hop at a time, so a redirect to another host passes that host's robots.txt and throttle;
 * every wait (backoff, Retry-After, cool-down) goes through the throttle or the injected sleep.
 */
import { HttpFailure, type Clock, type HttpClient, type HttpMethod, type HttpResponse, type Logger, type Sleep } from '../ports';
import type { PolitenessSpec } from '../spec/model';
import type { HookedHttpRequest } from '../http/request-hooks';
import type { CircuitBreaker } from './circuit-breaker';
import type { HostThrottle } from './host-throttle';
import { rateLimitPause } from './rate-limit';
import { MAX_HONOURED_RETRY_AFTERS, formatMs, isRetryableStatus, parseRetryAfter, retryDecision } from './retry';

/** The robots.txt verdict for a URL; supplied by the robots module. */
export type RobotsGate = (url: string) => Promise<{ allowed: boolean; reason: string; crawlDelayMs?: number }>;

/** Whether a URL (for instance a redirect target) is inside the crawl's scope. */
export type ScopeGate = (url: string) => { allowed: boolean; reason: string };

/** Dependencies of {@link PoliteFetcher}. */
export interface PoliteFetcherOptions {
  http: HttpClient;
  throttle: HostThrottle;
  breaker: CircuitBreaker;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  politeness: PolitenessSpec;
  /** Sent on every request, and not overridable by per-request headers. */
  userAgent: string;
  /** Consulted before every hop when `politeness.robots` is `obey`. */
  robotsGate: RobotsGate;
  /** Optional: consulted before every hop; a refusal skips the URL with kind `scope`. */
  scopeGate?: ScopeGate;
  logger: Logger;
}

/** Per-call options of {@link PoliteFetcher.fetch}. */
export interface PoliteFetchOptions {
  method?: HttpMethod;
  headers?: Record<string, string>;
  body?: string | Uint8Array;
  /** Validators of a stored copy; a 304 then yields `notModified: true`. */
  conditional?: { etag?: string; lastModified?: string };
  signal?: AbortSignal;
}

/** Reasons a URL was not fetched at all (or its fetch was given up on purpose). */
export type SkipKind = 'robots' | 'scope' | 'host-abandoned' | 'too-many-redirects' | 'redirect-loop' | 'retry-after-too-long';
/** Reasons a fetch failed. */
export type FailKind = 'http-status' | 'network' | 'timeout' | 'too-large' | 'invalid';

/** How a polite fetch ended. */
export type FetchOutcome =
  | { ok: true; response: HttpResponse; finalUrl: string; redirects: string[]; attempts: number; notModified: boolean }
  | { ok: false; skipped: true; reason: string; kind: SkipKind; url: string }
  | { ok: false; skipped: false; reason: string; kind: FailKind; status?: number; url: string; attempts: number };

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

/** The result of trying one hop until it gives a final answer. */
type HopResult =
  | { kind: 'response'; response: HttpResponse }
  | { kind: 'outcome'; outcome: FetchOutcome };

/** Fetches URLs politely; see the module comment. One instance per run, shared by all sources. */
export class PoliteFetcher {
  constructor(private readonly options: PoliteFetcherOptions) {}

  /**
   * Fetches `url`, following redirects hop by hop. Resolves with an outcome for every ordinary
   * failure; rejects only with an HttpFailure of kind `aborted` when `signal` aborts.
   */
  async fetch(url: string, fetchOptions: PoliteFetchOptions = {}): Promise<FetchOutcome> {
    const { politeness } = this.options;
    let method: HttpMethod = fetchOptions.method ?? 'GET';
    let body = fetchOptions.body;
    let current = stripFragment(url);
    const redirects: string[] = [];
    const visited = new Set<string>([current]);
    const counter = { attempts: 0 };

    // Each pass is one hop; maxRedirects bounds them.
    for (let hop = 0; hop <= politeness.maxRedirects; hop++) {
      const hopResult = await this.fetchHop(current, method, body, fetchOptions, counter);
      if (hopResult.kind === 'outcome') return hopResult.outcome;
      const response = hopResult.response;

      if (REDIRECT_STATUSES.has(response.status) && response.headers.location !== undefined) {
        let next: string;
        try {
          next = stripFragment(new URL(response.headers.location, current).href);
        } catch {
          return this.failed('invalid', current, `redirect to an invalid Location: ${response.headers.location}`, counter.attempts, response.status);
        }
        if (visited.has(next)) {
          return { ok: false, skipped: true, kind: 'redirect-loop', url, reason: `redirect loop: ${[...redirects, current, next].join(' → ')}` };
        }
        if (redirects.length + 1 > politeness.maxRedirects) {
          return {
            ok: false,
            skipped: true,
            kind: 'too-many-redirects',
            url,
            reason: `more than ${politeness.maxRedirects} redirects (politeness.max_redirects), last to ${next}`,
          };
        }
        redirects.push(current);
        visited.add(next);
        // As browsers do: 303 always becomes GET; 301/302 turn a POST into a GET.
        if (response.status === 303 || ((response.status === 301 || response.status === 302) && method === 'POST')) {
          if (method !== 'HEAD') method = 'GET';
          body = undefined;
        }
        this.options.logger.debug(`${response.status} redirect ${current} → ${next}`);
        current = next;
        continue;
      }

      if (response.status === 304 && fetchOptions.conditional) {
        return { ok: true, response, finalUrl: current, redirects, attempts: counter.attempts, notModified: true };
      }
      if (response.status >= 400 || (response.status >= 300 && response.status !== 304)) {
        return this.failed('http-status', current, `HTTP ${response.status} from ${current}`, counter.attempts, response.status);
      }
      return { ok: true, response, finalUrl: current, redirects, attempts: counter.attempts, notModified: response.status === 304 };
    }
    return { ok: false, skipped: true, kind: 'too-many-redirects', url, reason: `more than ${politeness.maxRedirects} redirects (politeness.max_redirects)` };
  }

  /** One hop: gates, then attempts (with retries) until a final response or outcome. */
  private async fetchHop(
    url: string,
    method: HttpMethod,
    body: string | Uint8Array | undefined,
    fetchOptions: PoliteFetchOptions,
    counter: { attempts: number },
  ): Promise<HopResult> {
    const { politeness, throttle, breaker, logger, clock } = this.options;
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { kind: 'outcome', outcome: this.failed('invalid', url, `not a valid URL: ${url}`, counter.attempts) };
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      return { kind: 'outcome', outcome: this.failed('invalid', url, `unsupported scheme ${parsed.protocol} (only http and https)`, counter.attempts) };
    }
    const host = parsed.hostname.toLowerCase();

    const scope = this.options.scopeGate?.(url);
    if (scope && !scope.allowed) return { kind: 'outcome', outcome: { ok: false, skipped: true, kind: 'scope', url, reason: scope.reason } };

    if (politeness.robots === 'obey') {
      let verdict: Awaited<ReturnType<RobotsGate>>;
      try {
        verdict = await this.options.robotsGate(url);
      } catch (error) {
        // A robots check that fails must never mean "allowed" (fail closed, as RFC 9309 asks
        // for an unreachable robots.txt).
        verdict = { allowed: false, reason: `robots.txt could not be checked: ${error instanceof Error ? error.message : String(error)}` };
      }
      if (!verdict.allowed) return { kind: 'outcome', outcome: { ok: false, skipped: true, kind: 'robots', url, reason: verdict.reason } };
      if (verdict.crawlDelayMs !== undefined) throttle.setCrawlDelay(host, verdict.crawlDelayMs);
    }

    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(fetchOptions.headers ?? {})) headers[name.toLowerCase()] = value;
    if (fetchOptions.conditional?.etag !== undefined) headers['if-none-match'] = fetchOptions.conditional.etag;
    if (fetchOptions.conditional?.lastModified !== undefined) headers['if-modified-since'] = fetchOptions.conditional.lastModified;
    headers['user-agent'] = this.options.userAgent;

    let retries = 0;
    let honoured = 0;
    // Bounded: each pass either returns or charges one retry or one honoured Retry-After, and
    // retryDecision refuses once both allowances are spent.
    const maxPasses = Math.max(0, politeness.retries.max) + MAX_HONOURED_RETRY_AFTERS + 1;
    for (let pass = 0; pass < maxPasses; pass++) {
      const breakerState = breaker.check(host);
      if (breakerState.state === 'abandoned') {
        return { kind: 'outcome', outcome: { ok: false, skipped: true, kind: 'host-abandoned', url, reason: breakerState.reason } };
      }
      if (breakerState.state === 'paused') throttle.pauseHost(host, breakerState.untilMs, breakerState.reason);

      let release: () => void;
      try {
        release = await throttle.acquire(host, fetchOptions.signal);
      } catch {
        throw new HttpFailure('aborted', url, 'the fetch was cancelled while waiting for its turn');
      }
      counter.attempts++;
      let response: HttpResponse | undefined;
      let failure: HttpFailure | undefined;
      const started = clock.now();
      try {
        const request: HookedHttpRequest = {
          url,
          method,
          headers,
          body,
          maxBytes: politeness.maxResponseBytes,
          connectTimeoutMs: politeness.timeouts.connectMs,
          headersTimeoutMs: politeness.timeouts.headersMs,
          deadlineMs: politeness.timeouts.requestMs,
          signal: fetchOptions.signal,
          // Count the host's next gap from when this request really went out (see request-hooks).
          onSent: () => throttle.confirmStart(host, clock.now()),
        };
        response = await this.options.http.request(request);
      } catch (error) {
        failure = error instanceof HttpFailure ? error : new HttpFailure('network', url, error instanceof Error ? error.message : String(error));
      } finally {
        release();
      }
      if (failure?.kind === 'aborted') throw failure;

      const status = response?.status;
      if (response) {
        throttle.observe(host, { latencyMs: response.timings.headersMs, status });
        // An API that says its budget is spent gets no request until the budget resets.
        const limited = rateLimitPause(response.headers, clock.now());
        if (limited) {
          throttle.pauseHost(host, limited.untilMs, limited.reason);
          logger.info(`${host}: ${limited.reason}`);
        }
      }
      // A timeout is the strongest overload signal there is: let AutoThrottle treat it like a 503.
      else if (failure?.kind === 'timeout') throttle.observe(host, { latencyMs: clock.now() - started, status: 503 });

      const needsRetry = failure !== undefined ? true : status !== undefined && isRetryableStatus(status);
      if (!needsRetry && response) {
        if (response.status >= 500) breaker.recordFailure(host, `HTTP ${response.status}`);
        else breaker.recordSuccess(host);
        return { kind: 'response', response };
      }

      const retryAfterMs = response ? parseRetryAfter(response.headers['retry-after'], clock.now()) : undefined;
      const decision = retryDecision({
        method,
        outcome: { status, failure: failure?.kind, retryAfterMs },
        attempt: retries,
        honouredRetryAfters: honoured,
        policy: politeness.retries,
        random: this.options.random,
      });
      const what = failure ? failure.message : `HTTP ${status}`;

      if (decision.action === 'stop-host') {
        breaker.abandon(host, `${host} stopped: ${decision.reason}`);
        logger.warn(`${url}: ${decision.reason}`);
        return { kind: 'outcome', outcome: { ok: false, skipped: true, kind: 'retry-after-too-long', url, reason: decision.reason } };
      }
      if (decision.action === 'give-up') {
        const serverTrouble = failure ? failure.kind === 'network' || failure.kind === 'timeout' : (status ?? 0) >= 500;
        if (serverTrouble) {
          const state = breaker.recordFailure(host, what);
          if (state.state !== 'closed') logger.warn(state.reason);
        }
        if (failure) {
          const kind: FailKind = failure.kind === 'blocked' ? 'invalid' : (failure.kind as FailKind);
          return { kind: 'outcome', outcome: this.failed(kind, url, `${failure.message}; ${decision.reason}`, counter.attempts) };
        }
        return { kind: 'outcome', outcome: this.failed('http-status', url, `HTTP ${status} from ${url}; ${decision.reason}`, counter.attempts, status) };
      }

      if (decision.honouredRetryAfter) honoured++;
      else retries++;
      logger.info(`${url}: ${decision.reason}`);
      // A server that says "slow down" (429, 503, or any Retry-After) gets the whole host paused,
      // so other URLs on it wait too; other failures only delay this URL.
      if (retryAfterMs !== undefined || status === 429 || status === 503) {
        throttle.pauseHost(host, clock.now() + decision.delayMs, `${what}: waiting ${formatMs(decision.delayMs)}`);
      } else if (decision.delayMs > 0) {
        try {
          await this.options.sleep(decision.delayMs, fetchOptions.signal);
        } catch {
          throw new HttpFailure('aborted', url, 'the fetch was cancelled while waiting to retry');
        }
      }
    }
    return { kind: 'outcome', outcome: this.failed('network', url, 'gave up: the retry allowance is exhausted', counter.attempts) };
  }

  private failed(kind: FailKind, url: string, reason: string, attempts: number, status?: number): FetchOutcome {
    return status === undefined ? { ok: false, skipped: false, kind, url, reason, attempts } : { ok: false, skipped: false, kind, url, reason, attempts, status };
  }
}

function stripFragment(url: string): string {
  const index = url.indexOf('#');
  return index < 0 ? url : url.slice(0, index);
}
