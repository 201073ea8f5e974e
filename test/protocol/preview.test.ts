import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { startDemoSite, type DemoSite } from '../../language-server/src/demo-site';
import { preview, previewUpdated, type PreviewResult, type PreviewUpdatedParams } from '../../language-server/src/protocol/preview';
import { buildServer, LspClient } from '../support/lsp-client';

const URI = 'file:///w/preview.collect.yaml';

/** A spec with a scrape source, an API source with an API key and a robots-disallowed source. */
function specText(origin: string, titleSelector = 'h3 a'): string {
  return `gleaner: 1
name: preview-test
description: Preview test spec.
user_agent: "GleanerBot/1.0 (+mailto:preview@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [research]
politeness:
  delay: 100ms
  allow_private_network: true
sources:
  - id: catalogue
    kind: scrape
    start_urls:
      - ${origin}/catalogue/page-1.html
    records:
      selector: article.product_pod
      fields:
        title:
          selector: ${titleSelector}
          attribute: title
        price:
          selector: p.price_color
          regex: "([0-9.]+)"
          type: number
  - id: api-books
    kind: api
    request:
      url: ${origin}/api/v1/books
    auth:
      type: api_key
      in: header
      name: X-API-Key
      value: \${env:GLEANER_PREVIEW_TEST_KEY}
    pagination:
      type: page
      param: page
      start: 1
    records:
      path: $.items[*]
      fields:
        title:
          path: $.title
        price:
          path: $.price
          type: number
  - id: staff
    kind: scrape
    start_urls:
      - ${origin}/private/staff.html
    records:
      fields:
        name:
          selector: h1
output:
  format: jsonl
`;
}

void describe('language server: source preview', () => {
  let site: DemoSite;
  const clients: LspClient[] = [];
  const start = async (trusted: boolean, networkEnabled = true): Promise<LspClient> => {
    const c = await LspClient.start({ initializationOptions: { trusted }, settings: { network: { enabled: networkEnabled } } });
    clients.push(c);
    // The server holds the network closed until it has read the client's settings.
    await c.settingsServed();
    return c;
  };

  before(async () => {
    // The server inherits this environment: the API key reaches the spec only as ${env:…}.
    process.env.GLEANER_PREVIEW_TEST_KEY = 'demo-key';
    await buildServer();
    site = await startDemoSite({ port: 0 });
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.stop();
    site.requests.splice(0);
  });

  after(async () => {
    await site.close();
  });

  void it('previews a scrape source: records, match counts, marked source; an edit re-extracts without a request', async () => {
    const client = await start(true);
    await client.open(URI, specText(site.origin));
    const result = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'catalogue' }, 20_000);
    assert.equal(result.state, 'ok', result.message);
    assert.equal(result.status, 200);
    assert.equal(result.recordCount, 20);
    assert.equal(result.records.length, 20);
    assert.equal(typeof result.records[0]!.values.title, 'string');
    assert.equal(typeof result.records[0]!.values.price, 'number');
    assert.deepEqual(result.fields.map((f) => [f.name, f.matches, f.total]), [['title', 20, 20], ['price', 20, 20]]);
    assert.ok(result.source, 'the page source');
    const titleMarks = result.marks?.title ?? [];
    assert.equal(titleMarks.length, 20);
    for (const [s, e] of titleMarks) assert.match(result.source.text.slice(s, e), /^<a [^>]*title="[^"]+"[^>]*>.*<\/a>$/s);
    assert.equal(result.marks?.['(records)']?.length, 20);
    // Only robots.txt and the page, both with the spec's user agent.
    // robots.txt (read once by the server's shared robots cache, which the diagnostics use too) and the page.
    assert.deepEqual(site.requests.filter((r) => r.path !== '/robots.txt').map((r) => r.path), ['/catalogue/page-1.html']);
    assert.ok(site.requests.some((r) => r.path === '/robots.txt'));
    for (const r of site.requests) assert.equal(r.userAgent, 'GleanerBot/1.0 (+mailto:preview@example.org)');
    const before = site.requests.length;

    const updated = new Promise<PreviewUpdatedParams>((resolve) => {
      client.connection.onNotification(previewUpdated.method, (p: PreviewUpdatedParams) => {
        if (p.sourceId === 'catalogue' && p.version === 2) resolve(p);
      });
    });
    const sent = performance.now();
    await client.change(URI, 2, specText(site.origin, 'h3 span'));
    const update = await Promise.race([updated, new Promise<never>((_, reject) => setTimeout(() => reject(new Error('no previewUpdated within 5 s')), 5000))]);
    const latency = performance.now() - sent;
    process.stdout.write(`# didChange → previewUpdated on the demo listing page: ${latency.toFixed(0)} ms (50 ms of it is the debounce), extraction ${update.extractMs} ms\n`);
    assert.deepEqual(update.fields.map((f) => [f.name, f.matches]), [['title', 0], ['price', 20]]);
    assert.equal(update.marks?.title?.length, 0);
    assert.equal(update.fetchedAt, result.fetchedAt);
    assert.equal(site.requests.length, before, 'the edit made no request');

    // Asking again without refresh answers from the cache: still no request.
    const again = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'catalogue' }, 20_000);
    assert.equal(again.cached, true);
    assert.equal(again.fields[0]!.matches, 0);
    assert.equal(site.requests.length, before);
  });

  void it('previews an API source with its key resolved from the environment, never echoing the key', async () => {
    const client = await start(true);
    await client.open(URI, specText(site.origin));
    const result = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'api-books' }, 20_000);
    assert.equal(result.state, 'ok', result.message);
    assert.equal(result.kind, 'api');
    assert.equal(result.status, 200);
    assert.ok(result.recordCount > 0);
    assert.deepEqual(result.fields.map((f) => [f.name, f.matches === result.recordCount]), [['title', true], ['price', true]]);
    assert.equal(result.jsonPreview?.t, 'object');
    assert.match(result.url ?? '', /\/api\/v1\/books\?page=1$/);
    const apiRequest = site.requests.find((r) => r.path.startsWith('/api/v1/books'));
    assert.equal(apiRequest?.status, 200, 'the key was accepted');
    assert.ok(!JSON.stringify(result).includes('demo-key'));
    assert.ok(!client.logs.join('\n').includes('demo-key'));
  });

  void it('fetches again only on refresh', async () => {
    const client = await start(true);
    await client.open(URI, specText(site.origin));
    const first = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'catalogue' }, 20_000);
    assert.equal(first.cached, false);
    const pages = (): number => site.requests.filter((r) => r.path === '/catalogue/page-1.html').length;
    assert.equal(pages(), 1);
    const cached = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'catalogue' }, 20_000);
    assert.equal(cached.cached, true);
    assert.equal(pages(), 1);
    const refreshed = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'catalogue', refresh: true }, 20_000);
    assert.equal(refreshed.state, 'ok');
    assert.equal(refreshed.cached, false);
    assert.equal(pages(), 2);
  });

  void it('answers for a spec that is not open and a source that does not exist without a request', async () => {
    const client = await start(true);
    const closed = await client.request<PreviewResult>(preview.method, { uri: 'file:///w/none.collect.yaml', sourceId: 'x' });
    assert.equal(closed.state, 'not-open');
    await client.open(URI, specText(site.origin));
    const missing = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'nope' });
    assert.equal(missing.state, 'no-source');
    // The robots.txt diagnostics may read robots.txt for the open spec; nothing else is fetched.
    assert.deepEqual(site.requests.filter((r) => r.path !== '/robots.txt'), []);
  });

  void it('skips a URL robots.txt disallows, with the reason', async () => {
    const client = await start(true);
    await client.open(URI, specText(site.origin));
    const result = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'staff' }, 20_000);
    assert.equal(result.state, 'skipped');
    assert.match(result.skipped ?? '', /private/i);
    assert.ok(!site.requests.some((r) => r.path.startsWith('/private/')));
  });

  void it('makes no request at all in an untrusted workspace', async () => {
    const client = await start(false);
    await client.open(URI, specText(site.origin));
    const result = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'catalogue' }, 20_000);
    assert.equal(result.state, 'network-disabled');
    assert.match(result.message ?? '', /Network access is off/);
    assert.equal(site.requests.length, 0);
  });

  void it('makes no request when gleaner.network.enabled is off, even in a trusted workspace', async () => {
    const client = await start(true, false);
    await client.open(URI, specText(site.origin));
    const result = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'api-books' }, 20_000);
    assert.equal(result.state, 'network-disabled');
    assert.equal(site.requests.length, 0);
  });
});
