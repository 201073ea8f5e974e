import assert from 'node:assert/strict';
import { performance } from 'node:perf_hooks';
import { after, before, describe, it } from 'node:test';
import { DEMO_BOOKS, DEMO_CREDENTIALS, DEMO_REVIEWS, startDemoSite } from '../../../language-server/src/demo-site/index';
import type { DemoSite } from '../../../language-server/src/demo-site/index';
import { getJson, send } from './demo-client';

// The rate limit is tested on its own site; here it is raised so that bursts of test requests
// never trip it.
let site: DemoSite;
void before(async () => {
  site = await startDemoSite({ port: 0, rateLimitPerSecond: 10_000 });
});
void after(async () => {
  await site.close();
});

const KEY = { 'x-api-key': DEMO_CREDENTIALS.apiKey };
const BEARER = { authorization: `Bearer ${DEMO_CREDENTIALS.token}` };
const MAX_PAGES = 20;

interface Book {
  id: number;
  title: string;
  price: number;
  currency: string;
  rating: number;
  category: string;
  upc: string;
  available: number;
  url: string;
}

function assertBook(item: Book): void {
  const book = DEMO_BOOKS[item.id - 1];
  assert.deepEqual(Object.keys(item), ['id', 'title', 'price', 'currency', 'rating', 'category', 'upc', 'available', 'url']);
  assert.deepEqual(item, {
    id: book.id,
    title: book.title,
    price: book.price,
    currency: 'GBP',
    rating: book.rating,
    category: book.category,
    upc: book.upc,
    available: book.available,
    url: `${site.origin}${book.path}`,
  });
  assert.ok(item.price >= 10 && item.price <= 60);
  assert.ok(Number.isInteger(item.rating) && item.rating >= 1 && item.rating <= 5);
  assert.ok(Number.isInteger(item.available));
}

async function oauthToken(): Promise<string> {
  const res = await send(site.origin, '/oauth/token', {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: `grant_type=client_credentials&client_id=${DEMO_CREDENTIALS.clientId}&client_secret=${DEMO_CREDENTIALS.clientSecret}`,
  });
  assert.equal(res.status, 200, res.body);
  const body = JSON.parse(res.body) as { access_token: string; token_type: string; expires_in: number };
  assert.deepEqual(Object.keys(body), ['access_token', 'token_type', 'expires_in']);
  assert.equal(body.token_type, 'Bearer');
  assert.equal(body.expires_in, 300);
  assert.equal(res.headers['cache-control'], 'no-store');
  return body.access_token;
}

void describe('demo API: pagination to exhaustion', () => {
  void it('page / per_page with an API key: 60 books, then an empty page', async () => {
    const ids: number[] = [];
    let page = 1;
    for (; page <= MAX_PAGES; page++) {
      const { json, response } = await getJson(site.origin, `/api/v1/books?page=${page}&per_page=25`, KEY);
      assert.equal(response.headers['content-type'], 'application/json; charset=utf-8');
      const body = json as { items: Book[]; page: number; per_page: number; total: number };
      assert.deepEqual(Object.keys(body), ['items', 'page', 'per_page', 'total']);
      assert.equal(body.page, page);
      assert.equal(body.per_page, 25);
      assert.equal(body.total, 60);
      if (body.items.length === 0) break;
      body.items.forEach(assertBook);
      ids.push(...body.items.map((b) => b.id));
    }
    assert.equal(page, 4);
    assert.deepEqual(ids, DEMO_BOOKS.map((b) => b.id));
  });

  void it('offset / limit with an API key', async () => {
    const ids: number[] = [];
    for (let offset = 0, guard = 0; guard < MAX_PAGES; guard++) {
      const { json } = await getJson(site.origin, `/api/v1/books/offset?offset=${offset}&limit=17`, KEY);
      const body = json as { items: Book[]; offset: number; limit: number; total: number };
      assert.deepEqual(Object.keys(body), ['items', 'offset', 'limit', 'total']);
      assert.equal(body.offset, offset);
      assert.equal(body.limit, 17);
      assert.equal(body.total, 60);
      body.items.forEach(assertBook);
      ids.push(...body.items.map((b) => b.id));
      offset += body.items.length;
      if (body.items.length === 0 || offset >= body.total) break;
    }
    assert.deepEqual(ids, DEMO_BOOKS.map((b) => b.id));
  });

  void it('cursor with a bearer token ends with next_cursor null', async () => {
    const ids: number[] = [];
    let cursor: string | null = '';
    let pages = 0;
    while (cursor !== null && pages < MAX_PAGES) {
      const path = cursor === '' ? '/api/v1/books/cursor' : `/api/v1/books/cursor?cursor=${encodeURIComponent(cursor)}`;
      const { json } = await getJson(site.origin, path, BEARER);
      const body = json as { items: Book[]; next_cursor: string | null };
      assert.deepEqual(Object.keys(body), ['items', 'next_cursor']);
      body.items.forEach(assertBook);
      ids.push(...body.items.map((b) => b.id));
      cursor = body.next_cursor;
      pages++;
    }
    assert.equal(cursor, null);
    assert.equal(pages, 3);
    assert.deepEqual(ids, DEMO_BOOKS.map((b) => b.id));
  });

  void it('reviews with an OAuth2 token follow the Link header: 90 reviews, 25 a page', async () => {
    const token = await oauthToken();
    const ids: number[] = [];
    let next: string | undefined = `${site.origin}/api/v1/reviews?page=1`;
    let pages = 0;
    while (next !== undefined && pages < MAX_PAGES) {
      assert.ok(next.startsWith(site.origin), next);
      const { json, response } = await getJson(site.origin, next.slice(site.origin.length), { authorization: `Bearer ${token}` });
      const body = json as { items: Array<Record<string, unknown>> };
      assert.deepEqual(Object.keys(body), ['items']);
      for (const item of body.items) {
        assert.deepEqual(Object.keys(item), ['id', 'book_id', 'rating', 'text', 'author']);
        assert.deepEqual(item, DEMO_REVIEWS[(item.id as number) - 1]);
      }
      ids.push(...body.items.map((r) => r.id as number));
      const link = response.headers.link as string | undefined;
      next = link === undefined ? undefined : /^<([^>]+)>; rel="next"$/.exec(link)?.[1];
      if (link !== undefined) assert.ok(next, `Link header: ${link}`);
      pages++;
    }
    assert.equal(next, undefined);
    assert.equal(pages, 4);
    assert.deepEqual(ids, Array.from({ length: 90 }, (_, i) => i + 1));
    const past = await getJson(site.origin, '/api/v1/reviews?page=5', { authorization: `Bearer ${token}` });
    assert.deepEqual(past.json, { items: [] });
    assert.equal(past.response.headers.link, undefined);
  });
});

void describe('demo API: auth', () => {
  async function assert401(path: string, headers: Record<string, string>, error: string, scheme: RegExp, method = 'GET', body?: string): Promise<void> {
    const res = await send(site.origin, path, { headers, method, body });
    assert.equal(res.status, 401, `${path} ${JSON.stringify(headers)}`);
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
    assert.equal((JSON.parse(res.body) as { error: string }).error, error);
    assert.match(res.headers['www-authenticate'] ?? '', scheme);
    assert.equal(res.headers.etag, undefined);
  }

  void it('API-key endpoints refuse a missing or wrong key', async () => {
    for (const path of ['/api/v1/books', '/api/v1/books/offset']) {
      await assert401(path, {}, 'missing_api_key', /^ApiKey /);
      await assert401(path, { 'x-api-key': 'wrong' }, 'invalid_api_key', /^ApiKey /);
      // The bearer token is not an API key.
      await assert401(path, BEARER, 'missing_api_key', /^ApiKey /);
    }
  });

  void it('the cursor endpoint refuses a missing or wrong bearer token', async () => {
    await assert401('/api/v1/books/cursor', {}, 'missing_token', /^Bearer realm=/);
    await assert401('/api/v1/books/cursor', { authorization: 'Bearer nope' }, 'invalid_token', /error="invalid_token"/);
    await assert401('/api/v1/books/cursor', KEY, 'missing_token', /^Bearer /);
  });

  void it('reviews need a token from /oauth/token, not the static one', async () => {
    await assert401('/api/v1/reviews', {}, 'missing_token', /^Bearer /);
    await assert401('/api/v1/reviews', BEARER, 'invalid_token', /error="invalid_token"/);
  });

  void it('the token endpoint takes basic auth or form credentials and refuses wrong ones', async () => {
    const basic = (id: string, secret: string): string => `Basic ${Buffer.from(`${id}:${secret}`).toString('base64')}`;
    const form = { 'content-type': 'application/x-www-form-urlencoded' };
    const ok = await send(site.origin, '/oauth/token', {
      method: 'POST',
      headers: { ...form, authorization: basic(DEMO_CREDENTIALS.clientId, DEMO_CREDENTIALS.clientSecret) },
      body: 'grant_type=client_credentials',
    });
    assert.equal(ok.status, 200, ok.body);
    const token = (JSON.parse(ok.body) as { access_token: string }).access_token;
    assert.equal((await send(site.origin, '/api/v1/reviews', { headers: { authorization: `Bearer ${token}` } })).status, 200);

    await assert401('/oauth/token', { ...form, authorization: basic(DEMO_CREDENTIALS.clientId, 'wrong') }, 'invalid_client', /^Basic /, 'POST', 'grant_type=client_credentials');
    await assert401('/oauth/token', form, 'invalid_client', /^Basic /, 'POST', 'grant_type=client_credentials&client_id=demo-client&client_secret=nope');
    await assert401('/oauth/token', form, 'invalid_client', /^Basic /, 'POST', 'grant_type=client_credentials');
    const wrongGrant = await send(site.origin, '/oauth/token', { method: 'POST', headers: form, body: 'grant_type=password&client_id=demo-client&client_secret=demo-secret' });
    assert.equal(wrongGrant.status, 400);
    assert.equal((JSON.parse(wrongGrant.body) as { error: string }).error, 'unsupported_grant_type');
    const get = await send(site.origin, '/oauth/token');
    assert.equal(get.status, 405);
    assert.equal(get.headers.allow, 'POST');
  });

  void it('tokens expire', async () => {
    const shortLived = await startDemoSite({ port: 0, tokenLifetimeSeconds: 0 });
    try {
      const res = await send(shortLived.origin, '/oauth/token', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret',
      });
      const body = JSON.parse(res.body) as { access_token: string; expires_in: number };
      assert.equal(body.expires_in, 0);
      const use = await send(shortLived.origin, '/api/v1/reviews', { headers: { authorization: `Bearer ${body.access_token}` } });
      assert.equal(use.status, 401);
      assert.match(use.body, /expired/);
      assert.match(use.headers['www-authenticate'] ?? '', /error="invalid_token"/);
    } finally {
      await shortLived.close();
    }
  });
});

void describe('demo API: validation, validators and errors', () => {
  void it('rejects bad paging parameters with 400 and unknown API paths with a JSON 404', async () => {
    for (const path of ['/api/v1/books?page=0', '/api/v1/books?per_page=101', '/api/v1/books?page=x', '/api/v1/books/offset?offset=-1', '/api/v1/books/offset?limit=0']) {
      const res = await send(site.origin, path, { headers: KEY });
      assert.equal(res.status, 400, path);
      assert.equal((JSON.parse(res.body) as { error: string }).error, 'invalid_request');
    }
    const badCursor = await send(site.origin, '/api/v1/books/cursor?cursor=%2F%2F', { headers: BEARER });
    assert.equal(badCursor.status, 400);
    const missing = await send(site.origin, '/api/v1/authors', { headers: KEY });
    assert.equal(missing.status, 404);
    assert.match(missing.headers['content-type'] ?? '', /^application\/json/);
    assert.equal(typeof (JSON.parse(missing.body) as { error: unknown }).error, 'string');
  });

  void it('API responses carry ETag and Last-Modified and answer 304', async () => {
    const token = await oauthToken();
    const cases: Array<[string, Record<string, string>]> = [
      ['/api/v1/books?page=2', KEY],
      ['/api/v1/books/offset?offset=5', KEY],
      ['/api/v1/books/cursor', BEARER],
      ['/api/v1/reviews?page=2', { authorization: `Bearer ${token}` }],
    ];
    for (const [path, headers] of cases) {
      const first = await send(site.origin, path, { headers });
      assert.equal(first.status, 200, path);
      const etag = first.headers.etag ?? '';
      assert.match(etag, /^".+"$/);
      assert.ok(first.headers['last-modified']);
      const again = await send(site.origin, path, { headers: { ...headers, 'if-none-match': etag } });
      assert.equal(again.status, 304, path);
      assert.equal(again.body, '');
      const since = await send(site.origin, path, { headers: { ...headers, 'if-modified-since': first.headers['last-modified'] ?? '' } });
      assert.equal(since.status, 304, path);
      // A validator never bypasses auth.
      const anonymous = await send(site.origin, path, { headers: { 'if-none-match': etag } });
      assert.equal(anonymous.status, 401, path);
    }
  });
});

void describe('demo API: rate limit', () => {
  void it('answers 429 with Retry-After: 1 beyond 10 API requests in a second, but not for pages', async () => {
    const limited = await startDemoSite({ port: 0 });
    try {
      const burst = await Promise.all(Array.from({ length: 20 }, () => send(limited.origin, '/api/v1/books', { headers: KEY })));
      const ok = burst.filter((r) => r.status === 200);
      const tooMany = burst.filter((r) => r.status === 429);
      assert.equal(ok.length + tooMany.length, 20);
      // All 20 normally arrive within one second (10 admitted, 10 refused); bounds rather than
      // exact counts keep the test from failing on a machine slow enough to stretch the burst.
      assert.ok(ok.length <= 10, `${ok.length} admitted`);
      assert.ok(tooMany.length >= 1, `${tooMany.length} refused`);
      for (const r of tooMany) {
        assert.equal(r.headers['retry-after'], '1');
        assert.equal((JSON.parse(r.body) as { error: string }).error, 'rate_limited');
      }
      // Pages and the token endpoint are not limited.
      assert.equal((await send(limited.origin, '/catalogue/page-1.html')).status, 200);
      const token = await send(limited.origin, '/oauth/token', { method: 'POST', body: 'grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret' });
      assert.equal(token.status, 200);
    } finally {
      await limited.close();
    }
  });
  void it('/api/v1/books/metered announces its budget in X-RateLimit-* and refuses past it until the reset', async () => {
    // A short window keeps the test quick; the defaults (5 per 2 s) are what the crawl test uses.
    const metered = await startDemoSite({ port: 0, meteredBudget: { limit: 3, windowMs: 600 } });
    try {
      const path = '/api/v1/books/metered?page=2&per_page=5';
      const answers = [];
      for (let i = 0; i < 4; i++) answers.push(await send(metered.origin, path, { headers: KEY }));
      assert.deepEqual(answers.map((r) => r.status), [200, 200, 200, 429]);
      assert.deepEqual(answers.map((r) => r.headers['x-ratelimit-remaining']), ['2', '1', '0', '0']);
      for (const r of answers) {
        assert.equal(r.headers['x-ratelimit-limit'], '3');
        // Whole seconds, rounded up: 600 ms left in the window is announced as 1 s.
        assert.equal(r.headers['x-ratelimit-reset'], '1');
      }
      assert.equal(answers[3].headers['retry-after'], '1');
      assert.equal((JSON.parse(answers[3].body) as { error: string }).error, 'rate_limited');
      const page = JSON.parse(answers[0].body) as { items: { id: number }[]; page: number; per_page: number };
      assert.deepEqual(page.items.map((b) => b.id), [6, 7, 8, 9, 10], 'the same pages as /api/v1/books');

      // The log says when the window resets; after it, the budget is whole again.
      const log = metered.requests.filter((r) => r.path === path);
      const resetAt = log[0].rateLimit?.resetAt;
      assert.ok(resetAt !== undefined && log.every((r) => r.rateLimit?.resetAt === resetAt), 'one window');
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, resetAt - performance.now()) + 20));
      const after = await send(metered.origin, path, { headers: KEY });
      assert.equal(after.status, 200);
      assert.equal(after.headers['x-ratelimit-remaining'], '2');
      // The budget is charged before auth, as API gateways do: a request without the key counts.
      const anonymous = await send(metered.origin, path);
      assert.equal(anonymous.status, 401);
      assert.equal(anonymous.headers['x-ratelimit-remaining'], '1');
    } finally {
      await metered.close();
    }
  });
});
