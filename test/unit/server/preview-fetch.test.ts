import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec, type HttpClient, type HttpRequest, type HttpResponse, type RobotsDecision } from '../../../language-server/src/engine/index';
import { NetworkGate } from '../../../language-server/src/server/network-gate';
import { PreviewFetcher } from '../../../language-server/src/server/preview-fetch';
import type { RobotsChecker } from '../../../language-server/src/server/robots-checker';

const SECRET = 'top-secret-key-123';

const SPEC = parseSpec(`gleaner: 1
name: t
description: t
user_agent: "GleanerBot/1.0 (+mailto:t@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [research]
politeness:
  delay: 1s
  retries:
    max: 2
sources:
  - id: api
    kind: api
    request:
      url: https://api.example.org/v1/items
    auth:
      type: api_key
      in: query
      name: key
      value: \${secret:ITEMS_KEY}
    records:
      path: $.items[*]
      fields:
        id:
          path: $.id
  - id: local
    kind: scrape
    start_urls:
      - http://127.0.0.1:9/page.html
    records:
      fields:
        t:
          selector: h1
output:
  format: jsonl
`).model;

/** An HTTP client answering from a script of statuses, recording every request. */
function scripted(statuses: number[]): HttpClient & { requests: HttpRequest[] } {
  const requests: HttpRequest[] = [];
  return {
    requests,
    request(request: HttpRequest): Promise<HttpResponse> {
      requests.push(request);
      const status = statuses[Math.min(requests.length - 1, statuses.length - 1)]!;
      return Promise.resolve({ url: request.url, status, headers: { 'content-type': 'application/json' }, body: new TextEncoder().encode('{"items":[{"id":1}]}'), timings: { headersMs: 1, totalMs: 2 } });
    },
    close: () => Promise.resolve(),
  };
}

function robots(allowed: boolean, calls: string[] = []): RobotsChecker {
  return {
    check: (url) => {
      calls.push(url);
      return Promise.resolve({ allowed, reason: allowed ? 'no rule applies' : 'Disallow: /v1/', basis: allowed ? 'no-rule' : 'rule', robotsUrl: 'https://api.example.org/robots.txt' } as RobotsDecision);
    },
    tdm: () => Promise.resolve(undefined),
    dispose: () => Promise.resolve(),
  };
}

function fetcher(http: HttpClient, gate: NetworkGate, checker: RobotsChecker, logs: string[]): PreviewFetcher {
  let now = 1_700_000_000_000;
  return new PreviewFetcher({
    gate,
    robots: checker,
    http: () => http,
    clock: { now: () => now },
    // A fake sleep that advances the fake clock: politeness waits cost no real time.
    sleep: (ms) => {
      now += ms;
      return Promise.resolve();
    },
    random: () => 0.5,
    env: { GLEANER_SECRET_ITEMS_KEY: SECRET },
    logger: { debug: (m) => logs.push(m), info: (m) => logs.push(m), warn: (m) => logs.push(m), error: (m) => logs.push(m) },
  });
}

void describe('preview fetcher', () => {
  void it('sends the secret only in the request, and redacts it from the answer and from log lines', async () => {
    const http = scripted([503, 200]);
    const logs: string[] = [];
    const outcome = await fetcher(http, new NetworkGate(true), robots(true), logs).fetchFirst(SPEC, SPEC.sources[0]!);
    assert.equal(outcome.ok, true);
    assert.equal(http.requests.length, 2, 'one retry after the 503');
    assert.match(http.requests[0]!.url, new RegExp(`key=${SECRET}`));
    assert.equal(http.requests[0]!.headers['user-agent'], 'GleanerBot/1.0 (+mailto:t@example.org)');
    assert.ok(logs.length > 0, 'the retry was logged');
    assert.ok(!logs.join('\n').includes(SECRET), logs.join('\n'));
    assert.ok(outcome.ok && !outcome.response.url.includes(SECRET) && outcome.response.url.includes('[REDACTED]'));
  });

  void it('makes no request, not even robots.txt, while the gate is closed', async () => {
    const http = scripted([200]);
    const calls: string[] = [];
    const outcome = await fetcher(http, new NetworkGate(false), robots(true, calls), []).fetchFirst(SPEC, SPEC.sources[0]!);
    assert.equal(outcome.ok, false);
    assert.equal(!outcome.ok && outcome.state, 'network-disabled');
    assert.equal(http.requests.length, 0);
    assert.equal(calls.length, 0);
  });

  void it('skips a URL robots.txt disallows, without requesting it', async () => {
    const http = scripted([200]);
    const outcome = await fetcher(http, new NetworkGate(true), robots(false), []).fetchFirst(SPEC, SPEC.sources[0]!);
    assert.equal(!outcome.ok && outcome.state, 'skipped');
    assert.equal(http.requests.length, 0);
  });

  void it('refuses a loopback address unless the spec allows private networks', async () => {
    const http = scripted([200]);
    const outcome = await fetcher(http, new NetworkGate(true), robots(true), []).fetchFirst(SPEC, SPEC.sources[1]!);
    assert.equal(!outcome.ok && outcome.state, 'skipped');
    assert.match(!outcome.ok ? outcome.message : '', /allow_private_network/);
    assert.equal(http.requests.length, 0);
  });

  void it('says what is missing when a secret is not set', async () => {
    const http = scripted([200]);
    const f = new PreviewFetcher({ gate: new NetworkGate(true), robots: robots(true), http: () => http, clock: { now: () => 0 }, sleep: () => Promise.resolve(), random: () => 0, env: {}, logger: { debug() {}, info() {}, warn() {}, error() {} } });
    const outcome = await f.fetchFirst(SPEC, SPEC.sources[0]!);
    assert.equal(!outcome.ok && outcome.state, 'failed');
    assert.match(!outcome.ok ? outcome.message : '', /\$\{secret:ITEMS_KEY\} is not set/);
    assert.equal(http.requests.length, 0);
  });
});
