// RobotsCache against a real node:http server on 127.0.0.1, through a minimal HttpClient built
// on node:http here (the real undici client lives elsewhere; this checks the cache end to end).
import { test, after, before } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpFailure, type HttpClient, type HttpRequest, type HttpResponse } from '../../../language-server/src/engine/ports';
import { RobotsCache } from '../../../language-server/src/engine/robots';

/** Just enough of the HttpClient port: one GET, no redirects followed, size and time bounded. */
function nodeHttpClient(): HttpClient {
  return {
    request(req: HttpRequest): Promise<HttpResponse> {
      const started = process.hrtime.bigint();
      const ms = () => Number(process.hrtime.bigint() - started) / 1e6;
      return new Promise((resolve, reject) => {
        const outgoing = http.request(req.url, { method: req.method, headers: req.headers, timeout: req.deadlineMs }, (res) => {
          const headersMs = ms();
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            size += chunk.length;
            if (size > req.maxBytes) {
              outgoing.destroy();
              reject(new HttpFailure('too-large', req.url, `more than ${req.maxBytes} bytes`));
              return;
            }
            chunks.push(chunk);
          });
          res.on('end', () => {
            const headers: Record<string, string> = {};
            for (const [name, value] of Object.entries(res.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
            resolve({ url: req.url, status: res.statusCode ?? 0, headers, body: new Uint8Array(Buffer.concat(chunks)), timings: { headersMs, totalMs: ms() } });
          });
          res.on('error', (error) => reject(new HttpFailure('network', req.url, error.message)));
        });
        outgoing.on('timeout', () => {
          outgoing.destroy();
          reject(new HttpFailure('timeout', req.url, 'deadline passed'));
        });
        outgoing.on('error', (error) => reject(new HttpFailure('network', req.url, error.message)));
        outgoing.end();
      });
    },
    close: async () => {},
  };
}

const seen: { path: string; userAgent: string }[] = [];
let server: http.Server;
let origin = '';

before(async () => {
  server = http.createServer((req, res) => {
    seen.push({ path: req.url ?? '', userAgent: req.headers['user-agent'] ?? '' });
    if (req.url === '/robots.txt') {
      res.writeHead(301, { location: '/moved/robots.txt' });
      res.end();
    } else if (req.url === '/moved/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end('\uFEFFUser-agent: *\r\nDisallow: /\r\n\r\nUser-agent: GleanerBot\r\nAllow: /\r\nDisallow: /private/\r\nCrawl-delay: 1\r\nSitemap: /sitemap.xml\r\n');
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

void test('loopback: fetch with redirect, parse, decide, and send the user agent', async () => {
  const cache = new RobotsCache({ http: nodeHttpClient(), clock: { now: () => 0 }, userAgent: 'GleanerBot/0.1 (+mailto:t@example.org)', timeoutMs: 5000 });
  const [denied, allowed] = await Promise.all([cache.check(`${origin}/private/staff.html`), cache.check(`${origin}/catalogue/page-1.html`)]);
  assert.equal(denied.allowed, false);
  assert.equal(denied.reason, 'Disallow: /private/ (robots.txt line 6)');
  assert.equal(denied.crawlDelayMs, 1000);
  assert.equal(allowed.allowed, true);
  assert.deepEqual(
    seen.map((s) => s.path),
    ['/robots.txt', '/moved/robots.txt'],
  );
  assert.ok(seen.every((s) => s.userAgent === 'GleanerBot/0.1 (+mailto:t@example.org)'));
  const entry = await cache.lookup(origin);
  assert.equal(entry.redirects, 1);
  assert.deepEqual(entry.sitemaps, [`${origin}/sitemap.xml`]);
});

void test('loopback: a closed port fails closed', async () => {
  const closed = http.createServer();
  await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((resolve) => closed.close(() => resolve()));
  const cache = new RobotsCache({ http: nodeHttpClient(), clock: { now: () => 0 }, userAgent: 'GleanerBot', timeoutMs: 5000 });
  const decision = await cache.check(`http://127.0.0.1:${port}/x`);
  assert.equal(decision.allowed, false);
  assert.equal(decision.basis, 'unreachable');
});
