import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { DEMO_BOOKS, DEMO_CREDENTIALS, sitemapPaths, startDemoSite } from '../../../language-server/src/demo-site/index';
import { SlidingWindowLimiter, entityTag, isNotModified } from '../../../language-server/src/demo-site/http-util';
import { send } from './demo-client';

void describe('demo site: lifecycle and logging', () => {
  void it('serves byte-identical content and validators across two starts', async () => {
    const paths = ['/', '/robots.txt', '/sitemap.xml', '/.well-known/tdmrep.json', ...sitemapPaths().slice(0, 8), DEMO_BOOKS[59].path, '/api/v1/books?page=2', '/api/v1/books/cursor'];
    const headers = { host: 'shop.example:8917', 'x-api-key': DEMO_CREDENTIALS.apiKey, authorization: `Bearer ${DEMO_CREDENTIALS.token}` };
    const snapshot = async (): Promise<string[]> => {
      const site = await startDemoSite({ port: 0, rateLimitPerSecond: 0 });
      try {
        const out: string[] = [];
        for (const path of paths) {
          const res = await send(site.origin, path, { headers });
          assert.equal(res.status, 200, path);
          out.push(`${path} ${res.headers.etag} ${res.headers['last-modified']}\n${res.body}`);
        }
        return out;
      } finally {
        await site.close();
      }
    };
    const first = await snapshot();
    const second = await snapshot();
    assert.deepEqual(second, first);
    // Absolute URLs come from the Host header, not from the port the site listens on.
    assert.match(first.find((s) => s.startsWith('/robots.txt')) ?? '', /Sitemap: http:\/\/shop\.example:8917\/sitemap\.xml/);
    assert.match(first.find((s) => s.startsWith(DEMO_BOOKS[59].path)) ?? '', /<link rel="canonical" href="http:\/\/shop\.example:8917\/catalogue\//);
  });

  void it('logs every request with time, method, path, user agent and status', async () => {
    const site = await startDemoSite({ port: 0 });
    try {
      const before = performance.now();
      await send(site.origin, '/robots.txt', { headers: { 'user-agent': 'GleanerBot/0.1 (+mailto:a@example.org)' } });
      await send(site.origin, '/api/v1/books?page=2', { headers: { 'user-agent': 'Other/2' } });
      await send(site.origin, '/oauth/token', { method: 'POST', headers: { 'user-agent': 'Other/3' }, body: 'grant_type=client_credentials' });
      await send(site.origin, '/missing', { headers: { 'user-agent': '' } });
      assert.deepEqual(
        site.requests.map(({ method, path, userAgent, status }) => ({ method, path, userAgent, status })),
        [
          { method: 'GET', path: '/robots.txt', userAgent: 'GleanerBot/0.1 (+mailto:a@example.org)', status: 200 },
          { method: 'GET', path: '/api/v1/books?page=2', userAgent: 'Other/2', status: 401 },
          { method: 'POST', path: '/oauth/token', userAgent: 'Other/3', status: 401 },
          { method: 'GET', path: '/missing', userAgent: '', status: 404 },
        ],
      );
      const times = site.requests.map((r) => r.time);
      assert.ok(times[0] >= before && times[3] <= performance.now());
      assert.deepEqual([...times].sort((a, b) => a - b), times);
    } finally {
      await site.close();
    }
  });

  void it('rejects with an error naming the port when it is in use', async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as AddressInfo).port;
    try {
      await assert.rejects(startDemoSite({ port }), (error: NodeJS.ErrnoException) => {
        assert.equal(error.code, 'EADDRINUSE');
        assert.match(error.message, new RegExp(`port ${port}\\b.*already in use`));
        return true;
      });
    } finally {
      await new Promise<void>((resolve) => blocker.close(() => resolve()));
    }
  });

  void it('delays responses by latencyMs and reports the port it listens on', async () => {
    const site = await startDemoSite({ port: 0, latencyMs: 60 });
    try {
      assert.equal(site.origin, `http://127.0.0.1:${site.port}`);
      assert.ok(site.port > 0);
      const start = performance.now();
      assert.equal((await send(site.origin, '/robots.txt')).status, 200);
      assert.ok(performance.now() - start >= 55, 'the response came before the configured latency');
    } finally {
      await site.close();
    }
  });
});

void describe('demo site: sliding-window rate limiter', () => {
  void it('admits `limit` events in any window and again once the oldest leaves it', () => {
    const limiter = new SlidingWindowLimiter(3, 1000);
    assert.deepEqual([0, 100, 200, 300, 999].map((t) => limiter.tryAdmit(t)), [true, true, true, false, false]);
    // At 1000 the event from 0 has left the window; the refused ones never counted.
    assert.equal(limiter.tryAdmit(1000), true);
    assert.equal(limiter.tryAdmit(1050), false);
    assert.equal(limiter.tryAdmit(1100), true);
    assert.equal(limiter.tryAdmit(1200), true);
    assert.equal(limiter.tryAdmit(1201), false);
  });

  void it('admits everything when the limit is 0', () => {
    const limiter = new SlidingWindowLimiter(0, 1000);
    assert.ok(Array.from({ length: 50 }, () => limiter.tryAdmit(5)).every((ok) => ok));
  });
});

void describe('demo site: conditional requests', () => {
  const modified = new Date(Date.UTC(2025, 0, 6, 9, 0, 0));
  const etag = entityTag('body');

  void it('gives the same strong tag for the same bytes and another for other bytes', () => {
    assert.equal(entityTag('body'), etag);
    assert.notEqual(entityTag('body2'), etag);
    assert.match(etag, /^"[A-Za-z0-9_-]+"$/);
  });

  void it('matches If-None-Match weakly, in lists and with *, and lets it win over If-Modified-Since', () => {
    assert.equal(isNotModified({ ifNoneMatch: etag }, etag, modified), true);
    assert.equal(isNotModified({ ifNoneMatch: `W/${etag}` }, etag, modified), true);
    assert.equal(isNotModified({ ifNoneMatch: `"a", ${etag}` }, etag, modified), true);
    assert.equal(isNotModified({ ifNoneMatch: '*' }, etag, modified), true);
    assert.equal(isNotModified({ ifNoneMatch: '"a"' }, etag, modified), false);
    assert.equal(isNotModified({ ifNoneMatch: '"a"', ifModifiedSince: modified.toUTCString() }, etag, modified), false);
  });

  void it('compares If-Modified-Since in whole seconds and ignores a date it cannot parse', () => {
    assert.equal(isNotModified({ ifModifiedSince: modified.toUTCString() }, etag, modified), true);
    assert.equal(isNotModified({ ifModifiedSince: new Date(modified.getTime() + 86_400_000).toUTCString() }, etag, modified), true);
    assert.equal(isNotModified({ ifModifiedSince: new Date(modified.getTime() - 1000).toUTCString() }, etag, modified), false);
    assert.equal(isNotModified({ ifModifiedSince: 'yesterday' }, etag, modified), false);
    assert.equal(isNotModified({}, etag, modified), false);
  });
});
