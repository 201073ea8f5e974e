// RobotsCache against a fake HttpClient (the port is the boundary) and a fake clock.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpFailure, type HttpClient, type HttpRequest, type HttpResponse } from '../../../language-server/src/engine/ports';
import { RobotsCache } from '../../../language-server/src/engine/robots';
import { cacheControlLifetimeMs, MIN_ROBOTS_TTL_MS } from '../../../language-server/src/engine/robots/cache';

type Reply = { status: number; body?: string; headers?: Record<string, string> } | HttpFailure;

/** A fake HttpClient answering from a table of URL → reply, recording every request. */
class FakeHttp implements HttpClient {
  readonly requests: HttpRequest[] = [];
  constructor(public routes: Record<string, Reply | ((req: HttpRequest) => Reply)>) {}
  async request(request: HttpRequest): Promise<HttpResponse> {
    this.requests.push(request);
    const route = this.routes[request.url];
    const reply = typeof route === 'function' ? route(request) : route;
    if (!reply) throw new HttpFailure('network', request.url, 'connection refused');
    if (reply instanceof HttpFailure) throw reply;
    const body = new TextEncoder().encode(reply.body ?? '');
    if (body.length > request.maxBytes) throw new HttpFailure('too-large', request.url, 'body too large');
    return { url: request.url, status: reply.status, headers: reply.headers ?? {}, body, timings: { headersMs: 1, totalMs: 1 } };
  }
  async close(): Promise<void> {}
}

class FakeClock {
  constructor(public time = 1_000_000) {}
  now(): number {
    return this.time;
  }
}

const ORIGIN = 'http://site.test';
const ROBOTS = `${ORIGIN}/robots.txt`;
const UA = 'GleanerBot/0.1 (+mailto:data@example.org)';
const TEXT = [
  'User-agent: *',
  'Disallow: /private/',
  'Content-Signal: search=yes, ai-train=no',
  'Crawl-delay: 2',
  '',
  'User-agent: GleanerBot',
  'Allow: /',
  'Disallow: /private/',
  'Crawl-delay: 1.5',
  'Sitemap: http://site.test/sitemap.xml',
].join('\n');

function cacheWith(routes: Record<string, Reply | ((req: HttpRequest) => Reply)>, extra: Partial<ConstructorParameters<typeof RobotsCache>[0]> = {}) {
  const http = new FakeHttp(routes);
  const clock = new FakeClock();
  const cache = new RobotsCache({ http, clock, userAgent: UA, ...extra });
  return { http, clock, cache };
}

void test('200: the deciding rule, its line, crawl delay, content signal and sitemaps', async () => {
  const { cache, http } = cacheWith({ [ROBOTS]: { status: 200, body: TEXT } });
  const denied = await cache.check(`${ORIGIN}/private/staff.html`);
  assert.equal(denied.allowed, false);
  assert.equal(denied.basis, 'rule');
  assert.equal(denied.reason, 'Disallow: /private/ (robots.txt line 8)');
  assert.deepEqual(denied.rule, { line: 8, text: 'Disallow: /private/' });
  assert.equal(denied.crawlDelayMs, 1500);
  assert.deepEqual(denied.contentSignal, { search: 'yes', 'ai-train': 'no' });
  assert.equal(denied.robotsUrl, ROBOTS);
  assert.equal(denied.status, 200);
  const ok = await cache.check(`${ORIGIN}/catalogue/page-1.html`);
  assert.equal(ok.allowed, true);
  assert.equal(ok.reason, 'Allow: / (robots.txt line 7)');
  const entry = await cache.lookup(ORIGIN);
  assert.deepEqual(entry.sitemaps, ['http://site.test/sitemap.xml']);
  assert.equal(entry.text, TEXT);
  assert.equal(http.requests.length, 1);
  const sent = http.requests[0]!;
  assert.equal(sent.headers['user-agent'], UA);
  assert.equal(sent.method, 'GET');
  assert.equal(sent.maxBytes, 512 * 1024);
  assert.ok(sent.deadlineMs > 0 && sent.connectTimeoutMs > 0 && sent.headersTimeoutMs > 0);
});

void test('200 with no matching rule says so', async () => {
  const { cache } = cacheWith({ [ROBOTS]: { status: 200, body: 'User-agent: *\nDisallow: /x\n' } });
  const decision = await cache.check(`${ORIGIN}/y`);
  assert.equal(decision.allowed, true);
  assert.equal(decision.basis, 'no-rule');
  assert.match(decision.reason, /No robots\.txt rule for the \* group matches \/y/);
});

function chain(hops: number, final: Reply): Record<string, Reply> {
  const routes: Record<string, Reply> = {};
  for (let i = 0; i < hops; i++) {
    const from = i === 0 ? ROBOTS : `http://hop${i}.test/robots.txt`;
    routes[from] = { status: i % 2 === 0 ? 301 : 302, headers: { location: `http://hop${i + 1}.test/robots.txt` } };
  }
  routes[hops === 0 ? ROBOTS : `http://hop${hops}.test/robots.txt`] = final;
  return routes;
}

for (let hops = 1; hops <= 5; hops++) {
  void test(`3xx chain of ${hops} hop(s), across hosts, is followed and parsed`, async () => {
    const { cache, http } = cacheWith(chain(hops, { status: 200, body: 'User-agent: *\nDisallow: /x\n' }));
    const decision = await cache.check(`${ORIGIN}/x`);
    assert.equal(decision.allowed, false);
    assert.equal(decision.basis, 'rule');
    assert.equal(http.requests.length, hops + 1);
    const entry = await cache.lookup(ORIGIN);
    assert.equal(entry.redirects, hops);
    assert.equal(entry.finalUrl, `http://hop${hops}.test/robots.txt`);
  });
}

void test('3xx chain of 6 hops is abandoned and treated as unavailable (allow all)', async () => {
  const { cache, http } = cacheWith(chain(6, { status: 200, body: 'User-agent: *\nDisallow: /\n' }));
  const decision = await cache.check(`${ORIGIN}/x`);
  assert.equal(decision.allowed, true);
  assert.equal(decision.basis, 'status');
  assert.match(decision.reason, /redirected more than 5 times/);
  assert.equal(http.requests.length, 6);
});

void test('a relative Location is resolved; a 3xx without Location is unavailable', async () => {
  const relative = cacheWith({
    [ROBOTS]: { status: 302, headers: { location: '/other/robots.txt' } },
    [`${ORIGIN}/other/robots.txt`]: { status: 200, body: 'User-agent: *\nDisallow: /x\n' },
  });
  assert.equal((await relative.cache.check(`${ORIGIN}/x`)).allowed, false);
  const missing = cacheWith({ [ROBOTS]: { status: 302 } });
  const decision = await missing.cache.check(`${ORIGIN}/x`);
  assert.equal(decision.allowed, true);
  assert.match(decision.reason, /without a usable Location/);
});

for (const code of [404, 403, 401, 410]) {
  void test(`${code}: everything allowed`, async () => {
    const { cache } = cacheWith({ [ROBOTS]: { status: code, body: 'User-agent: *\nDisallow: /\n' } });
    const decision = await cache.check(`${ORIGIN}/anything`);
    assert.equal(decision.allowed, true);
    assert.equal(decision.basis, 'status');
    assert.equal(decision.status, code);
    assert.match(decision.reason, new RegExp(`robots.txt answered ${code}: unavailable, everything allowed`));
  });
}

for (const code of [429, 500, 503]) {
  void test(`${code}: everything disallowed until it recovers`, async () => {
    const { cache } = cacheWith({ [ROBOTS]: { status: code } });
    const decision = await cache.check(`${ORIGIN}/anything`);
    assert.equal(decision.allowed, false);
    assert.equal(decision.basis, 'status');
    assert.equal(decision.status, code);
    assert.match(decision.reason, new RegExp(`robots.txt answered ${code}.*: everything disallowed until it recovers`));
  });
}

void test('503 reason reads as a sentence', async () => {
  const { cache } = cacheWith({ [ROBOTS]: { status: 503 } });
  assert.equal((await cache.check(`${ORIGIN}/`)).reason, 'robots.txt answered 503: everything disallowed until it recovers');
});

for (const kind of ['timeout', 'network'] as const) {
  void test(`${kind} failure: everything disallowed, basis unreachable`, async () => {
    const { cache } = cacheWith({ [ROBOTS]: new HttpFailure(kind, ROBOTS, `${kind} happened`) });
    const decision = await cache.check(`${ORIGIN}/x`);
    assert.equal(decision.allowed, false);
    assert.equal(decision.basis, 'unreachable');
    assert.match(decision.reason, new RegExp(`could not be fetched \\(${kind}: ${kind} happened\\)`));
  });
}

void test('a client that throws something other than HttpFailure still fails closed', async () => {
  const { cache } = cacheWith({
    [ROBOTS]: () => {
      throw new TypeError('bug');
    },
  });
  const decision = await cache.check(`${ORIGIN}/x`);
  assert.equal(decision.allowed, false);
  assert.equal(decision.basis, 'unreachable');
});

void test('oversized: the first maxBytes are fetched with a Range request and parsed', async () => {
  const big = 'User-agent: *\nDisallow: /x\n' + '# pad\n'.repeat(200);
  const { cache, http } = cacheWith(
    {
      [ROBOTS]: (req) => (req.headers['range'] ? { status: 206, body: big.slice(0, 100) } : { status: 200, body: big }),
    },
    { maxBytes: 100 },
  );
  const decision = await cache.check(`${ORIGIN}/x`);
  assert.equal(decision.allowed, false);
  assert.equal(http.requests[1]!.headers['range'], 'bytes=0-99');
  assert.equal((await cache.lookup(ORIGIN)).robots!.truncated, true);
});

void test('oversized and Range not honoured: everything disallowed', async () => {
  const { cache } = cacheWith({ [ROBOTS]: { status: 200, body: 'x'.repeat(500) } }, { maxBytes: 100 });
  const decision = await cache.check(`${ORIGIN}/x`);
  assert.equal(decision.allowed, false);
  assert.equal(decision.basis, 'unreachable');
  assert.match(decision.reason, /too-large/);
});

void test('entries live for the TTL and are re-fetched after it', async () => {
  let body = 'User-agent: *\nDisallow: /x\n';
  const { cache, clock, http } = cacheWith({ [ROBOTS]: () => ({ status: 200, body }) }, { ttlMs: 60_000 });
  assert.equal((await cache.check(`${ORIGIN}/x`)).allowed, false);
  body = 'User-agent: *\nDisallow: /y\n';
  clock.time += 59_999;
  assert.equal((await cache.check(`${ORIGIN}/x`)).allowed, false);
  assert.equal(http.requests.length, 1);
  clock.time += 1;
  assert.equal((await cache.check(`${ORIGIN}/x`)).allowed, true);
  assert.equal(http.requests.length, 2);
});

void test('the TTL is capped at 24 hours', async () => {
  const { cache, clock, http } = cacheWith({ [ROBOTS]: { status: 200, body: '' } }, { ttlMs: 7 * 24 * 3600_000 });
  await cache.check(`${ORIGIN}/`);
  clock.time += 24 * 3600_000;
  await cache.check(`${ORIGIN}/`);
  assert.equal(http.requests.length, 2);
});

void test('a failure is never cached as allow: it stays disallowed, then is retried', async () => {
  let up = false;
  const { cache, clock, http } = cacheWith(
    { [ROBOTS]: () => (up ? { status: 200, body: 'User-agent: *\nDisallow: /x\n' } : { status: 503 }) },
    { failureRetryMs: 30_000 },
  );
  assert.equal((await cache.check(`${ORIGIN}/y`)).allowed, false);
  up = true;
  clock.time += 29_999;
  // Still inside the retry window: the cached failure answers, and it answers "no".
  assert.equal((await cache.check(`${ORIGIN}/y`)).allowed, false);
  assert.equal(http.requests.length, 1);
  clock.time += 1;
  assert.equal((await cache.check(`${ORIGIN}/y`)).allowed, true);
  assert.equal(http.requests.length, 2);
});

void test('a network failure is retried after failureRetryMs, not after the TTL', async () => {
  let fail = true;
  const { cache, clock, http } = cacheWith({
    [ROBOTS]: () => (fail ? new HttpFailure('network', ROBOTS, 'reset') : { status: 404 }),
  });
  assert.equal((await cache.check(`${ORIGIN}/`)).allowed, false);
  fail = false;
  clock.time += 60_000;
  assert.equal((await cache.check(`${ORIGIN}/`)).allowed, true);
  assert.equal(http.requests.length, 2);
});

void test('Retry-After on a 429 lengthens the failure window', async () => {
  const { cache, clock, http } = cacheWith({ [ROBOTS]: { status: 429, headers: { 'retry-after': '120' } } });
  await cache.check(`${ORIGIN}/`);
  clock.time += 60_000;
  await cache.check(`${ORIGIN}/`);
  assert.equal(http.requests.length, 1);
  clock.time += 60_000;
  await cache.check(`${ORIGIN}/`);
  assert.equal(http.requests.length, 2);
});

void test('concurrent checks for one origin share one fetch', async () => {
  let release!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const http = new FakeHttp({ [ROBOTS]: { status: 200, body: 'User-agent: *\nDisallow: /x\n' } });
  const slow: HttpClient = {
    request: async (req) => {
      await gate;
      return http.request(req);
    },
    close: async () => {},
  };
  const cache = new RobotsCache({ http: slow, clock: new FakeClock(), userAgent: UA });
  const pending = Promise.all([cache.check(`${ORIGIN}/x`), cache.check(`${ORIGIN}/y`), cache.lookup(ORIGIN), cache.check(`${ORIGIN}/x?z`)]);
  release();
  const [x, y, entry, xz] = await pending;
  assert.equal(http.requests.length, 1);
  assert.equal(x.allowed, false);
  assert.equal(y.allowed, true);
  assert.equal(entry.policy, 'parse');
  assert.equal(xz.allowed, false);
});

void test('origins are cached separately (scheme and port included)', async () => {
  const { cache, http } = cacheWith({
    [ROBOTS]: { status: 200, body: 'User-agent: *\nDisallow: /\n' },
    'http://site.test:8080/robots.txt': { status: 404 },
  });
  assert.equal((await cache.check(`${ORIGIN}/a`)).allowed, false);
  assert.equal((await cache.check('http://site.test:8080/a')).allowed, true);
  assert.equal(http.requests.length, 2);
});

void test('invalid and non-http URLs are refused without a fetch', async () => {
  const { cache, http } = cacheWith({});
  assert.equal((await cache.check('not a url')).allowed, false);
  assert.equal((await cache.check('ftp://site.test/x')).allowed, false);
  assert.equal(http.requests.length, 0);
});

void test('/robots.txt itself is allowed even under Disallow: /', async () => {
  const { cache } = cacheWith({ [ROBOTS]: { status: 200, body: 'User-agent: *\nDisallow: /\n' } });
  const decision = await cache.check(ROBOTS);
  assert.equal(decision.allowed, true);
  assert.equal(decision.reason, 'robots.txt itself is always allowed');
});

void test('cacheControlLifetimeMs reads max-age, Age, no-store and no-cache', () => {
  const life = (headers: Record<string, string>) => cacheControlLifetimeMs(headers);
  assert.equal(life({}), undefined);
  assert.equal(life({ 'cache-control': 'public, max-age=300' }), 300_000);
  assert.equal(life({ 'cache-control': 'MAX-AGE="60"' }), 60_000, 'names are case-insensitive, values may be quoted');
  assert.equal(life({ 'cache-control': 'max-age=300', age: '100' }), 200_000, 'time already spent in caches counts');
  assert.equal(life({ 'cache-control': 'max-age=300', age: '400' }), 0);
  assert.equal(life({ 'cache-control': 'max-age=100, max-age=50' }), 50_000, 'of several, the smallest');
  assert.equal(life({ 'cache-control': 'max-age=soon' }), 0, 'an invalid max-age means stale');
  assert.equal(life({ 'cache-control': 'max-age=3600, no-store' }), 0);
  assert.equal(life({ 'cache-control': 'no-cache' }), 0);
  assert.equal(life({ 'cache-control': 'private' }), undefined, 'nothing about freshness');
  assert.equal(life({ 'cache-control': 's-maxage=10' }), undefined, 'shared caches only; this one is private');
});

void test('Cache-Control max-age shortens how long robots.txt is kept', async () => {
  const { cache, clock, http } = cacheWith({ [ROBOTS]: { status: 200, body: TEXT, headers: { 'cache-control': 'max-age=600', age: '100' } } });
  await cache.check(`${ORIGIN}/`);
  clock.time += 500_000 - 1;
  await cache.check(`${ORIGIN}/`);
  assert.equal(http.requests.length, 1);
  clock.time += 1;
  await cache.check(`${ORIGIN}/`);
  assert.equal(http.requests.length, 2, 'fetched again once max-age less Age has passed');
});

void test('a max-age beyond 24 hours is capped at 24 hours', async () => {
  const { cache, clock, http } = cacheWith({ [ROBOTS]: { status: 200, body: TEXT, headers: { 'cache-control': 'max-age=31536000' } } });
  await cache.check(`${ORIGIN}/`);
  clock.time += 24 * 3600_000 - 1;
  await cache.check(`${ORIGIN}/`);
  assert.equal(http.requests.length, 1);
  clock.time += 1;
  await cache.check(`${ORIGIN}/`);
  assert.equal(http.requests.length, 2);
});

for (const directive of ['no-store', 'no-cache', 'max-age=5']) {
  void test(`Cache-Control ${directive} keeps robots.txt only for the minimum re-check interval`, async () => {
    const { cache, clock, http } = cacheWith({ [ROBOTS]: { status: 200, body: TEXT, headers: { 'cache-control': directive } } });
    // Not fetched again for every URL: a page crawl would otherwise send one robots.txt request a page.
    for (let i = 0; i < 5; i++) await cache.check(`${ORIGIN}/page-${i}`);
    clock.time += MIN_ROBOTS_TTL_MS - 1;
    await cache.check(`${ORIGIN}/`);
    assert.equal(http.requests.length, 1);
    clock.time += 1;
    await cache.check(`${ORIGIN}/`);
    assert.equal(http.requests.length, 2);
  });
}

void test('the minimum interval is configurable and never above the TTL', async () => {
  const { cache, http } = cacheWith({ [ROBOTS]: { status: 200, body: TEXT, headers: { 'cache-control': 'no-store' } } }, { minTtlMs: 0 });
  await cache.check(`${ORIGIN}/a`);
  await cache.check(`${ORIGIN}/b`);
  assert.equal(http.requests.length, 2, 'no-store taken literally');
  const short = cacheWith({ [ROBOTS]: { status: 200, body: TEXT, headers: { 'cache-control': 'no-store' } } }, { ttlMs: 10_000 });
  await short.cache.check(`${ORIGIN}/`);
  short.clock.time += 10_000;
  await short.cache.check(`${ORIGIN}/`);
  assert.equal(short.http.requests.length, 2);
});

void test('a 4xx answer (everything allowed) follows its Cache-Control too', async () => {
  const { cache, clock, http } = cacheWith({ [ROBOTS]: { status: 404, headers: { 'cache-control': 'max-age=120' } } });
  assert.equal((await cache.check(`${ORIGIN}/x`)).allowed, true);
  clock.time += 120_000;
  await cache.check(`${ORIGIN}/x`);
  assert.equal(http.requests.length, 2);
});

void test('Cache-Control never makes a failure last longer, nor turns it into allow', async () => {
  let up = false;
  const { cache, clock, http } = cacheWith(
    { [ROBOTS]: () => (up ? { status: 200, body: 'User-agent: *\nDisallow: /x\n' } : { status: 503, headers: { 'cache-control': 'max-age=86400' } }) },
    { failureRetryMs: 30_000 },
  );
  assert.equal((await cache.check(`${ORIGIN}/y`)).allowed, false);
  up = true;
  clock.time += 30_000;
  assert.equal((await cache.check(`${ORIGIN}/y`)).allowed, true, 'retried after failureRetryMs, not after max-age');
  assert.equal(http.requests.length, 2);
  // And a 5xx saying no-store is still cached as disallowed for the failure window.
  const storm = cacheWith({ [ROBOTS]: { status: 500, headers: { 'cache-control': 'no-store' } } }, { failureRetryMs: 30_000 });
  assert.equal((await storm.cache.check(`${ORIGIN}/a`)).allowed, false);
  assert.equal((await storm.cache.check(`${ORIGIN}/b`)).allowed, false);
  assert.equal(storm.http.requests.length, 1);
});

void test('a stale robots.txt with an ETag is revalidated; 304 keeps the rules with a new lifetime', async () => {
  let changed = false;
  const { cache, clock, http } = cacheWith({
    [ROBOTS]: (req): Reply => {
      if (changed) return { status: 200, body: 'User-agent: *\nDisallow: /\n', headers: { etag: '"v2"' } };
      if (req.headers['if-none-match'] === '"v1"') return { status: 304, headers: { 'cache-control': 'max-age=120' } };
      return { status: 200, body: TEXT, headers: { etag: '"v1"', 'last-modified': 'Tue, 01 Sep 2026 00:00:00 GMT', 'cache-control': 'max-age=60' } };
    },
  });
  assert.equal((await cache.check(`${ORIGIN}/private/a`)).allowed, false);
  assert.equal(http.requests[0].headers['if-none-match'], undefined);
  clock.time += 60_000;
  const again = await cache.check(`${ORIGIN}/private/a`);
  assert.equal(again.allowed, false);
  assert.equal(again.rule?.line, 8, 'the stored rules still decide');
  assert.equal(http.requests[1].headers['if-none-match'], '"v1"');
  assert.equal(http.requests[1].headers['if-modified-since'], 'Tue, 01 Sep 2026 00:00:00 GMT');
  const entry = await cache.lookup(ORIGIN);
  assert.match(entry.summary, /parsed \(revalidated: 304\)$/);
  assert.equal(entry.expiresAt - entry.fetchedAt, 120_000, 'the lifetime comes from the 304');
  assert.deepEqual(entry.validators, { etag: '"v1"', lastModified: 'Tue, 01 Sep 2026 00:00:00 GMT' });
  // A changed file comes back whole and replaces the rules.
  changed = true;
  clock.time += 120_000;
  assert.equal((await cache.check(`${ORIGIN}/anything`)).allowed, false);
  assert.equal(http.requests.length, 3);
  assert.equal((await cache.lookup(ORIGIN)).validators?.etag, '"v2"');
});

void test('robots.txt requests use the connect timeout given, never above the overall timeout', async () => {
  const { cache, http } = cacheWith({ [ROBOTS]: { status: 200, body: TEXT } }, { connectTimeoutMs: 300 });
  await cache.check(`${ORIGIN}/`);
  assert.deepEqual([http.requests[0].connectTimeoutMs, http.requests[0].headersTimeoutMs, http.requests[0].deadlineMs], [300, 10_000, 10_000]);
  const capped = cacheWith({ [ROBOTS]: { status: 200, body: TEXT } }, { connectTimeoutMs: 60_000, timeoutMs: 5_000 });
  await capped.cache.check(`${ORIGIN}/`);
  assert.equal(capped.http.requests[0].connectTimeoutMs, 5_000);
});
