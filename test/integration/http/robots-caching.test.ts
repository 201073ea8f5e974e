// robots.txt caching end to end: the real undici client against the demo site, whose robots.txt
// says `Cache-Control: no-cache` and carries an ETag. The cache (on a fake clock, so no test
// waits a minute) keeps it for the minimum re-check interval, then revalidates it with
// If-None-Match, and the demo site's request log shows a 200 followed by a 304, not a second body.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { startDemoSite } from '../../../language-server/src/demo-site/index';
import { createHttpClient } from '../../../language-server/src/engine/http/undici-client';
import type { HttpClient } from '../../../language-server/src/engine/ports';
import { RobotsCache } from '../../../language-server/src/engine/robots';
import { MIN_ROBOTS_TTL_MS } from '../../../language-server/src/engine/robots/cache';

let site: Awaited<ReturnType<typeof startDemoSite>>;
let http: HttpClient;

before(async () => {
  site = await startDemoSite({ port: 0 });
  http = createHttpClient({ proxyFromEnv: false });
});
after(async () => {
  await http.close();
  await site.close();
});

void test('the demo robots.txt (no-cache, ETag) is re-checked after a minute with a conditional request', async () => {
  let now = 1_000_000;
  const cache = new RobotsCache({ http, clock: { now: () => now }, userAgent: 'GleanerBot/0.1 (+mailto:data@example.org)' });
  const robotsLog = (): number[] => site.requests.filter((r) => r.path === '/robots.txt').map((r) => r.status);

  assert.equal((await cache.check(`${site.origin}/cart`)).allowed, false);
  for (let i = 1; i <= 3; i++) assert.equal((await cache.check(`${site.origin}/catalogue/page-${i}.html`)).allowed, true);
  assert.deepEqual(robotsLog(), [200], 'one fetch for many URLs, despite no-cache');

  now += MIN_ROBOTS_TTL_MS;
  const decision = await cache.check(`${site.origin}/cart`);
  assert.equal(decision.allowed, false);
  assert.match(decision.reason, /^Disallow: \/cart \(robots\.txt line \d+\)$/);
  assert.deepEqual(robotsLog(), [200, 304], 'revalidated, not fetched whole');
  assert.match((await cache.lookup(site.origin)).summary, /\(revalidated: 304\)$/);
});
