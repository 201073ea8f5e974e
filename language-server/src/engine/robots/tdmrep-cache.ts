/**
 * Fetches and caches `/.well-known/tdmrep.json` per origin through the HttpClient port, so the
 * editor can say whether a site reserves text-and-data-mining rights for a URL. Unlike robots.txt
 * this is an opt-out signal, not an access rule: a failed fetch means "unknown", reported as such,
 * and never turns into "not reserved" silently.
 */
import { HttpFailure, type Clock, type HttpClient, type HttpResponse } from '../ports';
import { MAX_ROBOTS_REDIRECTS, MAX_ROBOTS_TTL_MS } from './cache';
import { matchTdmRep, parseTdmRep, TDMREP_WELL_KNOWN_PATH, type TdmRepRule, type TdmReservation } from './tdmrep';

export interface TdmRepCacheOptions {
  http: HttpClient;
  clock: Clock;
  userAgent: string;
  /** How long an answer is kept; at most and by default 24 hours. */
  ttlMs?: number;
  /** How long a failure is kept before trying again; default 60 s. */
  failureRetryMs?: number;
  /** Most bytes read; default 64 KiB (the file is a short list of rules). */
  maxBytes?: number;
  timeoutMs?: number;
}

/** The state of one origin's tdmrep.json. */
export interface TdmRepEntry {
  origin: string;
  url: string;
  /** `found`: parsed; `absent`: the site answered 4xx (no declaration); `unavailable`: no usable answer. */
  state: 'found' | 'absent' | 'unavailable';
  rules: TdmRepRule[];
  /** Problems in the file, or why it could not be fetched. */
  problems: string[];
  status?: number;
  expiresAt: number;
}

/** The TDMRep answer for one URL. */
export interface TdmRepDecision {
  /** Undefined when no rule covers the URL or the file could not be read (see `state`). */
  reservation?: TdmReservation;
  state: TdmRepEntry['state'];
  url: string;
}

/** tdmrep.json per origin, with in-flight sharing like RobotsCache. */
export class TdmRepCache {
  private readonly entries = new Map<string, TdmRepEntry>();
  private readonly inFlight = new Map<string, Promise<TdmRepEntry>>();

  constructor(private readonly options: TdmRepCacheOptions) {}

  /** The TDMRep reservation that applies to `url`. Never throws. */
  async check(url: string): Promise<TdmRepDecision> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      return { state: 'unavailable', url: '' };
    }
    const entry = await this.lookup(parsed.origin);
    const reservation = entry.state === 'found' ? matchTdmRep(entry.rules, parsed.pathname + parsed.search) : undefined;
    return { state: entry.state, url: entry.url, ...(reservation ? { reservation } : {}) };
  }

  /** The tdmrep.json state of `origin`, fetched when absent or stale. Never throws. */
  lookup(origin: string): Promise<TdmRepEntry> {
    const now = this.options.clock.now();
    const cached = this.entries.get(origin);
    if (cached && now < cached.expiresAt) return Promise.resolve(cached);
    const running = this.inFlight.get(origin);
    if (running) return running;
    const promise = this.fetchEntry(origin).then((entry) => {
      this.entries.set(origin, entry);
      return entry;
    });
    this.inFlight.set(origin, promise);
    const forget = (): void => {
      this.inFlight.delete(origin);
    };
    promise.then(forget, forget);
    return promise;
  }

  private async fetchEntry(origin: string): Promise<TdmRepEntry> {
    const start = this.options.clock.now();
    const ttl = Math.min(this.options.ttlMs ?? MAX_ROBOTS_TTL_MS, MAX_ROBOTS_TTL_MS);
    const retry = this.options.failureRetryMs ?? 60_000;
    const timeout = this.options.timeoutMs ?? 10_000;
    const first = `${origin}${TDMREP_WELL_KNOWN_PATH}`;
    const unavailable = (problem: string, status?: number): TdmRepEntry => ({
      origin,
      url: first,
      state: 'unavailable',
      rules: [],
      problems: [problem],
      expiresAt: start + retry,
      ...(status !== undefined ? { status } : {}),
    });
    let url = first;
    for (let hops = 0; ; hops++) {
      let response: HttpResponse;
      try {
        response = await this.options.http.request({
          url,
          method: 'GET',
          headers: { 'user-agent': this.options.userAgent, accept: 'application/json' },
          maxBytes: this.options.maxBytes ?? 64 * 1024,
          connectTimeoutMs: timeout,
          headersTimeoutMs: timeout,
          deadlineMs: timeout,
        });
      } catch (error) {
        return unavailable(error instanceof HttpFailure ? `${error.kind}: ${error.message}` : String(error));
      }
      const status = response.status;
      if (status >= 300 && status < 400 && response.headers['location'] && hops < MAX_ROBOTS_REDIRECTS) {
        try {
          url = new URL(response.headers['location'], url).href;
          continue;
        } catch {
          return unavailable(`redirect to an invalid URL`, status);
        }
      }
      if (status >= 200 && status < 300) {
        const { rules, errors } = parseTdmRep(new TextDecoder('utf-8').decode(response.body));
        return { origin, url, state: 'found', rules, problems: errors, status, expiresAt: start + ttl };
      }
      if (status >= 400 && status < 500 && status !== 429) {
        return { origin, url, state: 'absent', rules: [], problems: [], status, expiresAt: start + ttl };
      }
      return unavailable(`answered ${status}`, status);
    }
  }
}
