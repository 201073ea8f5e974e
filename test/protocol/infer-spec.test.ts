import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec } from '../../language-server/src/engine/spec';
import { inferSpec, type InferSpecResult } from '../../language-server/src/protocol/infer';
import { useDemoSiteAndServer } from '../support/demo-lsp';
import type { LspClient } from '../support/lsp-client';

/** The user agent the server fetches with when the client sends none. */
const DEFAULT_AGENT = 'GleanerBot/0.1 (+mailto:you@example.org)';

void describe('language server: gleaner/inferSpec', () => {
  const harness = useDemoSiteAndServer();
  const infer = (client: LspClient, params: unknown): Promise<InferSpecResult> => client.request<InferSpecResult>(inferSpec.method, params, 30_000);

  void it('proposes a scrape spec with article.product_pod records from a listing page, which parses without errors', async () => {
    const site = harness.site;
    // Sent straight after `initialized`, before the settings are read: the server waits for them.
    const client = await harness.start({ trusted: true, waitForSettings: false });
    const result = await infer(client, { url: `${site.origin}/catalogue/page-1.html` });
    assert.equal(result.ok, true, result.ok ? '' : result.reason);
    assert.ok(result.ok);
    assert.equal(result.kind, 'scrape');
    assert.match(result.yaml, /selector: "?article\.product_pod"?/);
    assert.match(result.yaml, /allow_private_network: true/);
    assert.ok(result.confidence > 0.5, `confidence ${result.confidence}`);
    assert.ok(result.notes.some((n) => /127\.0\.0\.1 is a loopback address/.test(n)), JSON.stringify(result.notes));
    const errors = parseSpec(result.yaml).diagnostics.filter((d) => d.severity === 'error');
    assert.deepEqual(errors, [], result.yaml);
    // One robots.txt and one page, both with the default user agent; nothing else.
    assert.deepEqual(site.requests.map((r) => r.path).sort(), ['/catalogue/page-1.html', '/robots.txt']);
    for (const r of site.requests) assert.equal(r.userAgent, DEFAULT_AGENT);
  });

  void it('fetches with the given user agent and writes it into the spec', async () => {
    const site = harness.site;
    const client = await harness.start({ trusted: true });
    const userAgent = 'GleanerBot/2.0 (+mailto:infer@example.org)';
    const result = await infer(client, { url: `${site.origin}/catalogue/page-2.html`, userAgent });
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.ok(result.yaml.includes(userAgent), result.yaml);
    for (const r of site.requests) assert.equal(r.userAgent, userAgent);
  });

  void it('proposes an API spec from an endpoint that wants a key, with a note about the 401', async () => {
    const site = harness.site;
    const client = await harness.start({ trusted: true });
    const result = await infer(client, { url: `${site.origin}/api/v1/books?page=1&per_page=20` });
    assert.ok(result.ok, result.ok ? '' : result.reason);
    assert.equal(result.kind, 'api');
    assert.ok(result.notes.some((n) => /401/.test(n) && /auth/.test(n)), JSON.stringify(result.notes));
    assert.ok(result.confidence <= 0.3, `confidence ${result.confidence}`);
    const api = site.requests.filter((r) => r.path.startsWith('/api/'));
    assert.equal(api.length, 1, 'the endpoint was asked once, not retried');
    assert.equal(api[0]!.status, 401);
  });

  void it('refuses a URL robots.txt disallows, naming the deciding line, and never fetches it', async () => {
    const site = harness.site;
    const client = await harness.start({ trusted: true });
    const result = await infer(client, { url: `${site.origin}/private/staff.html` });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    const match = /robots\.txt disallows .*\(line (\d+)\b/.exec(result.reason);
    assert.ok(match, result.reason);
    const robots = await (await fetch(`${site.origin}/robots.txt`)).text();
    assert.equal(robots.split('\n')[Number(match[1]) - 1]?.trim(), 'Disallow: /private/');
    assert.equal(site.requests.filter((r) => r.path.startsWith('/private/')).length, 0);
  });

  void it('makes no request at all in an untrusted workspace or with gleaner.network.enabled off', async () => {
    const site = harness.site;
    const untrusted = await harness.start({ trusted: false });
    const refused = await infer(untrusted, { url: `${site.origin}/catalogue/page-1.html` });
    assert.equal(refused.ok, false);
    assert.ok(!refused.ok);
    assert.match(refused.reason, /untrusted workspace/);

    const off = await harness.start({ trusted: true, settings: { network: { enabled: false } } });
    const alsoRefused = await infer(off, { url: `${site.origin}/catalogue/page-1.html` });
    assert.equal(alsoRefused.ok, false);
    assert.deepEqual(site.requests, [], 'the demo site saw no request');
  });

  void it('refuses URLs that are not http(s), not absolute, or carry credentials, without a request', async () => {
    const site = harness.site;
    const client = await harness.start({ trusted: true });
    for (const url of ['ftp://127.0.0.1/x', 'catalogue/page-1.html', '', `${site.origin.replace('://', '://user:pw@')}/catalogue/page-1.html`]) {
      const result = await infer(client, { url });
      assert.equal(result.ok, false, url);
    }
    assert.deepEqual(site.requests, []);
  });

  void it('refuses an error page (404) instead of proposing a spec from it', async () => {
    const site = harness.site;
    const client = await harness.start({ trusted: true });
    const result = await infer(client, { url: `${site.origin}/no/such/page.html` });
    assert.equal(result.ok, false);
    assert.ok(!result.ok);
    assert.match(result.reason, /HTTP 404/);
  });
});
