// Failures before a connection exists, through the whole crawl: a connect that never completes
// (a loopback port whose accept queue is full) and a host name that does not resolve (an injected
// lookup, so no DNS query is sent). Each page is retried, then recorded as a skip whose detail
// names the URL and the step that failed; the run ends on its own; robots.txt behind the same
// failure means "disallowed", never "allowed".
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import type { LookupFunction } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { createHttpClient, runCollection } from '../../../language-server/src/engine/index';
import type { RunEvent, RunManifest, SkipEvent } from '../../../language-server/src/engine/index';
import { startUnacceptingListener, type UnacceptingListener } from '../../support/fault-server-unaccepting';
import { realPorts, specOf } from './support';

let listener: UnacceptingListener;
const out = mkdtempSync(join(tmpdir(), 'gleaner-connect-'));

before(async () => {
  listener = await startUnacceptingListener();
});
after(async () => {
  await listener.close();
  rmSync(out, { recursive: true, force: true });
});

/** One scrape source on `startUrl`; three attempts with short backoffs and a 300 ms connect timeout. */
function specText(startUrl: string, robots: 'obey' | 'ignore'): string {
  return `gleaner: 1
name: connect-failures
description: pages whose host cannot be reached
user_agent: "GleanerBot/0.1 (+mailto:test@example.org)"
licence: { spdx: CC0-1.0, intended_use: [research] }
politeness:
  robots: ${robots}
${robots === 'ignore' ? '  robots_justification: the test server is ours\n' : ''}  delay: 1ms
  allow_private_network: true
  timeouts: { connect: 300ms, headers: 5s, request: 10s }
  retries: { max: 2, backoff: 10ms, max_backoff: 20ms }
sources:
  - id: pages
    kind: scrape
    start_urls: [${startUrl}]
    records:
      selector: body
      fields:
        text: { selector: p }
output: { format: jsonl, directory: runs }
`;
}

/** A resolver that knows no name: it fails as getaddrinfo does for an unknown host. */
const noSuchName: LookupFunction = (hostname, _options, callback) => {
  callback(Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND', syscall: 'getaddrinfo', hostname }), '', 4);
};

async function crawl(name: string, text: string, lookup?: LookupFunction): Promise<{ events: RunEvent[]; manifest: RunManifest; status: string }> {
  const ports = realPorts();
  if (lookup) {
    await ports.http.close();
    ports.http = createHttpClient({ proxyFromEnv: false, lookup });
  }
  const events: RunEvent[] = [];
  const runDir = join(out, name);
  try {
    const summary = await runCollection({ spec: specOf(text), specText: text, specPath: join(out, `${name}.collect.yaml`), runDir }, ports, (e) => events.push(e));
    const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
    return { events, manifest, status: summary.status };
  } finally {
    await ports.http.close();
  }
}

const skipsOf = (events: RunEvent[]): SkipEvent[] => events.filter((e): e is SkipEvent => e.type === 'skip');

void test('a connect that never completes is retried, then skipped as a timeout naming the URL; the run ends', { timeout: 30_000 }, async () => {
  const url = `${listener.origin}/page.html`;
  const { events, manifest, status } = await crawl('connect-timeout', specText(url, 'ignore'));
  assert.equal(status, 'completed');
  const skips = skipsOf(events);
  assert.equal(skips.length, 1, JSON.stringify(skips));
  assert.equal(skips[0].url, url);
  assert.equal(skips[0].reason, 'timeout');
  assert.match(skips[0].detail ?? '', new RegExp(`^connect timed out: no connection to 127\\.0\\.0\\.1:${listener.port} within 300 ms for ${url.replace(/[.?]/g, '\\$&')} \\(UND_ERR_CONNECT_TIMEOUT\\); `));
  assert.deepEqual(events.filter((e) => e.type === 'retry').map((e) => (e.type === 'retry' ? e.attempt : 0)), [2, 3]);
  assert.equal(manifest.counts.retries, 2);
  assert.equal(manifest.counts.errors, 1);
  assert.equal(manifest.counts.pages_fetched, 0);
  assert.deepEqual(manifest.counts.skipped, { timeout: 1 });
  assert.equal(manifest.skips[0].detail, skips[0].detail);
});

void test('robots.txt behind a connect timeout means disallowed: the page is never requested', { timeout: 30_000 }, async () => {
  const url = `${listener.origin}/page.html`;
  const { events, manifest, status } = await crawl('connect-timeout-robots', specText(url, 'obey'));
  assert.equal(status, 'completed');
  const skips = skipsOf(events);
  assert.deepEqual(skips.map((s) => [s.url, s.reason]), [[url, 'robots']]);
  // The spec's 300 ms connect timeout applies to robots.txt too (not the robots cache's 10 s).
  assert.match(skips[0].detail ?? '', new RegExp(`connect timed out: no connection to 127\\.0\\.0\\.1:${listener.port} within 300 ms for ${listener.origin.replace(/\./g, '\\.')}/robots\\.txt`));
  assert.equal(events.filter((e) => e.type === 'page').length, 1);
  assert.equal(manifest.counts.requests, 0);
  assert.equal(manifest.robots[0]?.verdict, 'blocked');
});

void test('a host name that does not resolve is retried, then skipped as a network error naming the URL', { timeout: 30_000 }, async () => {
  const url = 'http://shop.invalid/page.html';
  const { events, manifest, status } = await crawl('no-such-name', specText(url, 'ignore'), noSuchName);
  assert.equal(status, 'completed');
  const skips = skipsOf(events);
  assert.deepEqual(skips.map((s) => [s.url, s.reason]), [[url, 'network']]);
  assert.match(skips[0].detail ?? '', /^name resolution failed: shop\.invalid has no address \(ENOTFOUND\) for http:\/\/shop\.invalid\/page\.html; /);
  assert.equal(manifest.counts.retries, 2);
  assert.equal(manifest.counts.errors, 1);

  // With robots.txt obeyed, the same failure fetching it blocks the origin.
  const obeyed = await crawl('no-such-name-robots', specText(url, 'obey'), noSuchName);
  assert.deepEqual(skipsOf(obeyed.events).map((s) => [s.url, s.reason]), [[url, 'robots']]);
  assert.equal(obeyed.manifest.robots[0]?.verdict, 'blocked');
});
