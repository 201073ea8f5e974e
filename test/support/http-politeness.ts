/** A complete PolitenessSpec for HTTP and politeness tests, with the parser's defaults overridable. */
import type { PolitenessSpec } from '../../language-server/src/engine/spec/model';

type Overrides = Partial<Omit<PolitenessSpec, 'retries' | 'timeouts' | 'budget'>> & {
  retries?: Partial<PolitenessSpec['retries']>;
  timeouts?: Partial<PolitenessSpec['timeouts']>;
};

/** The default politeness (1 s per host, 1 at a time), with `overrides` applied. */
export function politeness(overrides: Overrides = {}): PolitenessSpec {
  const { retries, timeouts, ...rest } = overrides;
  return {
    robots: 'obey',
    delayMs: 1000,
    jitter: 0,
    concurrencyPerHost: 1,
    concurrencyTotal: 8,
    autoThrottle: false,
    budget: {},
    maxResponseBytes: 10 * 1024 * 1024,
    maxRedirects: 5,
    allowPrivateNetwork: true,
    ...rest,
    timeouts: { connectMs: 5000, headersMs: 5000, requestMs: 10_000, ...timeouts },
    retries: { max: 3, backoffMs: 1000, maxBackoffMs: 60_000, retryAfterCapMs: 120_000, ...retries },
  };
}
