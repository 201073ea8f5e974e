import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { compileJsonExtractor, compileJsonPath, evaluateJsonPath } from '../../../language-server/src/engine/extract/json';
import { apiSource, jsonField } from './spec-builders';

const BOOKS_PAGE = {
  items: [
    { id: 1, title: 'A Light in the Attic', price: 51.77, currency: 'GBP', rating: 3, category: 'Poetry', upc: 'a897fe39b1053632', available: 22, url: '/catalogue/a-light-in-the-attic_1000/index.html', tags: ['poetry', 'classic'] },
    { id: 2, title: 'Tipping the Velvet', price: '53.74', currency: 'GBP', rating: 1, category: 'Historical Fiction', upc: '90fa61229261140a', available: '20', url: 'http://127.0.0.1:8917/catalogue/tipping-the-velvet_999/index.html', tags: [] },
    { id: 3, title: 'Soumission', price: 'n/a', currency: 'GBP', rating: null, category: 'Fiction', upc: '6957f44c3847a760', available: 20.5, url: 'javascript:alert(1)' },
  ],
  page: 1,
  per_page: 3,
  total: 60,
  next_cursor: 'abc',
  has_more: true,
};

const fields = [
  jsonField({ name: 'id', path: '$.id', type: 'integer' }),
  jsonField({ name: 'title', path: '$.title' }),
  jsonField({ name: 'price', path: '$.price', type: 'number' }),
  jsonField({ name: 'rating', path: '$.rating', type: 'integer', default: 0 }),
  jsonField({ name: 'available', path: '$.available', type: 'integer' }),
  jsonField({ name: 'url', path: '$.url', type: 'url' }),
  jsonField({ name: 'tags', path: '$.tags', all: true }),
  jsonField({ name: 'upc_prefix', path: "$['upc']", regex: '^([0-9a-f]{4})' }),
];

void describe('compileJsonExtractor', () => {
  const extractor = compileJsonExtractor(apiSource({ path: '$.items[*]', fields }));
  const result = extractor.extract(BOOKS_PAGE, 'http://127.0.0.1:8917/api/v1/books?page=1');

  void it('selects one record per item', () => {
    assert.equal(result.recordCount, 3);
    assert.deepEqual(extractor.warnings, []);
    assert.deepEqual(result.warnings, []);
  });

  void it('reads, coerces and resolves values', () => {
    assert.deepEqual(result.records[0], {
      values: { id: 1, title: 'A Light in the Attic', price: 51.77, rating: 3, available: 22, url: 'http://127.0.0.1:8917/catalogue/a-light-in-the-attic_1000/index.html', tags: ['poetry', 'classic'], upc_prefix: 'a897' },
      errors: [],
    });
    assert.equal(result.records[1].values.price, 53.74);
    assert.equal(result.records[1].values.available, 20);
  });

  void it('stores a field named __proto__ as data, and counts its matches', () => {
    const special = compileJsonExtractor(apiSource({ path: '$.items[*]', fields: [jsonField({ name: '__proto__', path: '$.title' })] }));
    const extraction = special.extract(BOOKS_PAGE);
    assert.equal(Object.getPrototypeOf(extraction.records[0].values), Object.prototype);
    assert.equal(JSON.stringify(extraction.records[0].values), '{"__proto__":"A Light in the Attic"}');
    assert.equal(JSON.stringify(extraction.matchCounts), '{"__proto__":3}');
  });

  void it('uses defaults for null values and keeps coercion failures as errors', () => {
    const third = result.records[2];
    assert.equal(third.values.rating, 0);
    assert.equal(third.values.price, null);
    assert.equal(third.values.available, null);
    assert.equal(third.values.url, null);
    assert.deepEqual(
      third.errors.map((e) => [e.field, e.raw]),
      [
        ['price', 'n/a'],
        ['available', '20.5'],
        ['url', 'javascript:alert(1)'],
      ],
    );
  });

  void it('flattens a list for all: true and counts matches', () => {
    assert.deepEqual(result.records[1].values.tags, []);
    assert.deepEqual(result.matchCounts, { id: 3, title: 3, price: 3, rating: 2, available: 3, url: 3, tags: 1, upc_prefix: 3 });
  });

  void it('accepts a record path that selects the array itself', () => {
    const same = compileJsonExtractor(apiSource({ path: '$.items', fields })).extract(BOOKS_PAGE, 'http://127.0.0.1:8917/api/v1/books?page=1');
    assert.deepEqual(same.records, result.records);
  });

  void it('supports filters in record paths', () => {
    const cheap = compileJsonExtractor(apiSource({ path: '$.items[?@.rating >= 3]', fields: [jsonField({ name: 'title', path: '$.title' })] })).extract(BOOKS_PAGE);
    assert.deepEqual(
      cheap.records.map((r) => r.values.title),
      ['A Light in the Attic'],
    );
  });

  void it('parses a JSON string or bytes body and warns on invalid JSON', () => {
    const text = JSON.stringify(BOOKS_PAGE);
    assert.equal(extractor.extract(text).recordCount, 3);
    assert.equal(extractor.extract(new TextEncoder().encode(text)).recordCount, 3);
    const bad = extractor.extract('{not json');
    assert.equal(bad.recordCount, 0);
    assert.match(bad.warnings[0], /not JSON/);
  });

  void it('returns no records, with a warning, past the end of the data', () => {
    const empty = extractor.extract({ items: [], page: 9 });
    assert.equal(empty.recordCount, 0);
    assert.match(empty.warnings[0], /selected nothing/);
  });

  void it('reports invalid paths and regexes without throwing', () => {
    const broken = compileJsonExtractor(
      apiSource({
        path: '$.items[',
        fields: [jsonField({ name: 'a', path: 'title' }), jsonField({ name: 'b', path: '$.title', regex: '(' })],
      }),
    );
    assert.equal(broken.warnings.length, 3);
    const out = broken.extract(BOOKS_PAGE);
    assert.equal(out.recordCount, 0);
  });

  void it('treats a relative url without a response URL as an error', () => {
    const out = compileJsonExtractor(apiSource({ path: '$.items[0]', fields: [jsonField({ name: 'url', path: '$.url', type: 'url' })] })).extract(BOOKS_PAGE);
    assert.equal(out.records[0].values.url, null);
    assert.match(out.records[0].errors[0].reason, /relative URLs need a base/);
  });
});

void describe('evaluateJsonPath', () => {
  void it('finds cursors, next links and flags for pagination', () => {
    assert.deepEqual(evaluateJsonPath(BOOKS_PAGE, '$.next_cursor'), ['abc']);
    assert.deepEqual(evaluateJsonPath(BOOKS_PAGE, '$.has_more'), [true]);
    assert.deepEqual(evaluateJsonPath({ next_cursor: null }, '$.next_cursor'), [null]);
    assert.deepEqual(evaluateJsonPath({}, '$.next_cursor'), []);
    assert.deepEqual(evaluateJsonPath({ links: { next: 'http://x/2' } }, '$.links.next'), ['http://x/2']);
  });

  void it('agrees with the library on the fast path (member chains)', () => {
    const doc = { a: { b: [1, 2], c: { d: 'x' } }, 'e f': 1 };
    assert.deepEqual(evaluateJsonPath(doc, '$.a.c.d'), ['x']);
    assert.deepEqual(evaluateJsonPath(doc, '$.a.b'), [[1, 2]]);
    assert.deepEqual(evaluateJsonPath(doc, '$.a.b.length'), []);
    assert.deepEqual(evaluateJsonPath([{ a: 1 }], '$.a'), []);
    assert.deepEqual(evaluateJsonPath('text', '$.a'), []);
    assert.deepEqual(evaluateJsonPath(doc, '$'), [doc]);
    assert.deepEqual(evaluateJsonPath(doc, "$['e f']"), [1]);
    assert.deepEqual(evaluateJsonPath(doc, '$.a.b[*]'), [1, 2]);
    assert.deepEqual(evaluateJsonPath(doc, '$..d'), ['x']);
  });

  void it('does not read inherited properties', () => {
    assert.deepEqual(evaluateJsonPath({}, '$.constructor'), []);
    assert.deepEqual(evaluateJsonPath({}, '$.__proto__'), []);
  });

  void it('returns nothing for an invalid path or an undefined document', () => {
    assert.deepEqual(evaluateJsonPath(BOOKS_PAGE, '$.items['), []);
    assert.deepEqual(evaluateJsonPath(undefined, '$.a[0]'), []);
    assert.match(compileJsonPath('$.items[').error ?? '', /not valid/);
    assert.equal(compileJsonPath('$.items').error, undefined);
  });
});
