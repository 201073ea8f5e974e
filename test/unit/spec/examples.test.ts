// The shipped examples parse with no errors and no warnings; the broken fixture shows each mistake.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { licenceAnalyserAvailable, parseSpec } from '../../../language-server/src/engine/spec';

const root = join(__dirname, '..', '..', '..');
const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.collect.yaml')).sort();

void describe('spec examples', () => {
  void it('ships the four documented examples', () => {
    for (const name of ['books.collect.yaml', 'reviews-oauth.collect.yaml', 'books-api.collect.yaml', 'politeness-and-licence.collect.yaml']) assert.ok(examples.includes(name), name);
  });

  for (const file of examples) {
    void it(`${file} parses with no errors or warnings`, () => {
      const r = parseSpec(readFileSync(join(root, 'examples', file), 'utf8'));
      assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning'), []);
      assert.ok(r.model.sources.length > 0);
      assert.equal(r.model.politeness.allowPrivateNetwork, true);
      assert.equal(r.model.metadata.userAgent, 'GleanerBot/0.1 (+mailto:data@example.org)');
      for (const s of r.model.sources) {
        const urls = s.kind === 'scrape' ? [...s.startUrls, ...(s.sitemap ? [s.sitemap] : [])] : [s.request.url];
        for (const u of urls) assert.ok(u.startsWith('http://127.0.0.1:8917/'), u);
      }
    });
  }

  void it('books.collect.yaml: listing → detail pages, keyed on upc, with a sentiment label', () => {
    const m = parseSpec(readFileSync(join(root, 'examples', 'books.collect.yaml'), 'utf8')).model;
    const book = m.sources.find((s) => s.id === 'book');
    assert.ok(book && book.kind === 'scrape');
    if (book?.kind !== 'scrape') return;
    assert.deepEqual(book.records?.fields.map((f) => f.name), ['title', 'price', 'availability', 'rating', 'category', 'upc', 'description', 'url']);
    assert.deepEqual(m.records.key, ['upc']);
    assert.equal(m.records.derived[0].name, 'sentiment');
    assert.deepEqual(m.licence, { spdx: 'CC-BY-4.0', intendedUse: ['research'], attribution: 'Book data from the Gleaner demo shop, CC BY 4.0.' });
  });

  void it('the API examples reference the demo secrets, never the values', () => {
    const reviews = parseSpec(readFileSync(join(root, 'examples', 'reviews-oauth.collect.yaml'), 'utf8')).model.sources[0];
    assert.ok(reviews.kind === 'api' && reviews.auth.type === 'oauth2' && reviews.pagination.type === 'link_header');
    if (reviews.kind === 'api' && reviews.auth.type === 'oauth2') assert.equal(reviews.auth.clientSecret, '${env:GLEANER_DEMO_CLIENT_SECRET}');
    const books = parseSpec(readFileSync(join(root, 'examples', 'books-api.collect.yaml'), 'utf8')).model.sources;
    assert.deepEqual(books.map((s) => (s.kind === 'api' ? [s.auth.type, s.pagination.type] : [])), [['api_key', 'page'], ['bearer', 'cursor']]);
  });

  void it('the broken fixture has one diagnostic per planted mistake', () => {
    const r = parseSpec(readFileSync(join(root, 'test', 'fixtures', 'specs', 'broken.collect.yaml'), 'utf8'));
    const codes = new Set(r.diagnostics.map((d) => d.code));
    for (const code of ['invalid-selector', 'unknown-key', 'delay-too-short', 'unknown-source', 'secret-in-clear']) assert.ok(codes.has(code), code);
    if (licenceAnalyserAvailable()) {
      const spdx = r.locate.valueRange(['licence', 'spdx']);
      assert.ok(r.diagnostics.some((d) => d.range.start.line === spdx?.start.line && d.severity === 'error'), 'Apache 2.0 is flagged');
    }
  });
});
