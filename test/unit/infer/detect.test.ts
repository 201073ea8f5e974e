import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DEFAULT_USER_AGENT, inferSpec } from '../../../language-server/src/engine/infer';
import { assertValidSpec, fixture, plain } from './helpers';

const API_BODY = JSON.stringify({ items: [{ id: 1, t: 'a' }, { id: 2, t: 'b' }, { id: 3, t: 'c' }] });

void describe('inferSpec: JSON or HTML, and the spec around the source', () => {
  void it('reads a JSON body served as text/html as JSON, and says so', () => {
    const r = inferSpec({ url: 'https://api.example.org/items', status: 200, contentType: 'text/html; charset=utf-8', body: `\uFEFF  ${API_BODY}` });
    assert.equal(r.kind, 'api');
    assert.equal(r.recordLocator, '$.items[*]');
    assert.ok(r.notes.some((n) => /served as `text\/html/.test(n)), JSON.stringify(r.notes));
  });

  void it('reads JSON without a content type without a note about the label being wrong', () => {
    const r = inferSpec({ url: 'https://api.example.org/items', status: 200, contentType: 'application/vnd.api+json', body: API_BODY });
    assert.equal(r.kind, 'api');
    assert.ok(!r.notes.some((n) => /served as/.test(n)));
  });

  void it('reads an HTML body labelled JSON as HTML, and says so', () => {
    const r = inferSpec({ url: 'https://books.example.org/', status: 200, contentType: 'application/json', body: fixture('books-listing.html') });
    assert.equal(r.kind, 'scrape');
    assert.equal(r.recordLocator, 'article.product_pod');
    assert.ok(r.notes.some((n) => /labelled JSON/.test(n)));
  });

  void it('writes the politeness defaults, a licence placeholder and the default user agent with a TODO', () => {
    const r = inferSpec({ url: 'https://api.example.org/items', status: 200, contentType: 'application/json', body: API_BODY });
    const spec = plain(r.yaml);
    assert.equal(spec.user_agent, DEFAULT_USER_AGENT);
    assert.match(r.yaml, /# TODO: put your own contact/);
    assert.deepEqual(spec.politeness, { robots: 'obey', delay: '1s', budget: { pages: 50 } });
    assert.deepEqual(spec.licence, { spdx: null, intended_use: ['research'] });
    assert.match(r.yaml, /# TODO: the licence of the data/);
    const { model } = assertValidSpec(r.yaml);
    assert.equal(model.politeness.delayMs, 1000);
    assert.equal(model.politeness.robots, 'obey');
    assert.equal(model.politeness.budget.pages, 50);
  });

  void it('uses the caller\'s user agent and allows the private network only for private hosts', () => {
    const r = inferSpec({ url: 'http://127.0.0.1:8917/api/v1/books', status: 200, contentType: 'application/json', body: API_BODY, userAgent: 'GleanerBot/0.1 (+mailto:data@example.org)' });
    const spec = plain(r.yaml);
    assert.equal(spec.user_agent, 'GleanerBot/0.1 (+mailto:data@example.org)');
    assert.doesNotMatch(r.yaml, /TODO: put your own contact/);
    assert.equal((spec.politeness as Record<string, unknown>).allow_private_network, true);
    assertValidSpec(r.yaml);
  });

  void it('notes an error status and caps the confidence', () => {
    const ok = inferSpec({ url: 'https://api.example.org/items', status: 200, contentType: 'application/json', body: API_BODY });
    const denied = inferSpec({ url: 'https://api.example.org/items', status: 401, contentType: 'application/json', body: API_BODY });
    assert.ok(ok.confidence > 0.5);
    assert.ok(denied.confidence <= 0.3);
    assert.ok(denied.notes.some((n) => /401/.test(n) && /auth/.test(n)));
  });

  void it('moves a credential in the URL into an environment reference', () => {
    const r = inferSpec({ url: 'https://api.example.org/items?api_key=s3cr3t-value&lang=en', status: 200, contentType: 'application/json', body: API_BODY });
    assert.doesNotMatch(r.yaml, /s3cr3t-value/);
    const source = (plain(r.yaml).sources as { request: { url: string } }[])[0];
    assert.equal(source.request.url, 'https://api.example.org/items?api_key=${env:GLEANER_API_KEY}&lang=en');
    assert.ok(r.notes.some((n) => /GLEANER_API_KEY/.test(n)));
    assertValidSpec(r.yaml);
  });

  void it('is deterministic', () => {
    const input = { url: 'https://books.example.org/', status: 200, contentType: 'text/html', body: fixture('books-listing.html') };
    assert.deepEqual(inferSpec(input), inferSpec(input));
  });
});
