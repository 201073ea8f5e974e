import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEMO_BOOKS } from '../../language-server/src/demo-site';
import { preview, previewUpdated, type PreviewResult, type PreviewUpdatedParams } from '../../language-server/src/protocol/preview';
import { useDemoSiteAndServer } from '../support/demo-lsp';
import { startEchoServer, type EchoServer } from '../support/echo-server';
import type { LspClient } from '../support/lsp-client';

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
  // The server inherits this environment: the API key reaches the spec only as ${env:…}.
  const harness = useDemoSiteAndServer(() => {
    process.env.GLEANER_PREVIEW_TEST_KEY = 'demo-key';
  });
  const start = (trusted: boolean, networkEnabled = true): Promise<LspClient> => harness.start({ trusted, settings: { network: { enabled: networkEnabled } } });

  void it('previews a scrape source: records, match counts, marked source; an edit re-extracts without a request', async () => {
    const site = harness.site;
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
    const site = harness.site;
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
    const site = harness.site;
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
    const site = harness.site;
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
    const site = harness.site;
    const client = await start(true);
    await client.open(URI, specText(site.origin));
    const result = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'staff' }, 20_000);
    assert.equal(result.state, 'skipped');
    assert.match(result.skipped ?? '', /private/i);
    assert.ok(!site.requests.some((r) => r.path.startsWith('/private/')));
  });

  void it('makes no request at all in an untrusted workspace', async () => {
    const site = harness.site;
    const client = await start(false);
    await client.open(URI, specText(site.origin));
    const result = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'catalogue' }, 20_000);
    assert.equal(result.state, 'network-disabled');
    assert.match(result.message ?? '', /Network access is off/);
    assert.equal(site.requests.length, 0);
  });

  void it('makes no request when gleaner.network.enabled is off, even in a trusted workspace', async () => {
    const site = harness.site;
    const client = await start(true, false);
    await client.open(URI, specText(site.origin));
    const result = await client.request<PreviewResult>(preview.method, { uri: URI, sourceId: 'api-books' }, 20_000);
    assert.equal(result.state, 'network-disabled');
    assert.equal(site.requests.length, 0);
  });

  void it('previews a detail-page source on the first page the listing\'s follow rule leads to, and says so', async () => {
    const site = harness.site;
    const client = await start(true);
    await client.open(FOLLOW_URI, followSpec(site.origin));
    const result = await client.request<PreviewResult>(preview.method, { uri: FOLLOW_URI, sourceId: 'book' }, 20_000);
    assert.equal(result.state, 'ok', result.message);
    const first = DEMO_BOOKS[0]!;
    assert.equal(result.url, `${site.origin}/catalogue/${first.slug}_${first.id}/index.html`);
    assert.equal(result.recordCount, 1);
    assert.equal(result.records[0]!.values.title, first.title);
    assert.equal(typeof result.records[0]!.values.price, 'number');
    assert.equal(result.via?.startSourceId, 'listing');
    assert.equal(result.via?.startUrl, `${site.origin}/catalogue/page-1.html`);
    assert.deepEqual(
      result.via?.hops.map((h) => [h.fromSourceId, h.selector, h.ruleIndex, h.toSourceId, h.linksFound, h.linkUrl, h.passedOver.length]),
      [['listing', 'article.product_pod h3 a', 1, 'book', 20, result.url, 0]],
    );
    assert.match(result.via?.summary ?? '', /first of 20 links that follow rule `article\.product_pod h3 a` of listing finds on its start page http:\/\/127\.0\.0\.1:\d+\/catalogue\/page-1\.html/);
    // robots.txt, the listing's start page and the detail page: nothing else.
    assert.deepEqual(site.requests.filter((r) => r.path !== '/robots.txt').map((r) => r.path), ['/catalogue/page-1.html', `/catalogue/${first.slug}_${first.id}/index.html`]);
    const requests = site.requests.length;

    // The start page was cached on the way: previewing the listing itself makes no request.
    const listing = await client.request<PreviewResult>(preview.method, { uri: FOLLOW_URI, sourceId: 'listing' }, 20_000);
    assert.equal(listing.state, 'ok', listing.message);
    assert.equal(listing.cached, true);
    assert.equal(listing.via, undefined);
    const again = await client.request<PreviewResult>(preview.method, { uri: FOLLOW_URI, sourceId: 'book' }, 20_000);
    assert.equal(again.cached, true);
    assert.equal(again.via?.summary, result.via?.summary);
    assert.equal(site.requests.length, requests);

    // An edit of the book's fields re-extracts from the cached detail page; an edit of the
    // follow rule marks the page as no longer the one the spec leads to. Neither fetches.
    const updates: PreviewUpdatedParams[] = [];
    const waitFor = (version: number): Promise<PreviewUpdatedParams> =>
      new Promise((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no previewUpdated for version ${version} within 5 s`)), 5000);
        const check = (): void => {
          const found = updates.find((u) => u.sourceId === 'book' && u.version === version);
          if (found) {
            clearTimeout(timer);
            resolve(found);
          } else setImmediate(check);
        };
        check();
      });
    client.connection.onNotification(previewUpdated.method, (p: PreviewUpdatedParams) => updates.push(p));
    await client.change(FOLLOW_URI, 2, followSpec(site.origin, { titleSelector: 'div.product_main h2' }));
    const edited = await waitFor(2);
    assert.deepEqual(edited.fields.map((f) => [f.name, f.matches]), [['title', 0], ['price', 1]]);
    assert.equal(edited.urlChanged, undefined);
    await client.change(FOLLOW_URI, 3, followSpec(site.origin, { bookLinks: 'article.product_pod .image_container a' }));
    const moved = await waitFor(3);
    assert.equal(moved.urlChanged, true);
    assert.equal(site.requests.length, requests, 'edits made no request');
  });

  void it('passes over followed links robots.txt disallows, and requests none of them', async () => {
    const site = harness.site;
    const client = await start(true);
    await client.open(FOLLOW_URI, followSpec(site.origin));
    const result = await client.request<PreviewResult>(preview.method, { uri: FOLLOW_URI, sourceId: 'staff' }, 20_000);
    assert.equal(result.state, 'skipped', result.message);
    assert.deepEqual(result.via?.hops.map((h) => [h.fromSourceId, h.linksFound, h.passedOver.map((p) => new URL(p.url).pathname)]), [['promos', 2, ['/cart', '/private/staff.html']]]);
    for (const passed of result.via?.hops[0]?.passedOver ?? []) assert.match(passed.reason, /robots\.txt|Disallow/i);
    assert.match(result.message ?? '', /none of the first 2 of 2 links/);
    assert.deepEqual(site.requests.filter((r) => r.path !== '/robots.txt').map((r) => r.path), ['/catalogue/page-2.html']);
  });

  void it('says why when no source leads to a source without start URLs, without a request', async () => {
    const site = harness.site;
    const client = await start(true);
    await client.open(FOLLOW_URI, followSpec(site.origin));
    const result = await client.request<PreviewResult>(preview.method, { uri: FOLLOW_URI, sourceId: 'orphan' }, 20_000);
    assert.equal(result.state, 'no-url');
    assert.match(result.message ?? '', /no source with start URLs leads to it/);
    assert.deepEqual(site.requests.filter((r) => r.path !== '/robots.txt'), []);
  });

  void it('follows no link in an untrusted workspace', async () => {
    const site = harness.site;
    const client = await start(false);
    await client.open(FOLLOW_URI, followSpec(site.origin));
    const result = await client.request<PreviewResult>(preview.method, { uri: FOLLOW_URI, sourceId: 'book' }, 20_000);
    assert.equal(result.state, 'network-disabled');
    assert.equal(site.requests.length, 0);
  });

  void describe('secrets echoed back', () => {
    const KEY = 'k3y-echo-s3cret-4711';
    const NUMERIC_KEY = '48151623';
    let echo: EchoServer;
    before(async () => {
      // Both forms of reference: ${env:NAME} for the API, ${secret:NAME} (GLEANER_SECRET_NAME) for pages.
      process.env.GLEANER_PREVIEW_ECHO_KEY = KEY;
      process.env.GLEANER_SECRET_ECHO = KEY;
      process.env.GLEANER_PREVIEW_ECHO_NUMBER = NUMERIC_KEY;
      echo = await startEchoServer(KEY);
    });
    after(async () => {
      await echo.close();
    });

    void it('redacts a key an API echoes from the headers, the JSON tree and the records', async () => {
      const client = await start(true);
      await client.open(ECHO_URI, echoSpec(echo.origin));
      const result = await client.request<PreviewResult>(preview.method, { uri: ECHO_URI, sourceId: 'echo-api' }, 20_000);
      assert.equal(result.state, 'ok', result.message);
      assert.ok(echo.requests.some((r) => r.path === '/echo.json' && r.status === 200), 'the server got the request');
      assert.equal(result.headers?.['x-echo-key'], '[REDACTED]');
      assert.deepEqual(result.records[0]!.values, { title: 'Echo', key: '[REDACTED]', note: 'Your key is [REDACTED].' });
      assert.match(JSON.stringify(result.jsonPreview), /\[REDACTED\]/);
      assert.ok(!JSON.stringify(result).includes(KEY), JSON.stringify(result));
      assert.ok(!client.logs.join('\n').includes(KEY));
    });

    void it('redacts a key of digits that an API echoes as a JSON number', async () => {
      const client = await start(true);
      await client.open(ECHO_URI, echoSpec(echo.origin));
      const result = await client.request<PreviewResult>(preview.method, { uri: ECHO_URI, sourceId: 'echo-number' }, 20_000);
      assert.equal(result.state, 'ok', result.message);
      assert.equal(result.headers?.['x-echo-key'], '[REDACTED]');
      assert.match(JSON.stringify(result.jsonPreview), /\["id",\{"t":"value","v":"\[REDACTED\]"\}\]/);
      assert.ok(!JSON.stringify(result).includes(NUMERIC_KEY), JSON.stringify(result));
    });

    void it('redacts a key a page echoes from the page source, marks and records, and from a followed page', async () => {
      const client = await start(true);
      await client.open(ECHO_URI, echoSpec(echo.origin));
      const page = await client.request<PreviewResult>(preview.method, { uri: ECHO_URI, sourceId: 'echo-page' }, 20_000);
      assert.equal(page.state, 'ok', page.message);
      assert.equal(page.records[0]!.values.key, '[REDACTED]');
      assert.match(page.source?.text ?? '', /<p class="key">\[REDACTED\]<\/p>/);
      assert.equal(page.headers?.['x-echo-key'], '[REDACTED]');
      assert.ok(!JSON.stringify(page).includes(KEY));

      // The detail page answers only to the key: the followed link kept it, the answer did not.
      const detail = await client.request<PreviewResult>(preview.method, { uri: ECHO_URI, sourceId: 'echo-detail' }, 20_000);
      assert.equal(detail.state, 'ok', detail.message);
      assert.equal(detail.status, 200);
      assert.ok(echo.requests.some((r) => r.path.startsWith('/detail.html?key=') && r.status === 200));
      assert.equal(detail.records[0]!.values.key, '[REDACTED]');
      assert.match(detail.url ?? '', /\/detail\.html\?key=%5BREDACTED%5D$|\/detail\.html\?key=\[REDACTED\]$/);
      assert.ok(!JSON.stringify(detail).includes(KEY), JSON.stringify(detail));
      assert.ok(!client.logs.join('\n').includes(KEY));
    });

    void it('passes over a link robots.txt disallows and one that answers 404, and previews the next', async () => {
      const client = await start(true);
      // The spec names echo-page first, so echo-detail's route goes through echo-page; this
      // spec leaves echo-page out, so the route goes through echo-links.
      const spec = echoSpec(echo.origin).replace(/  - id: echo-page[\s\S]*?(?=  - id: echo-links)/, '');
      await client.open(ECHO_URI, spec);
      const requests = echo.requests.length;
      const result = await client.request<PreviewResult>(preview.method, { uri: ECHO_URI, sourceId: 'echo-detail' }, 20_000);
      assert.equal(result.state, 'ok', result.message);
      const hop = result.via?.hops[0];
      assert.equal(hop?.fromSourceId, 'echo-links');
      assert.deepEqual([hop?.linksFound, hop?.linkIndex], [3, 2]);
      assert.deepEqual(hop?.passedOver.map((p) => [new URL(p.url).pathname, /robots|Disallow/i.test(p.reason) ? 'robots' : /^HTTP 404\b/.test(p.reason) ? '404' : p.reason]), [['/hidden.html', 'robots'], ['/gone.html', '404']]);
      assert.match(result.via?.summary ?? '', /link 3 of 3/);
      assert.equal(result.records[0]!.values.key, '[REDACTED]');
      const paths = echo.requests.slice(requests).map((r) => r.path.replace(/\?.*/, ''));
      assert.deepEqual(paths.filter((p) => p !== '/robots.txt'), ['/links.html', '/gone.html', '/detail.html']);
    });
  });
});

const FOLLOW_URI = 'file:///w/follow.collect.yaml';

/**
 * The demo shop's listing → detail layout: `book` and `staff` have no start URLs and get their
 * pages from other sources' follow rules; `orphan` gets none from anywhere.
 */
function followSpec(origin: string, edits: { titleSelector?: string; bookLinks?: string } = {}): string {
  return `gleaner: 1
name: follow-test
description: Preview of sources reached by following links.
user_agent: "GleanerBot/1.0 (+mailto:preview@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [research]
politeness:
  delay: 100ms
  allow_private_network: true
sources:
  - id: listing
    kind: scrape
    start_urls:
      - ${origin}/catalogue/page-1.html
    follow:
      - selector: li.next a
      - selector: ${edits.bookLinks ?? 'article.product_pod h3 a'}
        source: book
    records:
      selector: article.product_pod
      fields:
        title:
          selector: h3 a
          attribute: title
  - id: promos
    kind: scrape
    start_urls:
      - ${origin}/catalogue/page-2.html
    follow:
      - selector: div.promo a[href^="/"]
        source: staff
  - id: book
    kind: scrape
    records:
      fields:
        title:
          selector: ${edits.titleSelector ?? 'div.product_main h1'}
        price:
          selector: div.product_main p.price_color
          regex: "([0-9.]+)"
          type: number
  - id: staff
    kind: scrape
    records:
      fields:
        name:
          selector: h1
  - id: orphan
    kind: scrape
    records:
      fields:
        name:
          selector: h1
output:
  format: jsonl
`;
}

const ECHO_URI = 'file:///w/echo.collect.yaml';

/** Sources whose server echoes the key they were sent. */
/** An API source of echoSpec: the echo server's JSON, sent the key in environment variable `envName`. */
function echoApiSource(origin: string, id: string, envName: string, fields: string[]): string {
  return `  - id: ${id}
    kind: api
    request:
      url: ${origin}/echo.json
    auth:
      type: api_key
      in: header
      name: X-API-Key
      value: \${env:${envName}}
    records:
      path: $.items[*]
      fields:
${fields.map((name) => `        ${name}:\n          path: $.${name}`).join('\n')}`;
}

function echoSpec(origin: string): string {
  return `gleaner: 1
name: echo-test
description: A server that echoes secrets.
user_agent: "GleanerBot/1.0 (+mailto:preview@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [research]
politeness:
  delay: 100ms
  allow_private_network: true
sources:
${echoApiSource(origin, 'echo-api', 'GLEANER_PREVIEW_ECHO_KEY', ['title', 'key', 'note'])}
${echoApiSource(origin, 'echo-number', 'GLEANER_PREVIEW_ECHO_NUMBER', ['id'])}
  - id: echo-page
    kind: scrape
    start_urls:
      - "${origin}/echo.html?key=\${secret:ECHO}"
    follow:
      - selector: a.next
        source: echo-detail
    records:
      selector: div.item
      fields:
        key:
          selector: p.key
  - id: echo-links
    kind: scrape
    start_urls:
      - "${origin}/links.html?key=\${secret:ECHO}"
    follow:
      - selector: a.l
        source: echo-detail
  - id: echo-detail
    kind: scrape
    records:
      fields:
        key:
          selector: p.key
output:
  format: jsonl
`;
}
