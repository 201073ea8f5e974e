/**
 * The server's one robots.txt service: a RobotsCache per user agent (each keyed by origin and
 * holding robots.txt at most 24 hours), all sharing one HTTP client, plus TDMRep
 * (`/.well-known/tdmrep.json`) per origin. Every check passes the network gate first, at the
 * moment it would fetch, so an untrusted or network-disabled workspace makes zero requests.
 */
import type { Clock, HttpClient } from '../engine/ports';
import { matchTdmRep, MAX_ROBOTS_TTL_MS, RobotsCache, TDMREP_WELL_KNOWN_PATH, type RobotsDecision, type TdmReservation } from '../engine/robots';
import type { NetworkGate } from './network-gate';

/** Answers robots.txt and TDMRep questions for the server's features. */
export interface RobotsChecker {
  /**
   * The verdict for `url` under `userAgent`, or undefined when the network is not allowed (the
   * caller then shows nothing rather than a verdict it could not check). Never rejects.
   */
  check(url: string, userAgent: string): Promise<RobotsDecision | undefined>;
  /**
   * The TDMRep reservation that applies to `url` from its origin's `tdmrep.json`, or undefined
   * when there is none, it cannot be read, or the network is not allowed. Never rejects.
   */
  tdm(url: string, userAgent: string): Promise<TdmReservation | undefined>;
  /** Releases the HTTP client. */
  dispose(): Promise<void>;
}

/** How many user agents keep their own cache before the oldest is dropped. */
const MAX_AGENTS = 16;
/** A failed or absent tdmrep.json is asked again after this long. */
const TDM_RETRY_MS = 10 * 60 * 1000;
const TDM_MAX_BYTES = 256 * 1024;
const TIMEOUT_MS = 10_000;

/** A RobotsChecker over the engine's RobotsCache. `http` is created lazily, on the first allowed check. */
export function createRobotsChecker(options: { gate: NetworkGate; clock: Clock; http: () => HttpClient }): RobotsChecker {
  let http: HttpClient | undefined;
  const caches = new Map<string, RobotsCache>();
  const tdmFiles = new Map<string, { json: unknown; expiresAt: number } | Promise<unknown>>();

  const client = (): HttpClient => (http ??= options.http());

  const cacheFor = (userAgent: string): RobotsCache => {
    let cache = caches.get(userAgent);
    if (cache) return cache;
    if (caches.size >= MAX_AGENTS) {
      const oldest = caches.keys().next().value;
      if (oldest !== undefined) caches.delete(oldest);
    }
    cache = new RobotsCache({ http: client(), clock: options.clock, userAgent });
    caches.set(userAgent, cache);
    return cache;
  };

  /** The parsed tdmrep.json of `origin`, or undefined; one fetch per origin at a time. */
  const tdmFile = async (origin: string, userAgent: string): Promise<unknown> => {
    const cached = tdmFiles.get(origin);
    if (cached instanceof Promise) return cached;
    if (cached && options.clock.now() < cached.expiresAt) return cached.json;
    const fetching = (async (): Promise<unknown> => {
      let json: unknown;
      let lifetime = TDM_RETRY_MS;
      try {
        const response = await client().request({
          url: origin + TDMREP_WELL_KNOWN_PATH,
          method: 'GET',
          headers: { 'user-agent': userAgent, accept: 'application/json' },
          maxBytes: TDM_MAX_BYTES,
          connectTimeoutMs: TIMEOUT_MS,
          headersTimeoutMs: TIMEOUT_MS,
          deadlineMs: TIMEOUT_MS,
        });
        if (response.status === 200) {
          json = JSON.parse(Buffer.from(response.body).toString('utf8')) as unknown;
          lifetime = MAX_ROBOTS_TTL_MS;
        }
      } catch {
        // No tdmrep.json, or an unreadable one, means no TDMRep signal; robots.txt Content-Signal
        // still applies. The failure is remembered only briefly.
        json = undefined;
      }
      tdmFiles.set(origin, { json, expiresAt: options.clock.now() + lifetime });
      return json;
    })();
    tdmFiles.set(origin, fetching);
    return fetching;
  };

  return {
    async check(url, userAgent) {
      if (!options.gate.allowed()) return undefined;
      return cacheFor(userAgent).check(url);
    },
    async tdm(url, userAgent) {
      if (!options.gate.allowed()) return undefined;
      let parsed: URL;
      try {
        parsed = new URL(url);
      } catch {
        return undefined;
      }
      const json = await tdmFile(parsed.origin, userAgent);
      return json === undefined ? undefined : matchTdmRep(json, parsed.pathname + parsed.search);
    },
    async dispose() {
      caches.clear();
      tdmFiles.clear();
      await http?.close();
    },
  };
}
