// An API that announces its request budget in X-RateLimit-* headers, end to end: the demo site's
// metered endpoint allows 5 requests per 2-second window, and the crawl pages through it with a
// 2 ms delay, which would spend the budget many times over. The server's own log shows that once
// the budget is spent the next request opens a new window (it arrived after the reset) and that
// no request was refused with 429.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEMO_CREDENTIALS, startDemoSite } from '../../../language-server/src/demo-site/index';
import type { DemoRequestLog } from '../../../language-server/src/demo-site/index';
import { runCollection } from '../../../language-server/src/engine/index';
import type { RunEvent } from '../../../language-server/src/engine/index';
import { demoEnvFrom, exampleSpecText, readJsonl, realPorts, specOf } from './support';

let site: Awaited<ReturnType<typeof startDemoSite>>;
const out = mkdtempSync(join(tmpdir(), 'gleaner-ratelimit-'));

before(async () => {
  // The defaults `gleaner demo` serves: 5 requests per 2 s on the metered endpoint.
  site = await startDemoSite({ port: 0 });
});
after(async () => {
  await site.close();
  rmSync(out, { recursive: true, force: true });
});

/** The books-api example's page source, moved to the metered endpoint, 6 books a page, JSONL. */
function meteredSpecText(): string {
  const text = exampleSpecText('books-api.collect.yaml', site.origin)
    .replace(`${site.origin}/api/v1/books\n`, `${site.origin}/api/v1/books/metered\n`)
    .replace(/size: 20/, 'size: 6')
    .replace(/max_pages: 10/, 'max_pages: 20')
    .replace(/format: csv/, 'format: jsonl');
  assert.ok(text.includes('/api/v1/books/metered') && text.includes('size: 6') && text.includes('format: jsonl'), 'the example changed shape');
  return text;
}

void test('a crawl waits out a spent X-RateLimit budget: no request before the reset, no 429', { timeout: 60_000 }, async () => {
  const text = meteredSpecText();
  const ports = realPorts(demoEnvFrom(DEMO_CREDENTIALS));
  const events: RunEvent[] = [];
  const runDir = join(out, 'metered');
  const first = site.requests.length;
  let summary;
  try {
    summary = await runCollection({ spec: specOf(text), specText: text, specPath: join(out, 'metered.collect.yaml'), runDir, sourceIds: ['books-by-page'] }, ports, (e) => events.push(e));
  } finally {
    await ports.http.close();
  }
  assert.equal(summary.status, 'completed', summary.reason);
  assert.equal(readJsonl(join(runDir, 'records.jsonl')).length, 60);

  const metered = site.requests.slice(first).filter((r) => r.path.startsWith('/api/v1/books/metered'));
  // Ten pages of six books and the empty page that ends the pagination, each asked for once.
  assert.equal(metered.length, 11, metered.map((r) => `${r.status} ${r.path}`).join('\n'));
  assert.deepEqual(metered.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.path}`), [], 'no request was refused');
  assert.equal(summary.counts.retries, 0);

  const budgets = metered.map((r): NonNullable<DemoRequestLog['rateLimit']> => {
    assert.ok(r.rateLimit, `${r.path} was not charged to the budget`);
    return r.rateLimit;
  });
  let spent = 0;
  for (let i = 0; i + 1 < budgets.length; i++) {
    if (budgets[i].remaining > 0) continue;
    spent += 1;
    // The server opens a new window only for a request that arrives at or after the reset.
    assert.ok(budgets[i + 1].windowStart >= budgets[i].resetAt, `request ${i + 2} arrived ${(budgets[i].resetAt - budgets[i + 1].windowStart).toFixed(1)} ms before the budget reset`);
  }
  // 11 requests at 5 per window: the budget ran out twice, so the pause was exercised twice.
  assert.equal(spent, 2);
});
