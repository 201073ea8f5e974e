/**
 * The network half of the source preview: fetches a source's first URL (and, for a source with no
 * URL of its own, the pages its route follows; see features/preview.ts) through the engine's
 * PoliteFetcher, so robots.txt (the server's shared robots checker), the host throttle, retries,
 * redirects and the spec's user agent apply exactly as in a run. One HTTP client and one
 * throttle/breaker per politeness configuration are kept for the life of the server, so repeated
 * previews of a host are spaced by its delay like the requests of one run.
 *
 * Every request, including robots.txt and OAuth token requests, passes the network gate at the
 * moment it would go out: an untrusted or network-disabled workspace makes no request at all.
 * Secrets (`${env:X}`, `${secret:NAME}` from `GLEANER_SECRET_<NAME>`) are resolved only into the
 * request and are redacted from every URL and message handed back.
 */
import {
  Authenticator,
  AuthError,
  CircuitBreaker,
  envSecrets,
  classifyHost,
  firstPage,
  HostThrottle,
  MissingSecretError,
  paginationParams,
  PoliteFetcher,
  type PoliteFetchOptions,
  Redactor,
  TemplateResolver,
  type ApiSource,
  type Clock,
  type CollectionSpec,
  type HttpClient,
  type HttpResponse,
  type Logger,
  type Sleep,
  type SourceSpec,
} from '../engine/index';
import { gatedHttpClient, type NetworkGate } from './network-gate';
import type { RobotsChecker } from './robots-checker';

/**
 * A response fetched for a preview. URLs and headers are redacted; the body is as received (the
 * feature redacts what it decodes from it).
 */
export interface PreviewResponse {
  /**
   * What the cache is keyed by: the URL as written in the spec (templates unresolved), or for a
   * page reached through follow rules, the route's key (features/preview.ts).
   */
  specUrl: string;
  url: string;
  finalUrl: string;
  /**
   * The final URL as fetched, secrets included: links found on the page resolve against it, so
   * a followed link keeps a secret its page passed on. Never sent to the client.
   */
  rawFinalUrl?: string;
  status: number;
  headers: Record<string, string>;
  timingMs: number;
  fetchedAt: string;
  body: Uint8Array;
  contentType: string;
}

/** How a preview fetch ended. */
export type PreviewFetchOutcome =
  | { ok: true; response: PreviewResponse }
  | { ok: false; state: 'network-disabled' | 'skipped' | 'failed' | 'no-url'; message: string; url?: string };

/** What the fetcher needs from the server. */
export interface PreviewFetcherOptions {
  gate: NetworkGate;
  robots: RobotsChecker;
  /** Created lazily, on the first allowed request. */
  http: () => HttpClient;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  env: Record<string, string | undefined>;
  logger: Logger;
}

/** How many politeness configurations keep their own throttle before the oldest is dropped. */
const MAX_FETCHERS = 8;

/** The message for a closed network gate. */
export const NETWORK_DISABLED_MESSAGE = 'Network access is off (the workspace is untrusted or gleaner.network.enabled is false), so nothing was fetched.';

/** What a page request accepts: HTML first, as the crawler asks. */
const PAGE_ACCEPT = 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5';

/** The URL a preview of `source` fetches, as written in the spec (undefined: it has none). */
export function previewSpecUrl(source: SourceSpec): string | undefined {
  return source.kind === 'scrape' ? source.startUrls[0] : source.request.url;
}

/** Fetches the first URL of a source, or a followed link, politely; see the module comment. */
export class PreviewFetcher {
  private readonly http: HttpClient;
  private readonly fetchers = new Map<string, PoliteFetcher>();
  /**
   * Every secret any preview resolved, so the shared fetchers' log lines (which name URLs, and an
   * API key may sit in a query string) are redacted too, not only the answers.
   */
  private readonly secrets = new Redactor();

  constructor(private readonly options: PreviewFetcherOptions) {
    this.http = gatedHttpClient(options.gate, options.http, NETWORK_DISABLED_MESSAGE);
  }

  private fetcherFor(spec: CollectionSpec): PoliteFetcher {
    const userAgent = spec.metadata.userAgent;
    const politeness = spec.politeness;
    const key = JSON.stringify([userAgent, politeness]);
    let fetcher = this.fetchers.get(key);
    if (fetcher) return fetcher;
    if (this.fetchers.size >= MAX_FETCHERS) this.fetchers.delete(this.fetchers.keys().next().value!);
    const { clock, sleep, random, robots } = this.options;
    const inner = this.options.logger;
    const redact = (message: string): string => this.secrets.redact(message);
    const logger: Logger = {
      debug: (m) => inner.debug(redact(m)),
      info: (m) => inner.info(redact(m)),
      warn: (m) => inner.warn(redact(m)),
      error: (m) => inner.error(redact(m)),
    };
    fetcher = new PoliteFetcher({
      http: this.http,
      throttle: new HostThrottle({ clock, sleep, random, politeness }),
      breaker: new CircuitBreaker({ clock }),
      clock,
      sleep,
      random,
      politeness,
      userAgent,
      logger,
      robotsGate: async (url) => {
        const decision = await robots.check(url, userAgent);
        if (!decision) return { allowed: false, reason: NETWORK_DISABLED_MESSAGE };
        return { allowed: decision.allowed, reason: decision.reason, ...(decision.crawlDelayMs !== undefined ? { crawlDelayMs: decision.crawlDelayMs } : {}) };
      },
      // Loopback and private addresses only when the spec allows them, on every redirect hop too.
      scopeGate: (url) => {
        if (politeness.allowPrivateNetwork) return { allowed: true, reason: '' };
        let host: string;
        try {
          host = new URL(url).hostname;
        } catch {
          return { allowed: false, reason: `not a valid URL: ${url}` };
        }
        const kind = classifyHost(host);
        return kind === 'public' ? { allowed: true, reason: '' } : { allowed: false, reason: `${host} is a ${kind} address; set politeness.allow_private_network: true to preview it.` };
      },
    });
    this.fetchers.set(key, fetcher);
    return fetcher;
  }

  /**
   * Every secret any preview has resolved, as the engine's output redactor: the feature runs
   * response bodies through it before anything reaches the client (see features/preview.ts).
   */
  get redactor(): Redactor {
    return this.secrets;
  }

  /** Fetches the first URL of `source` (the first start URL, or the API's first page with auth). */
  async fetchFirst(spec: CollectionSpec, source: SourceSpec, signal?: AbortSignal): Promise<PreviewFetchOutcome> {
    const specUrl = previewSpecUrl(source);
    if (specUrl === undefined || specUrl.trim() === '') {
      return { ok: false, state: 'no-url', message: source.kind === 'scrape' ? 'This source has no start_urls; it reads pages that other sources follow, so there is nothing to fetch for it on its own.' : 'This source has no request URL.' };
    }
    if (!this.options.gate.allowed()) return { ok: false, state: 'network-disabled', message: NETWORK_DISABLED_MESSAGE, url: specUrl };
    // Secrets resolved here go to the shared redactor too, so they are scrubbed from log lines.
    const redactor = this.secrets;
    const templates = new TemplateResolver(envSecrets(this.options.env), redactor);
    const fetcher = this.fetcherFor(spec);
    let url: string;
    let headers: Record<string, string>;
    let method: 'GET' | 'POST' | 'HEAD' = 'GET';
    let body: string | undefined;
    try {
      if (source.kind === 'scrape') {
        url = templates.resolve(specUrl);
        headers = { accept: PAGE_ACCEPT };
      } else {
        ({ url, headers, method, body } = await this.apiRequest(source, templates, redactor, fetcher, spec.metadata.userAgent, signal));
      }
    } catch (error) {
      const message = error instanceof AuthError || error instanceof MissingSecretError ? error.message : `the request could not be built: ${error instanceof Error ? error.message : String(error)}`;
      return { ok: false, state: 'failed', message: redactor.redact(message), url: specUrl };
    }
    return this.send(fetcher, specUrl, url, { method, headers, ...(body !== undefined ? { body } : {}), ...(signal ? { signal } : {}) });
  }

  /**
   * Fetches a page a follow rule found (an absolute URL, already resolved: it may carry a secret
   * from the page it was found on, which the redactor then knows). The same polite fetcher as
   * `fetchFirst`, so robots.txt, scope, the throttle and the network gate apply to it alike.
   * `key` is the route key the response is cached under.
   */
  async fetchLinked(spec: CollectionSpec, url: string, key: string, signal?: AbortSignal): Promise<PreviewFetchOutcome> {
    if (!this.options.gate.allowed()) return { ok: false, state: 'network-disabled', message: NETWORK_DISABLED_MESSAGE, url: this.secrets.redact(url) };
    return this.send(this.fetcherFor(spec), key, url, { method: 'GET', headers: { accept: PAGE_ACCEPT }, ...(signal ? { signal } : {}) });
  }

  private async send(fetcher: PoliteFetcher, specUrl: string, url: string, init: PoliteFetchOptions): Promise<PreviewFetchOutcome> {
    const redactor = this.secrets;
    const outcome = await fetcher.fetch(url, init);
    if (!outcome.ok) {
      const blocked = !this.options.gate.allowed();
      if (blocked) return { ok: false, state: 'network-disabled', message: NETWORK_DISABLED_MESSAGE, url: redactor.redact(url) };
      return { ok: false, state: outcome.skipped ? 'skipped' : 'failed', message: redactor.redact(outcome.reason), url: redactor.redact(url) };
    }
    const response: HttpResponse = outcome.response;
    const redactedHeaders: Record<string, string> = {};
    for (const [name, value] of Object.entries(response.headers)) redactedHeaders[name] = redactor.redact(value);
    return {
      ok: true,
      response: {
        specUrl,
        url: redactor.redact(url),
        finalUrl: redactor.redact(outcome.finalUrl),
        rawFinalUrl: outcome.finalUrl,
        status: response.status,
        headers: redactedHeaders,
        timingMs: Math.round(response.timings.totalMs),
        fetchedAt: new Date(this.options.clock.now()).toISOString(),
        body: response.body,
        contentType: response.headers['content-type'] ?? '',
      },
    };
  }

  /** The first page's request of an API source: URL with params, pagination and auth; headers. */
  private async apiRequest(
    source: ApiSource,
    templates: TemplateResolver,
    redactor: Redactor,
    fetcher: PoliteFetcher,
    userAgent: string,
    signal: AbortSignal | undefined,
  ): Promise<{ url: string; headers: Record<string, string>; method: 'GET' | 'POST' | 'HEAD'; body?: string }> {
    const auth = new Authenticator(source.auth, templates, redactor, this.options.clock, async (url, headers, form) => {
      const outcome = await fetcher.fetch(url, { method: 'POST', headers: { ...headers, 'user-agent': userAgent }, body: form, ...(signal ? { signal } : {}) });
      if (!outcome.ok) return { error: outcome.reason };
      return { status: outcome.response.status, text: Buffer.from(outcome.response.body).toString('utf8') };
    });
    const applied = await auth.apply();
    const u = new URL(templates.resolve(source.request.url));
    for (const [k, v] of Object.entries(templates.resolveAll(source.request.params))) u.searchParams.set(k, v);
    for (const [k, v] of Object.entries(paginationParams(source.pagination, firstPage(source.pagination)))) u.searchParams.set(k, v);
    for (const [k, v] of Object.entries(applied.query)) if (!u.searchParams.has(k)) u.searchParams.set(k, v);
    const headers: Record<string, string> = { accept: 'application/json' };
    for (const [k, v] of Object.entries(templates.resolveAll(source.request.headers))) headers[k.toLowerCase()] = v;
    Object.assign(headers, applied.headers);
    let body: string | undefined;
    if (source.request.body !== undefined) {
      body = typeof source.request.body === 'string' ? templates.resolve(source.request.body) : JSON.stringify(source.request.body);
      if (typeof source.request.body !== 'string') headers['content-type'] ??= 'application/json';
    }
    return { url: u.toString(), headers, method: source.request.method, ...(body !== undefined ? { body } : {}) };
  }

  /** Releases the HTTP client. */
  async dispose(): Promise<void> {
    this.fetchers.clear();
    await this.http.close();
  }
}
