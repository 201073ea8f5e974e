// The PoliteFetcher with the real undici client against the fault server, in real time with
// small delays. Politeness is measured from the server's side: the gaps between request
// arrivals per host, and how many requests to a host were in flight at once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createHttpClient } from '../../../language-server/src/engine/http/undici-client';
import { CircuitBreaker } from '../../../language-server/src/engine/politeness/circuit-breaker';
import { HostThrottle } from '../../../language-server/src/engine/politeness/host-throttle';
import { PoliteFetcher, type RobotsGate } from '../../../language-server/src/engine/politeness/polite-fetcher';
import type { HttpClient } from '../../../language-server/src/engine/ports';
import type { PolitenessSpec } from '../../../language-server/src/engine/spec/model';
import { SECOND_HOST, startFaultServer, type FaultLogEntry, type FaultServer } from '../../support/fault-server';
import { startLoopLagMonitor, stallAllowance } from '../../support/http-loop-lag';
import { politeness } from '../../support/http-politeness';
import { realClock, realSleep } from '../../support/http-real-time';

const UA = 'GleanerBot/1.0 (+mailto:data@example.org)';
let server: FaultServer;
let client: HttpClient;

before(async () => {
  server = await startFaultServer();
  client = createHttpClient({ proxyFromEnv: false });
  // The throttle spaces the moments requests are handed to the client; the server sees them
  // one connection set-up later. The very first request in a process also pays for loading and
  // compiling undici (tens of ms), which would shorten the first measured gap by that much, so
  // open a connection to each host before measuring.
  for (const origin of [server.origin, server.origin2]) {
    await client.request({ url: `${origin}/ok?warm-up`, method: 'GET', headers: {}, maxBytes: 1e6, connectTimeoutMs: 2000, headersTimeoutMs: 2000, deadlineMs: 2000 });
  }
});
after(async () => {
  await client.close();
  await server.close();
});

function fetcherFor(spec: PolitenessSpec, robotsGate: RobotsGate = async () => ({ allowed: true, reason: 'allowed' })): PoliteFetcher {
  const random = () => 0.5;
  const throttle = new HostThrottle({ clock: realClock, sleep: realSleep, random, politeness: spec });
  const breaker = new CircuitBreaker({ clock: realClock });
  const quiet = () => undefined;
  return new PoliteFetcher({
    http: client,
    throttle,
    breaker,
    clock: realClock,
    sleep: realSleep,
    random,
    politeness: spec,
    userAgent: UA,
    robotsGate,
    logger: { debug: quiet, info: quiet, warn: quiet, error: quiet },
  });
}

/** Arrival gaps (ms) between consecutive logged requests. */
function gaps(entries: FaultLogEntry[]): number[] {
  return entries.slice(1).map((entry, i) => entry.t - entries[i].t);
}

/**
 * Asserts every gap is at least 0.95 × `minimumMs`, less the event-loop stall measured while the
 * requests ran (at most 20% of the minimum; see http-loop-lag.ts for why).
 */
function assertGapsAtLeast(entries: FaultLogEntry[], minimumMs: number, stallMs: number, label: string): void {
  const allowance = stallAllowance(stallMs, 0.2 * minimumMs);
  for (const gap of gaps(entries)) {
    assert.ok(gap >= 0.95 * minimumMs - allowance, `${label}: gap ${gap.toFixed(1)} ms < 0.95 × ${minimumMs} ms (stall allowance ${allowance.toFixed(1)} ms)`);
  }
}

/** Log entries for requests whose URL carries `?run=<tag>` (each test uses its own tag). */
function tagged(tag: string, host?: string): FaultLogEntry[] {
  return server.log.filter((entry) => entry.url.includes(`run=${tag}`) && (host === undefined || entry.host === host));
}

void describe('PoliteFetcher against the fault server (real time)', () => {
  void it('keeps every gap between requests to a host at least the delay, one at a time', async () => {
    const delayMs = 150;
    const fetcher = fetcherFor(politeness({ delayMs, concurrencyPerHost: 1 }));
    const lag = startLoopLagMonitor();
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => fetcher.fetch(`${server.origin}/ok?run=gap&i=${i}`)));
    const stall = lag.stop();
    assert.ok(outcomes.every((outcome) => outcome.ok));
    const entries = tagged('gap');
    assert.equal(entries.length, 6);
    assertGapsAtLeast(entries, delayMs, stall, 'one host');
    assert.ok(entries.every((entry) => entry.inFlightOnHost === 1));
    assert.ok(entries.every((entry) => entry.headers['user-agent'] === UA));
  });

  void it('never exceeds the per-host concurrency, and spaces starts', async () => {
    const delayMs = 60;
    const fetcher = fetcherFor(politeness({ delayMs, concurrencyPerHost: 2 }));
    const lag = startLoopLagMonitor();
    const outcomes = await Promise.all(Array.from({ length: 6 }, (_, i) => fetcher.fetch(`${server.origin}/slow-headers?ms=300&run=conc&i=${i}`)));
    const stall = lag.stop();
    assert.ok(outcomes.every((outcome) => outcome.ok));
    const entries = tagged('conc');
    assert.equal(Math.max(...entries.map((entry) => entry.inFlightOnHost)), 2);
    assertGapsAtLeast(entries, delayMs, stall, 'two at a time');
  });

  void it('honours Retry-After in seconds', async () => {
    const fetcher = fetcherFor(politeness({ delayMs: 50 }));
    const outcome = await fetcher.fetch(`${server.origin}/429?n=1&after=1&run=ra`);
    assert.equal(outcome.ok && outcome.attempts, 2);
    const [first, second] = tagged('ra');
    assert.ok(second.t - first.t >= 950, `retried after ${(second.t - first.t).toFixed(0)} ms`);
  });

  void it('honours Retry-After as an HTTP-date', async () => {
    const fetcher = fetcherFor(politeness({ delayMs: 50 }));
    const outcome = await fetcher.fetch(`${server.origin}/429?n=1&after=2&form=date&run=radate`);
    assert.equal(outcome.ok, true);
    const [first, second] = tagged('radate');
    // An HTTP-date has one-second resolution, so "2 s from now" means between 1 and 2 s.
    assert.ok(second.t - first.t >= 950, `retried after ${(second.t - first.t).toFixed(0)} ms`);
  });

  void it('skips the host when Retry-After exceeds the cap, without retrying', async () => {
    const fetcher = fetcherFor(politeness({ delayMs: 50, retries: { retryAfterCapMs: 1000 } }));
    const outcome = await fetcher.fetch(`${server.origin}/429?n=1&after=30&run=racap`);
    assert.equal(!outcome.ok && outcome.kind, 'retry-after-too-long');
    assert.equal(tagged('racap').length, 1);
  });

  void it('a host in a 503 storm slows only itself', async () => {
    const delayMs = 100;
    const fetcher = fetcherFor(politeness({ delayMs, retries: { max: 3, backoffMs: 400 } }));
    const started = Date.now();
    const lag = startLoopLagMonitor();
    const [stormy, ...calm] = await Promise.all([
      fetcher.fetch(`${server.origin}/503-storm?n=3&run=storm`),
      ...Array.from({ length: 5 }, (_, i) => fetcher.fetch(`${server.origin2}/ok?run=calm&i=${i}`)),
    ]);
    const stall = lag.stop();
    assert.equal(stormy.ok && stormy.attempts, 4);
    assert.ok(calm.every((outcome) => outcome.ok));
    const storm = tagged('storm');
    // Full jitter at random 0.5: waits of 200, 400 and 800 ms.
    const stormGaps = gaps(storm);
    const allowance = stallAllowance(stall, 0.2 * delayMs);
    [200, 400, 800].forEach((expected, i) => assert.ok(stormGaps[i] >= 0.95 * expected - allowance, `storm gap ${i}: ${stormGaps[i].toFixed(0)} ms`));
    const calmEntries = tagged('calm', SECOND_HOST);
    assert.equal(calmEntries.length, 5);
    assertGapsAtLeast(calmEntries, delayMs, stall, 'calm host');
    for (const gap of gaps(calmEntries)) assert.ok(gap < delayMs + 150 + stall, `calm host gap ${gap.toFixed(0)} ms: slowed by the other host`);
    assert.ok(calmEntries[4].t - calmEntries[0].t < 1000, 'the calm host kept its own pace');
    assert.ok(Date.now() - started >= 1300, 'the stormy host waited out its backoff');
  });

  void it('follows a chain of redirects and reports the hops', async () => {
    const fetcher = fetcherFor(politeness({ delayMs: 0 }));
    const outcome = await fetcher.fetch(`${server.origin}/chain?n=3`);
    assert.equal(outcome.ok, true);
    assert.equal(outcome.ok && outcome.finalUrl, `${server.origin}/chain?n=0`);
    assert.deepEqual(outcome.ok && outcome.redirects, [`${server.origin}/chain?n=3`, `${server.origin}/chain?n=2`, `${server.origin}/chain?n=1`]);
  });

  void it('stops a long chain at maxRedirects and detects a loop', async () => {
    const fetcher = fetcherFor(politeness({ delayMs: 0, maxRedirects: 5 }));
    const long = await fetcher.fetch(`${server.origin}/chain?n=20`);
    assert.equal(!long.ok && long.kind, 'too-many-redirects');
    const loop = await fetcher.fetch(`${server.origin}/redirect-loop`);
    assert.equal(!loop.ok && loop.kind, 'redirect-loop');
  });

  void it('applies robots.txt and the throttle again after a cross-host redirect', async () => {
    const asked: string[] = [];
    const gate: RobotsGate = async (url) => {
      asked.push(url);
      return new URL(url).hostname === SECOND_HOST && url.includes('private')
        ? { allowed: false, reason: `Disallow: /private (${SECOND_HOST})` }
        : { allowed: true, reason: 'allowed' };
    };
    const fetcher = fetcherFor(politeness({ delayMs: 0 }), gate);
    const outcome = await fetcher.fetch(`${server.origin}/cross?to=/ok`);
    assert.equal(outcome.ok && outcome.finalUrl, `${server.origin2}/ok`);
    assert.deepEqual(asked, [`${server.origin}/cross?to=/ok`, `${server.origin2}/ok`]);
    const before = server.requestsTo('/private').length;
    const blocked = await fetcher.fetch(`${server.origin}/cross?to=/private`);
    assert.equal(!blocked.ok && blocked.kind, 'robots');
    assert.equal(server.requestsTo('/private').length, before, 'the disallowed target was never requested');
  });

  void it('sends conditional headers and reports 304 as not modified', async () => {
    const fetcher = fetcherFor(politeness({ delayMs: 0 }));
    const fresh = await fetcher.fetch(`${server.origin}/etag`);
    assert.equal(fresh.ok && fresh.response.headers.etag, '"v1"');
    const again = await fetcher.fetch(`${server.origin}/etag`, { conditional: { etag: '"v1"' } });
    assert.equal(again.ok && again.notModified, true);
  });

  void it('reports network failures after retrying them', async () => {
    const fetcher = fetcherFor(politeness({ delayMs: 0, retries: { max: 2, backoffMs: 20 } }));
    const outcome = await fetcher.fetch(`${server.origin}/reset-headers?run=reset`);
    assert.equal(!outcome.ok && outcome.kind, 'network');
    assert.equal(tagged('reset').length, 3);
  });

  void it('reports a too-large body without retrying', async () => {
    const fetcher = fetcherFor(politeness({ delayMs: 0, maxResponseBytes: 1000 }));
    const outcome = await fetcher.fetch(`${server.origin}/big?bytes=5000&run=large`);
    assert.equal(!outcome.ok && outcome.kind, 'too-large');
    assert.equal(tagged('large').length, 1);
  });
});
