// The real undici HttpClient against the loopback fault server: every fault, decoding, caps,
// deadlines and failure kinds.
import assert from 'node:assert/strict';
import type { LookupFunction } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { performance } from 'node:perf_hooks';
import { decodeBody } from '../../../language-server/src/engine/http/charset';
import type { HookedHttpRequest } from '../../../language-server/src/engine/http/request-hooks';
import { HttpTooLargeFailure, createHttpClient } from '../../../language-server/src/engine/http/undici-client';
import { HttpFailure, type HttpClient, type HttpFailureKind, type HttpRequest } from '../../../language-server/src/engine/ports';
import {
  BOMB_MEMBER_BYTES,
  BROKEN_HTML,
  CHARSET_FIXTURES,
  COMPRESSED_BODY_TEXT,
  SECOND_HOST,
  canListenOn,
  robotsRoute,
  startFaultServer,
  type FaultServer,
} from '../../support/fault-server';
import { startUnacceptingListener } from '../../support/fault-server-unaccepting';

let server: FaultServer;
let client: HttpClient;

before(async () => {
  server = await startFaultServer({
    '/robots-404/robots.txt': robotsRoute(404),
  });
  client = createHttpClient({ proxyFromEnv: false });
});
after(async () => {
  await client.close();
  await server.close();
});

function request(url: string, overrides: Partial<HttpRequest> = {}): HttpRequest {
  return {
    url,
    method: 'GET',
    headers: { 'user-agent': 'GleanerTest/1.0 (+mailto:test@example.org)' },
    maxBytes: 1024 * 1024,
    connectTimeoutMs: 2000,
    headersTimeoutMs: 2000,
    deadlineMs: 5000,
    ...overrides,
  };
}

/** Asserts the request fails with `kind` and returns the failure. */
async function failsWith(req: HttpRequest, kind: HttpFailureKind): Promise<HttpFailure> {
  try {
    const response = await client.request(req);
    assert.fail(`expected a ${kind} failure, got status ${response.status}`);
  } catch (error) {
    assert.ok(error instanceof HttpFailure, `expected HttpFailure, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    assert.equal(error.url, req.url);
    return error;
  }
}

void describe('undici HttpClient', () => {
  void it('fetches a page with lower-cased headers, the body, wire bytes and timings', async () => {
    const response = await client.request(request(`${server.origin}/ok`));
    assert.equal(response.status, 200);
    assert.equal(response.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(Buffer.from(response.body).toString(), '<html><body>ok</body></html>');
    assert.equal(response.wireBytes, response.body.length);
    assert.ok(response.timings.headersMs > 0 && response.timings.totalMs >= response.timings.headersMs);
  });

  void it('sends Accept-Encoding and the caller headers; POST sends its body', async () => {
    const echoed = await client.request(request(`${server.origin}/echo`, { method: 'POST', body: 'a=1', headers: { 'User-Agent': 'X/1', 'Content-Type': 'application/x-www-form-urlencoded' } }));
    const seen = JSON.parse(Buffer.from(echoed.body).toString()) as { method: string; headers: Record<string, string> };
    assert.equal(seen.method, 'POST');
    assert.equal(seen.headers['accept-encoding'], 'gzip, deflate, br');
    assert.equal(seen.headers['user-agent'], 'X/1');
    assert.equal(seen.headers['content-length'], '3');
  });

  void it('joins repeated headers: set-cookie by newline, others by comma', async () => {
    const response = await client.request(request(`${server.origin}/status?code=200`));
    assert.equal(response.headers['set-cookie'], 'a=1; Path=/\nb=2; Path=/');
    assert.equal(response.headers.vary, 'accept, accept-encoding');
  });

  void it('returns error statuses as responses, not failures', async () => {
    for (const code of [404, 500, 503]) assert.equal((await client.request(request(`${server.origin}/status?code=${code}`))).status, code);
  });

  void it('answers HEAD without a body', async () => {
    const response = await client.request(request(`${server.origin}/ok`, { method: 'HEAD' }));
    assert.equal(response.status, 200);
    assert.equal(response.body.length, 0);
  });

  void it('does not follow redirects', async () => {
    const response = await client.request(request(`${server.origin}/chain?n=2`));
    assert.equal(response.status, 302);
    assert.equal(response.headers.location, '/chain?n=1');
    assert.equal(server.requestsTo('/chain').length, 1);
  });

  for (const path of ['/gzip', '/deflate', '/deflate-raw', '/br']) {
    void it(`decompresses ${path.slice(1)} itself`, async () => {
      const response = await client.request(request(`${server.origin}${path}`));
      assert.equal(Buffer.from(response.body).toString('utf8'), COMPRESSED_BODY_TEXT);
      assert.ok((response.wireBytes ?? Infinity) < response.body.length / 5, `wire ${response.wireBytes} vs ${response.body.length}`);
    });
  }

  void it('reports a corrupt compressed body as invalid', async () => {
    await failsWith(request(`${server.origin}/bad-gzip`), 'invalid');
  });

  void it('accepts a body exactly at the cap and refuses one byte more', async () => {
    const cap = 200_000;
    const exact = await client.request(request(`${server.origin}/big?bytes=${cap}`, { maxBytes: cap }));
    assert.equal(exact.body.length, cap);
    const failure = await failsWith(request(`${server.origin}/big?bytes=${cap + 1}`, { maxBytes: cap }), 'too-large');
    assert.match(failure.message, /exceeded the 200000-byte cap/);
  });

  void it('aborts a gzip bomb early, counting decompressed bytes against the cap', async () => {
    // 100 GiB decompressed, about 100 MiB on the wire: far more than the few MiB that loopback
    // socket buffers can absorb after the client stops reading.
    const members = 1600;
    const cap = 1024 * 1024;
    const started = performance.now();
    const failure = await failsWith(request(`${server.origin}/bomb?members=${members}`, { maxBytes: cap }), 'too-large');
    const elapsed = performance.now() - started;
    assert.ok(failure instanceof HttpTooLargeFailure);
    assert.ok(failure.decodedBytes > cap && failure.decodedBytes <= cap + 64 * 1024, `decoded ${failure.decodedBytes}`);
    assert.ok(failure.wireBytes < 200 * 1024, `read ${failure.wireBytes} wire bytes for a 1 MiB cap`);
    await server.waitFor(() => server.requestsTo('/bomb')[0]?.end !== undefined);
    const sent = server.requestsTo('/bomb')[0].bytesSent ?? Infinity;
    const total = (members * BOMB_MEMBER_BYTES) / 1000;
    assert.ok(sent < total / 10, `server sent ${sent} of ~${Math.round(total)} bytes`);
    assert.equal(server.requestsTo('/bomb')[0].aborted, true);
    // Decompressing all 100 GiB would take minutes; the bound only has to tell early from late,
    // with room for a loaded machine (3.5 s seen with both cores busy).
    assert.ok(elapsed < 10_000, `took ${elapsed} ms`);
  });

  void it('maps a reset before the headers to a network failure', async () => {
    await failsWith(request(`${server.origin}/reset-headers`), 'network');
  });

  void it('maps a reset in the middle of the body to a network failure', async () => {
    await failsWith(request(`${server.origin}/reset-body`), 'network');
  });

  void it('maps a refused connection to a network failure', async () => {
    const closed = await startFaultServer();
    const origin = closed.origin;
    await closed.close();
    const failure = await failsWith(request(`${origin}/ok`), 'network');
    assert.match(failure.message, /ECONNREFUSED/);
  });

  void it('times out connecting to a port whose accept queue is full, naming the host and the URL', async () => {
    const listener = await startUnacceptingListener();
    try {
      const url = `${listener.origin}/never`;
      const started = performance.now();
      const failure = await failsWith(request(url, { connectTimeoutMs: 300, headersTimeoutMs: 5000, deadlineMs: 10_000 }), 'timeout');
      const elapsed = performance.now() - started;
      assert.equal(failure.message, `connect timed out: no connection to 127.0.0.1:${listener.port} within 300 ms for ${url} (UND_ERR_CONNECT_TIMEOUT)`);
      // The connect timeout fired, not the headers timeout or the deadline far behind it.
      assert.ok(elapsed >= 280 && elapsed < 4000, `took ${elapsed} ms`);
    } finally {
      await listener.close();
    }
  });

  void it('resolves names through an injected lookup, and reports a name that does not resolve', async () => {
    const asked: string[] = [];
    // No DNS query leaves the machine: `shop.test` is pinned to loopback, anything else fails as
    // the system resolver fails for an unknown name.
    const lookup: LookupFunction = (hostname, options, callback) => {
      asked.push(hostname);
      if (hostname === 'shop.test') {
        if (options.all) callback(null, [{ address: '127.0.0.1', family: 4 }]);
        else callback(null, '127.0.0.1', 4);
        return;
      }
      const error = Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', errno: -3008, syscall: 'getaddrinfo', hostname });
      callback(error, '', 4);
    };
    const pinned = createHttpClient({ proxyFromEnv: false, lookup });
    try {
      const port = new URL(server.origin).port;
      const response = await pinned.request(request(`http://shop.test:${port}/echo?run=lookup`));
      assert.equal(response.status, 200);
      assert.equal((JSON.parse(Buffer.from(response.body).toString()) as { headers: Record<string, string> }).headers.host, `shop.test:${port}`);
      const url = `http://gone.invalid:${port}/page`;
      await assert.rejects(pinned.request(request(url)), (error: unknown) => {
        assert.ok(error instanceof HttpFailure, String(error));
        assert.equal(error.kind, 'network');
        assert.equal(error.url, url);
        assert.equal(error.message, `name resolution failed: gone.invalid has no address (ENOTFOUND) for ${url}`);
        return true;
      });
      assert.deepEqual(asked, ['shop.test', 'gone.invalid']);
    } finally {
      await pinned.close();
    }
  });

  void it('times out waiting for headers', async () => {
    const started = performance.now();
    await failsWith(request(`${server.origin}/slow-headers?ms=2000`, { headersTimeoutMs: 200 }), 'timeout');
    // undici checks its timeouts on a coarse timer wheel, so allow up to about a second late.
    assert.ok(performance.now() - started < 1900);
  });

  void it('bounds a slow-drip body with the whole-request deadline', async () => {
    const started = performance.now();
    // 100 bytes at one per 50 ms would take 5 s; the deadline is 400 ms.
    const failure = await failsWith(request(`${server.origin}/drip?bytes=100&every=50`, { deadlineMs: 400 }), 'timeout');
    const elapsed = performance.now() - started;
    assert.match(failure.message, /400 ms deadline/);
    assert.ok(elapsed >= 380 && elapsed < 1500, `took ${elapsed} ms`);
  });

  void it('completes a slow drip that fits the deadline', async () => {
    const response = await client.request(request(`${server.origin}/drip?bytes=5&every=20`, { deadlineMs: 2000 }));
    assert.equal(Buffer.from(response.body).toString(), '.....');
  });

  void it('reports the caller cancelling as aborted', async () => {
    const controller = new AbortController();
    const pending = failsWith(request(`${server.origin}/slow-headers?ms=2000`, { signal: controller.signal }), 'aborted');
    await server.waitFor(() => server.requestsTo('/slow-headers').length > 0);
    controller.abort();
    await pending;
    await failsWith(request(`${server.origin}/ok`, { signal: AbortSignal.abort() }), 'aborted');
  });

  void it('rejects invalid URLs, other schemes and embedded credentials as invalid', async () => {
    await failsWith(request('not a url'), 'invalid');
    await failsWith(request('ftp://127.0.0.1/file'), 'invalid');
    await failsWith(request('file:///etc/passwd'), 'invalid');
    await failsWith(request(`http://user:pass@127.0.0.1:1/`), 'invalid');
  });

  void it('reaches the second loopback host', async () => {
    assert.equal(await canListenOn(SECOND_HOST), true);
    const response = await client.request(request(`${server.origin2}/ok`));
    assert.equal(response.status, 200);
    assert.equal(server.log.at(-1)?.host, SECOND_HOST);
  });

  void it('answers robots.txt with each status, and times out when it never answers', async () => {
    const statuses = await startFaultServer({ '/robots.txt': ({ url, res, req }) => robotsRoute(Number(url.searchParams.get('s')) as 200)({ url, res, req } as never) });
    try {
      for (const status of [200, 404, 403, 500, 503, 429]) {
        const response = await client.request(request(`${statuses.origin}/robots.txt?s=${status}`));
        assert.equal(response.status, status);
        if (status === 429 || status === 503) assert.equal(response.headers['retry-after'], '1');
      }
      const silent = await startFaultServer({ '/robots.txt': robotsRoute('timeout') });
      try {
        await failsWith(request(`${silent.origin}/robots.txt`, { deadlineMs: 300 }), 'timeout');
      } finally {
        await silent.close();
      }
    } finally {
      await statuses.close();
    }
  });

  void it('delivers broken HTML bytes untouched', async () => {
    const response = await client.request(request(`${server.origin}/broken-html`));
    assert.equal(decodeBody(response.body, response.headers['content-type'], 'html').text, BROKEN_HTML);
  });

  for (const [name, fixture] of Object.entries(CHARSET_FIXTURES)) {
    void it(`decodes the ${name} charset fixture end to end`, async () => {
      const response = await client.request(request(`${server.origin}/charset/${name}`));
      const decoded = decodeBody(response.body, response.headers['content-type'], 'html');
      assert.deepEqual(decoded, { text: fixture.expected, encoding: fixture.encoding });
    });
  }

  void it('calls an onSent hook once, as the request goes out', async () => {
    const sent: number[] = [];
    const req: HookedHttpRequest = { ...request(`${server.origin}/ok?run=sent`), onSent: () => sent.push(performance.now()) };
    await client.request(req);
    assert.equal(sent.length, 1);
    const arrival = server.log.find((entry) => entry.url === '/ok?run=sent');
    assert.ok(arrival && sent[0] <= arrival.t, 'the hook fires before the server sees the request');
  });

  void it('goes through HTTP_PROXY (a CONNECT tunnel) and honours NO_PROXY', async () => {
    const proxied = createHttpClient({ env: { HTTP_PROXY: server.origin, NO_PROXY: '' } });
    const direct = createHttpClient({ env: { HTTP_PROXY: server.origin, NO_PROXY: SECOND_HOST } });
    try {
      const target = new URL(server.origin2);
      const response = await proxied.request(request(`${server.origin2}/echo?run=proxy`));
      assert.equal(response.status, 200);
      assert.ok(server.log.some((entry) => entry.method === 'CONNECT' && entry.url === target.host), 'the proxy was asked to tunnel');
      const before = server.log.filter((entry) => entry.method === 'CONNECT').length;
      await direct.request(request(`${server.origin2}/echo?run=noproxy`));
      assert.equal(server.log.filter((entry) => entry.method === 'CONNECT').length, before, 'NO_PROXY bypassed the proxy');
    } finally {
      await proxied.close();
      await direct.close();
    }
  });

  void it('refuses requests after close', async () => {
    const other = createHttpClient({ proxyFromEnv: false });
    await other.close();
    await assert.rejects(other.request(request(`${server.origin}/ok`)), (error: unknown) => error instanceof HttpFailure && error.kind === 'aborted');
  });
});
