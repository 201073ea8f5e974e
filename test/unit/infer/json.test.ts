import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileJsonExtractor } from '../../../language-server/src/engine/extract/json';
import type { ApiSource } from '../../../language-server/src/engine/spec';
import { memberSelector } from '../../../language-server/src/engine/infer/json';
import { inferSpec } from '../../../language-server/src/engine/infer';
import { assertValidSpec, field, fixture, inferFixture, plain } from './helpers';

function apiSource(yaml: string): Record<string, unknown> {
  return (plain(yaml).sources as Record<string, unknown>[])[0];
}

/** The real JSON extractor, run on the proposed spec, reads what the samples say. */
function assertExtractorAgrees(yaml: string, body: string, fields: { name: string; sample: string[] }[]): void {
  const { model } = assertValidSpec(yaml);
  const source = model.sources[0] as ApiSource;
  assert.equal(source.kind, 'api');
  const extraction = compileJsonExtractor(source).extract(JSON.parse(body), source.request.url);
  assert.deepEqual(extraction.warnings, []);
  for (const f of fields) {
    f.sample.forEach((sample, i) => {
      const got = extraction.records[i].values[f.name];
      const text = Array.isArray(got) ? got.map(String).join(', ') : String(got);
      assert.equal(text, sample, `${f.name}[${i}]`);
    });
  }
}

void describe('inferSpec on JSON APIs', () => {
  void it('reads a top-level array: union of keys, nested scalars, lists and types', () => {
    const r = inferFixture('api-top-level-array.json', 'https://books.example.org/api/books', 'application/json');
    assert.equal(r.kind, 'api');
    assert.equal(r.recordLocator, '$[*]');
    assert.deepEqual(
      r.fields.map((f) => [f.name, f.locator]),
      [
        ['id', '$.id'],
        ['title', '$.title'],
        ['price', '$.price'],
        ['in_stock', '$.in_stock'],
        ['url', '$.url'],
        ['published_at', '$.published_at'],
        ['author_name', '$.author.name'],
        ['author_born', '$.author.born'],
        ['tags', '$.tags[*]'],
        ['subtitle', '$.subtitle'],
      ],
    );
    assert.deepEqual(field(r, 'author_name').sample.slice(0, 2), ['Shel Silverstein', 'Sarah Waters']);
    assert.deepEqual(field(r, 'subtitle').sample, ['A Novel']);
    const fields = (apiSource(r.yaml).records as { fields: Record<string, Record<string, unknown>> }).fields;
    assert.deepEqual(fields.id, { path: '$.id', type: 'integer' });
    assert.deepEqual(fields.price, { path: '$.price', type: 'number' });
    assert.deepEqual(fields.in_stock, { path: '$.in_stock', type: 'boolean' });
    assert.deepEqual(fields.url, { path: '$.url', type: 'url' });
    assert.deepEqual(fields.published_at, { path: '$.published_at', type: 'date' });
    assert.deepEqual(fields.title, { path: '$.title' });
    assert.deepEqual(fields.tags, { path: '$.tags[*]', all: true });
    assert.match(r.yaml, /subtitle: .*missing in 3 of 4 records/);
    assert.deepEqual(apiSource(r.yaml).pagination, { type: 'none' });
    assert.ok(r.notes.some((n) => /link_header/.test(n)));
    assertExtractorAgrees(r.yaml, fixture('api-top-level-array.json'), r.fields.filter((f) => f.name !== 'subtitle' && f.name !== 'tags'));
  });

  void it('finds the largest array in {data:{results:[]}} and guesses page pagination from the body, marked unsure', () => {
    const r = inferFixture('api-data-results.json', 'https://cities.example.org/v2/cities', 'application/json; charset=utf-8');
    assert.equal(r.recordLocator, '$.data.results[*]');
    assert.deepEqual(field(r, 'display_name'), { name: 'display_name', locator: '$.displayName', sample: ['Berlin', 'Paris', 'Madrid'] });
    assert.deepEqual(field(r, 'country_code').sample, ['DE', 'FR', 'ES']);
    assert.deepEqual(apiSource(r.yaml).pagination, {
      type: 'page',
      param: 'page',
      start: 1,
      size_param: 'per_page',
      size: 3,
      stop: { when_empty: true, max_pages: 10 },
    });
    assert.match(r.yaml, /# UNSURE: .*page/);
    assertExtractorAgrees(r.yaml, fixture('api-data-results.json'), r.fields);
  });

  void it('reads {items:[], next_cursor} as cursor pagination with has_more as the stop condition', () => {
    const r = inferFixture('api-items-cursor.json', 'http://127.0.0.1:8917/api/v1/books/cursor', 'application/json');
    assert.equal(r.recordLocator, '$.items[*]');
    assert.deepEqual(apiSource(r.yaml).pagination, {
      type: 'cursor',
      param: 'cursor',
      cursor_path: '$.next_cursor',
      stop: { max_pages: 10, while: '$.has_more' },
    });
    assert.ok(r.notes.some((n) => /guess/.test(n)));
    assertExtractorAgrees(r.yaml, fixture('api-items-cursor.json'), r.fields);
  });

  void it('takes the cursor parameter name from the URL when the URL has one', () => {
    const r = inferFixture('api-items-cursor.json', 'https://api.example.org/reviews?after=abc&lang=en', 'application/json');
    const source = apiSource(r.yaml);
    assert.equal((source.pagination as Record<string, unknown>).param, 'after');
    assert.equal((source.request as Record<string, unknown>).url, 'https://api.example.org/reviews?lang=en');
    assert.ok(!r.notes.some((n) => /guess/.test(n)));
  });

  void it('follows HAL: records under _embedded and the next page at _links.next.href', () => {
    const r = inferFixture('api-hal.json', 'https://api.example.org/orders', 'application/hal+json');
    assert.equal(r.recordLocator, '$._embedded.orders[*]');
    assert.deepEqual(apiSource(r.yaml).pagination, { type: 'next_url', next_path: '$._links.next.href', stop: { max_pages: 10 } });
    assert.deepEqual(field(r, 'status').sample, ['shipped', 'processing', 'shipped']);
    assertExtractorAgrees(r.yaml, fixture('api-hal.json'), r.fields);
  });

  void it('reads a links.next URL and a null next as next_url pagination', () => {
    for (const next of ['"https://api.example.org/x?page=2"', 'null']) {
      const body = `{"links": {"next": ${next}}, "results": [{"a": 1}, {"a": 2}, {"a": 3}]}`;
      const r = inferSpec({ url: 'https://api.example.org/x', status: 200, contentType: 'application/json', body });
      assert.deepEqual(apiSource(r.yaml).pagination, { type: 'next_url', next_path: '$.links.next', stop: { max_pages: 10 } }, next);
      assertValidSpec(r.yaml);
    }
  });

  void it('reads offset pagination from the URL and removes its parameters from the request', () => {
    const r = inferFixture('api-offset.json', 'http://127.0.0.1:8917/api/v1/books/offset?offset=0&limit=3&lang=en', 'application/json');
    const source = apiSource(r.yaml);
    assert.deepEqual(source.pagination, { type: 'offset', param: 'offset', start: 0, size_param: 'limit', size: 3, stop: { max_pages: 10 } });
    assert.deepEqual(source.request, { url: 'http://127.0.0.1:8917/api/v1/books/offset?lang=en' });
    assertExtractorAgrees(r.yaml, fixture('api-offset.json'), r.fields);
  });

  void it('reads page pagination from the URL (the demo API shape)', () => {
    const body = JSON.stringify({ items: [{ id: 1 }, { id: 2 }, { id: 3 }], page: 1, per_page: 3, total: 60 });
    const r = inferSpec({ url: 'http://127.0.0.1:8917/api/v1/books?page=1&per_page=3', status: 200, contentType: 'application/json', body });
    const source = apiSource(r.yaml);
    assert.deepEqual(source.pagination, { type: 'page', param: 'page', start: 1, size_param: 'per_page', size: 3, stop: { when_empty: true, max_pages: 10 } });
    assert.deepEqual(source.request, { url: 'http://127.0.0.1:8917/api/v1/books' });
    assert.doesNotMatch(r.yaml, /UNSURE/);
    assertValidSpec(r.yaml);
  });

  void it('proposes the whole response as one record when it holds no array of objects', () => {
    const body = JSON.stringify({ name: 'Berlin', population: 3878100, tags: ['capital'] });
    const r = inferSpec({ url: 'https://api.example.org/city/berlin', status: 200, contentType: 'application/json', body });
    assert.equal(r.recordLocator, '$');
    assert.ok(r.confidence <= 0.3);
    assert.deepEqual(r.fields.map((f) => f.name), ['name', 'population', 'tags']);
    assertValidSpec(r.yaml);
  });

  void it('writes RFC 9535 name selectors for keys the shorthand cannot hold', () => {
    assert.equal(memberSelector('items'), '.items');
    assert.equal(memberSelector('first name'), "['first name']");
    assert.equal(memberSelector("it's\\"), "['it\\'s\\\\']");
    assert.equal(memberSelector('a\nb'), "['a\\nb']");
    assert.equal(memberSelector('${env:X}'), "['\\u0024{env:X}']");
    assert.equal(memberSelector('2x'), "['2x']");
  });
});
