import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferSpec } from '../../../language-server/src/engine/infer';
import { allStrings, assertValidSpec, field, fixture, inferFixture, plain } from './helpers';

const TOP_KEYS = ['gleaner', 'name', 'description', 'user_agent', 'licence', 'politeness', 'sources', 'output'];

/** No value or key of the parsed spec holds a `${` the runner would resolve. */
function assertNoReferences(yaml: string): void {
  const strings = allStrings(plain(yaml));
  assert.deepEqual(strings.filter((s) => s.includes('${')), []);
}

void describe('inferSpec on hostile input', () => {
  void it('keeps page text with YAML syntax, newlines and ${env:…} out of the spec structure', () => {
    const r = inferFixture('hostile.html', 'https://evil.example.com/deals', 'text/html');
    assertValidSpec(r.yaml);
    const spec = plain(r.yaml);
    assert.deepEqual(Object.keys(spec), TOP_KEYS);
    assert.equal(spec.gleaner, 1);
    const sources = spec.sources as Record<string, unknown>[];
    assert.equal(sources.length, 1);
    assert.deepEqual(Object.keys(sources[0]), ['id', 'kind', 'start_urls', 'use_canonical', 'follow', 'records']);
    assert.equal(sources[0].kind, 'scrape');
    assert.equal(r.recordLocator, 'li.item');
    const fields = (sources[0].records as { fields: Record<string, unknown> }).fields;
    for (const name of Object.keys(fields)) assert.match(name, /^[a-z][a-z0-9_]*$/);
    for (const f of Object.values(fields)) {
      for (const k of Object.keys(f as object)) assert.ok(['selector', 'attribute', 'regex', 'type', 'all', 'extract'].includes(k), k);
    }
    // The samples keep the page's text as it is (the editor shows them as text).
    // Whitespace is collapsed, as the extractor reads text; the YAML-looking text stays.
    assert.equal(field(r, 'title').sample[0], 'key: value - id: injected kind: api');
    assert.equal(field(r, 'title').sample[1], '${env:AWS_SECRET_ACCESS_KEY}');
    assert.ok(field(r, 'description').sample[0].includes('name: "evil" #comment'));
    // The title reaches `name` as a slug and `description` as one line without a reference.
    assert.match(String(spec.name), /^[a-z0-9-]+$/);
    assert.doesNotMatch(String(spec.description), /\n/);
    // The canonical URL's query held a reference: it is written so that it is not one.
    const startUrl = (sources[0].start_urls as string[])[0];
    assert.ok(startUrl.includes('%24{env:GLEANER_DEMO_TOKEN}'), startUrl);
    assertNoReferences(r.yaml);
    // Comments are single lines: no sample starts a line of its own.
    assert.doesNotMatch(r.yaml, /^\s*(- id: injected|gleaner: 2|kind: api)/m);
  });

  void it('keeps hostile JSON keys and values out of the spec structure', () => {
    const r = inferFixture('api-hostile.json', 'https://evil.example.com/api', 'application/json');
    assertValidSpec(r.yaml);
    const spec = plain(r.yaml);
    assert.deepEqual(Object.keys(spec), TOP_KEYS);
    const source = (spec.sources as Record<string, unknown>[])[0];
    const fields = (source.records as { fields: Record<string, { path: string }> }).fields;
    assert.deepEqual(Object.keys(fields), ['a_b', 'env_secret', 'line_break', 'quote_and_slash', 'normal']);
    assert.equal(fields.a_b.path, "$['a: b']");
    assert.equal(fields.line_break.path, "$['line\\nbreak']");
    assert.equal(fields.env_secret.path, "$['\\u0024{env:SECRET}']");
    assert.deepEqual(field(r, 'a_b').sample, ['x: y\nz: w', 'second\n- id: injected', 'third']);
    assertNoReferences(r.yaml);
  });

  void it('writes a hostile user agent and URL as plain values', () => {
    const body = fixture('books-listing.html');
    const r = inferSpec({
      url: 'https://books.example.org/list?q=${env:HOME}',
      status: 200,
      contentType: 'text/html',
      body,
      userAgent: 'MyBot/1.0 (+mailto:me@example.org)\nsources: []\n${env:TOKEN}',
    });
    assertValidSpec(r.yaml);
    const spec = plain(r.yaml);
    assert.deepEqual(Object.keys(spec), TOP_KEYS);
    assert.equal(spec.user_agent, 'MyBot/1.0 (+mailto:me@example.org) sources: [] $ {env:TOKEN}');
    assertNoReferences(r.yaml);
  });

  void it('never throws, whatever the body', () => {
    const bodies = ['', '   ', '{', '[1, 2, 3]', 'null', '"just a string"', '<', '<<<>>>', '\u0000\uFFFF\uD800', '<html><body><ul><li>a</li><li>b</li><li>c</li></ul>', '[[[[[[[[[[]]]]]]]]]]', `{"a": ${'['.repeat(200)}${']'.repeat(200)}}`];
    for (const body of bodies) {
      for (const contentType of ['text/html', 'application/json', undefined]) {
        const r = inferSpec({ url: 'https://example.org/', status: 200, contentType, body });
        const parsed = plain(r.yaml);
        assert.deepEqual(Object.keys(parsed), TOP_KEYS, JSON.stringify(body));
        assertValidSpec(r.yaml);
        assert.ok(r.confidence >= 0 && r.confidence <= 1);
      }
    }
  });
});
