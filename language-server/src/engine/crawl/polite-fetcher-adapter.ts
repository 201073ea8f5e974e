/**
 * Builds the run's fetcher from the politeness and robots modules: one RobotsCache, HostThrottle,
 * CircuitBreaker and PoliteFetcher per run, shared by every source, with a robots gate that also
 * reports each verdict for the manifest.
 */
import { CircuitBreaker, HostThrottle, PoliteFetcher } from '../politeness/index';
import type { Clock, HttpClient, Logger, Sleep } from '../ports';
import { RobotsCache } from '../robots/index';
import type { PolitenessSpec } from '../spec/model';
import type { PageFetcher } from './fetch-port';

/** One robots.txt verdict as the crawl saw it. */
export interface RobotsObservation {
  url: string;
  allowed: boolean;
  reason: string;
  basis: string;
  robotsUrl: string;
  rule?: { line: number; text: string };
  crawlDelayMs?: number;
  contentSignal?: string;
}

/** What the run's fetcher needs. */
export interface PoliteFetcherAdapterOptions {
  http: HttpClient;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  politeness: PolitenessSpec;
  userAgent: string;
  logger: Logger;
  observeRobots: (o: RobotsObservation) => void;
}

/** Creates the polite fetcher of one run. */
export function createPoliteFetcher(options: PoliteFetcherAdapterOptions): PageFetcher {
  const { http, clock, sleep, random, politeness, userAgent, logger } = options;
  const robots = new RobotsCache({ http, clock, userAgent, connectTimeoutMs: politeness.timeouts.connectMs });
  const throttle = new HostThrottle({ clock, sleep, random, politeness });
  const breaker = new CircuitBreaker({ clock });
  const fetcher = new PoliteFetcher({
    http,
    throttle,
    breaker,
    clock,
    sleep,
    random,
    politeness,
    userAgent,
    logger,
    robotsGate: async (url) => {
      if (politeness.robots === 'ignore') {
        options.observeRobots({ url, allowed: true, reason: 'robots.txt ignored by the spec', basis: 'ignored', robotsUrl: '' });
        return { allowed: true, reason: 'robots.txt ignored by the spec' };
      }
      const d = await robots.check(url);
      options.observeRobots({
        url,
        allowed: d.allowed,
        reason: d.reason,
        basis: d.basis,
        robotsUrl: d.robotsUrl,
        ...(d.rule ? { rule: d.rule } : {}),
        ...(d.crawlDelayMs !== undefined ? { crawlDelayMs: d.crawlDelayMs } : {}),
        ...(d.contentSignal ? { contentSignal: Object.entries(d.contentSignal).map(([k, v]) => `${k}=${v}`).join(', ') } : {}),
      });
      return { allowed: d.allowed, reason: d.reason, ...(d.crawlDelayMs !== undefined ? { crawlDelayMs: d.crawlDelayMs } : {}) };
    },
  });
  return { fetch: (url, o) => fetcher.fetch(url, o) };
}
