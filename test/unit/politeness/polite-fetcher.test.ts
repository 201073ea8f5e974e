import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker } from '../../../language-server/src/engine/politeness/circuit-breaker';
import { HostThrottle } from '../../../language-server/src/engine/politeness/host-throttle';
import { PoliteFetcher, type FetchOutcome, type RobotsGate } from '../../../language-server/src/engine/politeness/polite-fetcher';
import { HttpFailure, type HttpRequest } from '../../../language-server/src/engine/ports';
import type { PolitenessSpec } from '../../../language-server/src/engine/spec/model';
import { FakeClock } from '../../support/http-fake-clock';
import { politeness } from '../../support/http-politeness';
import { scriptedClient, type ScriptedAnswer } from '../../support/http-scripted-client';

const UA = 'GleanerBot/1.0 (+mailto:data@example.org)';

function setup(handler: (request: HttpRequest, nth: number) => ScriptedAnswer, spec: PolitenessSpec = politeness(), robotsGate?: RobotsGate) {
  const clock = new FakeClock(1_000_000);
  const http = scriptedClient(clock, handler);
  const random = () => 0.5;
  const throttle = new HostThrottle({ clock, sleep: clock.sleep, random, politeness: spec });
  const breaker = new CircuitBreaker({ clock, failureThreshold: 2, coolDownMs: 30_000, maxPauses: 1 });
  const robotsCalls: string[] = [];
  const logs: string[] = [];
  const fetcher = new PoliteFetcher({
    http,
    throttle,
    breaker,
    clock,
    sleep: clock.sleep,
    random,
    politeness: spec,
    userAgent: UA,
    robotsGate: async (url) => {
      robotsCalls.push(url);
      return robotsGate ? robotsGate(url) : { allowed: true, reason: 'no rule' };
    },
    logger: { debug: (m) => logs.push(m), info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
  });
  /** Runs a fetch to completion on the fake clock. */
  const run = async (url: string, options?: Parameters<PoliteFetcher['fetch']>[1]): Promise<FetchOutcome> => {
    let outcome: FetchOutcome | undefined;
    let error: unknown;
    const done = fetcher.fetch(url, options).then(
      (value) => (outcome = value),
      (e: unknown) => (error = e ?? new Error('rejected')),
    );
    await clock.runUntil(() => outcome !== undefined || error !== undefined);
    await done;
    if (error !== undefined) throw error;
    return outcome as FetchOutcome;
  };
  const times = () => http.requests.map((r) => r.at - 1_000_000);
  return { clock, http, throttle, breaker, fetcher, run, robotsCalls, logs, times };
}

void describe('PoliteFetcher', () => {
  void it('sends the User-Agent and Accept headers it is given, and returns the response', async () => {
    const t = setup(() => ({ status: 200, body: 'hello' }));
    const outcome = await t.run('http://a.test/page', { headers: { Accept: 'text/html', 'User-Agent': 'spoof' } });
    assert.equal(outcome.ok, true);
    assert.equal(outcome.ok && outcome.attempts, 1);
    assert.equal(outcome.ok && outcome.finalUrl, 'http://a.test/page');
    const sent = t.http.requests[0].request;
    assert.equal(sent.headers['user-agent'], UA, 'the spec user agent cannot be overridden');
    assert.equal(sent.headers.accept, 'text/html');
    assert.equal(sent.method, 'GET');
    assert.equal(sent.maxBytes, 10 * 1024 * 1024);
    assert.deepEqual(t.robotsCalls, ['http://a.test/page']);
  });

  void it('sends conditional headers and reports a 304 as not modified', async () => {
    const t = setup((request) => (request.headers['if-none-match'] === '"v1"' ? { status: 304 } : { status: 200 }));
    const outcome = await t.run('http://a.test/api', { conditional: { etag: '"v1"', lastModified: 'Mon, 23 Nov 2026 10:00:00 GMT' } });
    assert.equal(outcome.ok && outcome.notModified, true);
    assert.equal(t.http.requests[0].request.headers['if-modified-since'], 'Mon, 23 Nov 2026 10:00:00 GMT');
  });

  void it('skips a URL robots.txt disallows, without requesting it', async () => {
    const t = setup(() => ({ status: 200 }), politeness(), async () => ({ allowed: false, reason: 'Disallow: /private/ (line 3)' }));
    const outcome = await t.run('http://a.test/private/x');
    assert.deepEqual(outcome, { ok: false, skipped: true, kind: 'robots', url: 'http://a.test/private/x', reason: 'Disallow: /private/ (line 3)' });
    assert.equal(t.http.requests.length, 0);
  });

  void it('fails closed when the robots gate throws', async () => {
    const t = setup(() => ({ status: 200 }), politeness(), async () => {
      throw new Error('cache exploded');
    });
    const outcome = await t.run('http://a.test/x');
    assert.equal(!outcome.ok && outcome.kind, 'robots');
    assert.match(!outcome.ok ? outcome.reason : '', /could not be checked: cache exploded/);
    assert.equal(t.http.requests.length, 0);
  });

  void it('does not consult robots.txt when robots is ignore', async () => {
    const t = setup(() => ({ status: 200 }), politeness({ robots: 'ignore' }), async () => ({ allowed: false, reason: 'no' }));
    assert.equal((await t.run('http://a.test/x')).ok, true);
    assert.deepEqual(t.robotsCalls, []);
  });

  void it('applies the robots Crawl-delay to the throttle', async () => {
    const t = setup(() => ({ status: 200 }), politeness({ delayMs: 100 }), async () => ({ allowed: true, reason: 'ok', crawlDelayMs: 2000 }));
    await t.run('http://a.test/1');
    await t.run('http://a.test/2');
    assert.deepEqual(t.times(), [0, 2000]);
  });

  void it('follows redirects hop by hop, through robots and the throttle on each hop', async () => {
    const t = setup((request) => {
      if (request.url === 'http://a.test/start') return { status: 301, headers: { location: '/middle' } };
      if (request.url === 'http://a.test/middle') return { status: 302, headers: { location: 'http://b.test/end#frag' } };
      return { status: 200, body: 'end' };
    }, politeness({ delayMs: 1000 }));
    const outcome = await t.run('http://a.test/start');
    assert.equal(outcome.ok, true);
    assert.equal(outcome.ok && outcome.finalUrl, 'http://b.test/end');
    assert.deepEqual(outcome.ok && outcome.redirects, ['http://a.test/start', 'http://a.test/middle']);
    assert.equal(outcome.ok && outcome.attempts, 3);
    assert.deepEqual(t.robotsCalls, ['http://a.test/start', 'http://a.test/middle', 'http://b.test/end']);
    // The second hop to a.test waits for a.test's gap; b.test starts at once.
    assert.deepEqual(t.times(), [0, 1000, 1000]);
  });

  void it('skips a redirect into a disallowed path on another host', async () => {
    const t = setup(
      () => ({ status: 307, headers: { location: 'http://b.test/private' } }),
      politeness(),
      async (url) => (url.startsWith('http://b.test/') ? { allowed: false, reason: 'b.test: Disallow: /' } : { allowed: true, reason: 'ok' }),
    );
    const outcome = await t.run('http://a.test/go');
    assert.equal(!outcome.ok && outcome.skipped && outcome.kind, 'robots');
    assert.equal(t.http.requests.length, 1);
  });

  void it('detects a redirect loop', async () => {
    const t = setup((request) => ({ status: 302, headers: { location: request.url.endsWith('/a') ? '/b' : '/a' } }), politeness({ delayMs: 0 }));
    const outcome = await t.run('http://a.test/a');
    assert.equal(!outcome.ok && outcome.kind, 'redirect-loop');
    assert.match(!outcome.ok ? outcome.reason : '', /http:\/\/a\.test\/a → http:\/\/a\.test\/b → http:\/\/a\.test\/a/);
  });

  void it('stops after maxRedirects', async () => {
    const t = setup((request) => ({ status: 301, headers: { location: `${request.url}x` } }), politeness({ delayMs: 0, maxRedirects: 3 }));
    const outcome = await t.run('http://a.test/r');
    assert.equal(!outcome.ok && outcome.kind, 'too-many-redirects');
    assert.equal(t.http.requests.length, 4, 'the start plus three redirects were requested');
  });

  void it('turns POST into GET on 303', async () => {
    const t = setup((request) => (request.url.endsWith('/form') ? { status: 303, headers: { location: '/done' } } : { status: 200 }), politeness({ delayMs: 0 }));
    await t.run('http://a.test/form', { method: 'POST', body: 'a=1' });
    assert.equal(t.http.requests[1].request.method, 'GET');
    assert.equal(t.http.requests[1].request.body, undefined);
  });

  void it('retries a 503 storm with backoff through the host pause, then succeeds', async () => {
    const t = setup((_request, nth) => (nth < 2 ? { status: 503 } : { status: 200 }), politeness({ delayMs: 100, retries: { backoffMs: 1000 } }));
    const outcome = await t.run('http://a.test/x');
    assert.equal(outcome.ok && outcome.attempts, 3);
    // Full jitter with random 0.5: 500 ms, then 1000 ms.
    assert.deepEqual(t.times(), [0, 500, 1500]);
  });

  void it('honours Retry-After without charging the retry budget', async () => {
    const t = setup((_request, nth) => (nth < 3 ? { status: 429, headers: { 'retry-after': '2' } } : { status: 200 }), politeness({ delayMs: 100, retries: { max: 1 } }));
    const outcome = await t.run('http://a.test/x');
    assert.equal(outcome.ok && outcome.attempts, 4);
    assert.deepEqual(t.times(), [0, 2000, 4000, 6000]);
  });

  void it('waits for an exhausted X-RateLimit budget to reset before the next request to that host', async () => {
    const t = setup((_request, nth) => (nth === 0 ? { status: 200, headers: { 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '3' } } : { status: 200 }), politeness({ delayMs: 100 }));
    await t.run('http://a.test/first');
    await t.run('http://a.test/second');
    await t.run('http://b.test/other');
    assert.deepEqual(t.times(), [0, 3000, 3000]);
  });

  void it('a Retry-After pause holds other URLs on the host but not other hosts', async () => {
    const t = setup((request, nth) => (request.url === 'http://a.test/limited' && nth === 0 ? { status: 503, headers: { 'retry-after': '5' } } : { status: 200 }), politeness({ delayMs: 100 }));
    const done = Promise.all([t.fetcher.fetch('http://a.test/limited'), t.fetcher.fetch('http://a.test/other'), t.fetcher.fetch('http://b.test/x')]);
    let finished = false;
    void done.then(() => (finished = true));
    await t.clock.runUntil(() => finished);
    const at = (url: string) => t.http.requests.filter((r) => r.request.url === url).map((r) => r.at - 1_000_000);
    assert.deepEqual(at('http://a.test/limited'), [0, 5100]);
    assert.deepEqual(at('http://a.test/other'), [5000]);
    assert.deepEqual(at('http://b.test/x'), [0]);
  });

  void it('stops the host when Retry-After is longer than the cap', async () => {
    const t = setup(() => ({ status: 503, headers: { 'retry-after': '3600' } }), politeness({ retries: { retryAfterCapMs: 60_000 } }));
    const outcome = await t.run('http://a.test/x');
    assert.equal(!outcome.ok && outcome.kind, 'retry-after-too-long');
    assert.match(!outcome.ok ? outcome.reason : '', /Retry-After 60 min, longer than the 60 s/);
    const next = await t.run('http://a.test/y');
    assert.equal(!next.ok && next.kind, 'host-abandoned');
    assert.equal(t.http.requests.length, 1);
  });

  void it('does not retry a 404 and reports its status', async () => {
    const t = setup(() => ({ status: 404 }));
    const outcome = await t.run('http://a.test/missing');
    assert.deepEqual(outcome, { ok: false, skipped: false, kind: 'http-status', url: 'http://a.test/missing', reason: 'HTTP 404 from http://a.test/missing', attempts: 1, status: 404 });
  });

  void it('does not retry POST', async () => {
    const t = setup(() => ({ status: 503 }));
    const outcome = await t.run('http://a.test/submit', { method: 'POST', body: 'x' });
    assert.equal(!outcome.ok && !outcome.skipped && outcome.attempts, 1);
  });

  void it('does not retry too-large responses', async () => {
    const t = setup(() => new HttpFailure('too-large', 'http://a.test/big', 'too large'));
    const outcome = await t.run('http://a.test/big');
    assert.equal(!outcome.ok && outcome.kind, 'too-large');
    assert.equal(t.http.requests.length, 1);
  });

  void it('gives up on network errors after the retries, and trips the breaker', async () => {
    const t = setup(() => new HttpFailure('network', 'x', 'ECONNRESET'), politeness({ delayMs: 0, retries: { max: 2 } }));
    const first = await t.run('http://a.test/1');
    assert.equal(!first.ok && !first.skipped && first.attempts, 3);
    assert.equal(!first.ok && first.kind, 'network');
    assert.equal(t.breaker.check('a.test').state, 'closed');
    await t.run('http://a.test/2');
    assert.equal(t.breaker.check('a.test').state, 'paused');
    // The pause goes through the throttle: the next attempt waits for the cool-down.
    const before = t.clock.now();
    await t.run('http://a.test/3');
    assert.ok(t.http.requests[6].at >= before + 30_000 - 1, 'paused host waits for the cool-down');
    // Second trip (maxPauses 1) abandons the host.
    await t.run('http://a.test/4');
    const abandoned = await t.run('http://a.test/5');
    assert.equal(!abandoned.ok && abandoned.kind, 'host-abandoned');
  });

  void it('rejects with an aborted HttpFailure when cancelled while waiting', async () => {
    const t = setup(() => ({ status: 200 }), politeness({ delayMs: 10_000 }));
    await t.run('http://a.test/1');
    const controller = new AbortController();
    const pending = t.fetcher.fetch('http://a.test/2', { signal: controller.signal });
    await t.clock.advance(100);
    controller.abort();
    await assert.rejects(pending, (error: unknown) => error instanceof HttpFailure && error.kind === 'aborted');
  });

  void it('reports invalid URLs and schemes', async () => {
    const t = setup(() => ({ status: 200 }));
    assert.equal(((await t.run('not a url')) as { kind: string }).kind, 'invalid');
    assert.equal(((await t.run('ftp://a.test/x')) as { kind: string }).kind, 'invalid');
  });
});
