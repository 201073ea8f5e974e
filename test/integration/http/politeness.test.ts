// The PoliteFetcher with the real undici client against the fault server, in real time with
// small delays. Politeness is measured from the server's side: the gaps between request
// arrivals per host, and how many requests to a host were in flight at once. The server runs in
// a child process (see fault-server-process.ts), so a stall of this process cannot make a gap
// look shorter than it was; the client's own send times are recorded too, on the same clock,
// so that a failure says which side was late.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { HookedHttpRequest } from '../../../language-server/src/engine/http/request-hooks';
import { createHttpClient } from '../../../language-server/src/engine/http/undici-client';
import { CircuitBreaker } from '../../../language-server/src/engine/politeness/circuit-breaker';
import { HostThrottle } from '../../../language-server/src/engine/politeness/host-throttle';
import { PoliteFetcher, type RobotsGate } from '../../../language-server/src/engine/politeness/polite-fetcher';
import type { HttpClient } from '../../../language-server/src/engine/ports';
import type { PolitenessSpec } from '../../../language-server/src/engine/spec/model';
import { SECOND_HOST, type FaultLogEntry } from '../../support/fault-server';
import { monotonicMs, startFaultServerProcess, type FaultServerProcess } from '../../support/fault-server-remote';
import { politeness } from '../../support/http-politeness';
import { realClock, realSleep } from '../../support/http-real-time';

const UA = 'GleanerBot/1.0 (+mailto:data@example.org)';
let server: FaultServerProcess;
let undici: HttpClient;
/**
 * Every request the client put on the wire: its URL, monotonicMs() when the client's onSent hook
 * ran (`at`, the tick after undici wrote the request) and one tick later (`written`), so the
 * write happened before both and a large difference between them means this process stalled.
 */
const sent: { url: string; at: number; written?: number }[] = [];

/** The real client, recording when each request goes out before the fetcher's own onSent runs. */
const client: HttpClient = {
  request(request) {
    const hooked = request as HookedHttpRequest;
    const recorded: HookedHttpRequest = {
      ...hooked,
      onSent: () => {
        const record: (typeof sent)[number] = { url: request.url, at: monotonicMs() };
        sent.push(record);
        process.nextTick(() => (record.written = monotonicMs()));
        hooked.onSent?.();
      },
    };
    return undici.request(recorded);
  },
  close: () => undici.close(),
};

before(async () => {
  server = await startFaultServerProcess();
  undici = createHttpClient({ proxyFromEnv: false });
  // The first request in a process pays for loading and compiling undici, and the first one in
  // the server process for compiling its handler; open a connection to each host first.
  for (const origin of [server.origin, server.origin2]) {
    await client.request({ url: `${origin}/ok?warm-up`, method: 'GET', headers: {}, maxBytes: 1e6, connectTimeoutMs: 5000, headersTimeoutMs: 5000, deadlineMs: 5000 });
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

/**
 * The delay of the tests that measure gaps. Even with the server in its own process, the moment
 * it reads a request trails the moment it was sent by the scheduler's wake-up latency, which on
 * a loaded two-core machine is usually a few milliseconds but reached 18 ms with both cores busy;
 * a gap shrinks by the difference between two such latencies. The 5% tolerance must exceed that,
 * hence a delay of 500 ms (25 ms) rather than the tens of milliseconds that would make the
 * tests faster.
 */
const DELAY_MS = 500;

/** Arrival gaps (ms) between consecutive logged requests. */
function gaps(entries: FaultLogEntry[]): number[] {
  return entries.slice(1).map((entry, i) => entry.t - entries[i].t);
}

/** When the client sent each logged request (the n-th arrival of a URL is its n-th send). */
function sendTimes(entries: FaultLogEntry[]): ((typeof sent)[number] | undefined)[] {
  const seen = new Map<string, number>();
  return entries.map((entry) => {
    const url = `http://${entry.headers.host ?? entry.host}${entry.url}`;
    const nth = seen.get(url) ?? 0;
    seen.set(url, nth + 1);
    return sent.filter((record) => record.url === url)[nth];
  });
}

/**
 * Asserts every arrival gap is at least 0.95 × `minimumMs`; the 5% covers timer granularity and
 * the server's wake-up latency (see DELAY_MS), and is the only slack. The message gives the
 * client's send gap and each request's send-to-arrival time, to tell a client that sent too
 * early from a server that read late. Returns a one-line summary for the test's diagnostics.
 */
function assertGapsAtLeast(entries: FaultLogEntry[], minimumMs: number, label: string): string {
  const sends = sendTimes(entries);
  const all = gaps(entries);
  all.forEach((gap, i) => {
    const [a, b] = [sends[i], sends[i + 1]];
    const detail =
      a === undefined || b === undefined
        ? 'send times unknown'
        : `sent ${(b.at - a.at).toFixed(1)} ms apart; next tick ${((a.written ?? NaN) - a.at).toFixed(1)} and ${((b.written ?? NaN) - b.at).toFixed(1)} ms after each hook; ` +
          `arrived ${(entries[i].t - a.at).toFixed(1)} and ${(entries[i + 1].t - b.at).toFixed(1)} ms after sending`;
    assert.ok(gap >= 0.95 * minimumMs, `${label}: gap ${i} of ${gap.toFixed(1)} ms < 0.95 × ${minimumMs} ms (${detail})`);
  });
  const latencies = entries.map((entry, i) => entry.t - (sends[i]?.at ?? entry.t));
  return `${label}: smallest gap ${Math.min(...all).toFixed(1)} ms for a ${minimumMs} ms delay; send to arrival at most ${Math.max(...latencies).toFixed(1)} ms`;
}

/** Log entries for requests whose URL carries `?run=<tag>` (each test uses its own tag). */
async function tagged(tag: string, host?: string): Promise<FaultLogEntry[]> {
  return (await server.log()).filter((entry) => entry.url.includes(`run=${tag}`) && (host === undefined || entry.host === host));
}

void describe('PoliteFetcher against the fault server (real time)', () => {
  void it('keeps every gap between requests to a host at least the delay, one at a time', async (t) => {
    const delayMs = DELAY_MS;
    const fetcher = fetcherFor(politeness({ delayMs, concurrencyPerHost: 1 }));
    const outcomes = await Promise.all(Array.from({ length: 5 }, (_, i) => fetcher.fetch(`${server.origin}/ok?run=gap&i=${i}`)));
    assert.ok(outcomes.every((outcome) => outcome.ok));
    const entries = await tagged('gap');
    assert.equal(entries.length, 5);
    t.diagnostic(assertGapsAtLeast(entries, delayMs, 'one host'));
    assert.ok(entries.every((entry) => entry.inFlightOnHost === 1));
    assert.ok(entries.every((entry) => entry.headers['user-agent'] === UA));
  });

  void it('never exceeds the per-host concurrency, and spaces starts', async (t) => {
    const delayMs = DELAY_MS;
    const fetcher = fetcherFor(politeness({ delayMs, concurrencyPerHost: 2 }));
    // Each answer takes longer than two delays, so the third request must wait for a slot.
    const outcomes = await Promise.all(Array.from({ length: 4 }, (_, i) => fetcher.fetch(`${server.origin}/slow-headers?ms=${2 * DELAY_MS + 100}&run=conc&i=${i}`)));
    assert.ok(outcomes.every((outcome) => outcome.ok));
    const entries = await tagged('conc');
    assert.equal(entries.length, 4);
    assert.equal(Math.max(...entries.map((entry) => entry.inFlightOnHost)), 2);
    t.diagnostic(assertGapsAtLeast(entries, delayMs, 'two at a time'));
  });

  void it('honours Retry-After in seconds', async () => {
    const fetcher = fetcherFor(politeness({ delayMs: 50 }));
    const outcome = await fetcher.fetch(`${server.origin}/429?n=1&after=1&run=ra`);
    assert.equal(outcome.ok && outcome.attempts, 2);
    const [first, second] = await tagged('ra');
    assert.ok(second.t - first.t >= 950, `retried after ${(second.t - first.t).toFixed(0)} ms`);
  });

  void it('honours Retry-After as an HTTP-date', async () => {
    const fetcher = fetcherFor(politeness({ delayMs: 50 }));
    const outcome = await fetcher.fetch(`${server.origin}/429?n=1&after=2&form=date&run=radate`);
    assert.equal(outcome.ok, true);
    const [first, second] = await tagged('radate');
    // An HTTP-date has one-second resolution, so "2 s from now" means between 1 and 2 s.
    assert.ok(second.t - first.t >= 950, `retried after ${(second.t - first.t).toFixed(0)} ms`);
  });

  void it('skips the host when Retry-After exceeds the cap, without retrying', async () => {
    const fetcher = fetcherFor(politeness({ delayMs: 50, retries: { retryAfterCapMs: 1000 } }));
    const outcome = await fetcher.fetch(`${server.origin}/429?n=1&after=30&run=racap`);
    assert.equal(!outcome.ok && outcome.kind, 'retry-after-too-long');
    assert.equal((await tagged('racap')).length, 1);
  });

  void it('a host in a 503 storm slows only itself', async (t) => {
    const delayMs = DELAY_MS;
    const fetcher = fetcherFor(politeness({ delayMs, retries: { max: 3, backoffMs: 1200 } }));
    const [stormy, ...calm] = await Promise.all([
      fetcher.fetch(`${server.origin}/503-storm?n=3&run=storm`),
      ...Array.from({ length: 5 }, (_, i) => fetcher.fetch(`${server.origin2}/ok?run=calm&i=${i}`)),
    ]);
    assert.equal(stormy.ok && stormy.attempts, 4);
    assert.ok(calm.every((outcome) => outcome.ok));
    const storm = await tagged('storm');
    assert.equal(storm.length, 4);
    // Full jitter at random 0.5: waits of 600, 1200 and 2400 ms, each longer than the delay.
    const stormGaps = gaps(storm);
    [600, 1200, 2400].forEach((expected, i) => assert.ok(stormGaps[i] >= 0.95 * expected, `storm gap ${i}: ${stormGaps[i].toFixed(1)} ms < 0.95 × ${expected} ms`));
    const calmEntries = await tagged('calm', SECOND_HOST);
    assert.equal(calmEntries.length, 5);
    t.diagnostic(assertGapsAtLeast(calmEntries, delayMs, 'calm host'));
    // Had the stormy host's pauses (600, 1200, 2400 ms, each starting as the one before ends)
    // reached the calm host, its five requests would span 4700 ms or more, not 2000.
    const calmSpan = calmEntries[4].t - calmEntries[0].t;
    assert.ok(calmSpan < 3000, `the calm host kept its own pace (${calmSpan.toFixed(0)} ms for five requests)`);
    const stormSpan = storm[3].t - storm[0].t;
    assert.ok(stormSpan >= 0.95 * 4200, `the stormy host waited out its backoff (${stormSpan.toFixed(0)} ms)`);
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
    const before = (await server.requestsTo('/private')).length;
    const blocked = await fetcher.fetch(`${server.origin}/cross?to=/private`);
    assert.equal(!blocked.ok && blocked.kind, 'robots');
    assert.equal((await server.requestsTo('/private')).length, before, 'the disallowed target was never requested');
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
    assert.equal((await tagged('reset')).length, 3);
  });

  void it('reports a too-large body without retrying', async () => {
    const fetcher = fetcherFor(politeness({ delayMs: 0, maxResponseBytes: 1000 }));
    const outcome = await fetcher.fetch(`${server.origin}/big?bytes=5000&run=large`);
    assert.equal(!outcome.ok && outcome.kind, 'too-large');
    assert.equal((await tagged('large')).length, 1);
  });
});
