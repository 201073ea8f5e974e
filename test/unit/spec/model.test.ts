// The model: defaults, unit conversions, snake_case → camelCase, field order and fallbacks.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultSpec, parseDuration, parseSize, parseSpec } from '../../../language-server/src/engine/spec';
import { API_SOURCE, BASE } from './helpers';

void describe('spec model', () => {
  void it('fills the politeness, output and records defaults', () => {
    const m = parseSpec(BASE).model;
    assert.deepEqual(m.politeness, {
      robots: 'obey',
      delayMs: 1000,
      jitter: 0.1,
      concurrencyPerHost: 1,
      concurrencyTotal: 4,
      autoThrottle: true,
      budget: {},
      timeouts: { connectMs: 10_000, headersMs: 15_000, requestMs: 60_000 },
      maxResponseBytes: 10_000_000,
      maxRedirects: 10,
      retries: { max: 3, backoffMs: 1000, maxBackoffMs: 60_000, retryAfterCapMs: 120_000 },
      allowPrivateNetwork: false,
    });
    assert.deepEqual(m.output, { format: 'jsonl', directory: 'runs', provenance: true, neutralizeFormulas: true });
    assert.deepEqual(m.records, { fields: [], key: [], dedupe: { contentHash: true }, derived: [] });
    assert.deepEqual(defaultSpec().politeness, m.politeness);
  });

  void it('reads metadata and licence', () => {
    const m = parseSpec(BASE.replace('name: test', 'name: test\nowner: Ann <ann@example.org>\ndescription: d')).model;
    assert.deepEqual(m.metadata, { version: 1, name: 'test', description: 'd', owner: 'Ann <ann@example.org>', userAgent: 'GleanerBot/0.1 (+mailto:data@example.org)' });
    assert.deepEqual(m.licence, { spdx: 'CC-BY-4.0', intendedUse: ['research'], attribution: 'Example data, CC BY 4.0.' });
  });

  void it('converts durations and sizes', () => {
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('2s'), 2000);
    assert.equal(parseDuration('5m'), 300_000);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration(1.5), 1500);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('fast'), undefined);
    assert.equal(parseDuration(-1), undefined);
    assert.equal(parseSize('10MB'), 10_000_000);
    assert.equal(parseSize('512KiB'), 524_288);
    assert.equal(parseSize('1GiB'), 1024 ** 3);
    assert.equal(parseSize(2048), 2048);
    assert.equal(parseSize('2048'), 2048);
    assert.equal(parseSize('10 lots'), undefined);
    const text = BASE + 'politeness:\n  delay: 2s\n  timeouts:\n    connect: 3\n  max_response_size: 512KiB\n  retries:\n    backoff: 250ms\n  budget:\n    time: 1h\n    pages: 7\n';
    const p = parseSpec(text).model.politeness;
    assert.equal(p.delayMs, 2000);
    assert.equal(p.timeouts.connectMs, 3000);
    assert.equal(p.timeouts.headersMs, 15_000);
    assert.equal(p.maxResponseBytes, 524_288);
    assert.equal(p.retries.backoffMs, 250);
    assert.deepEqual(p.budget, { timeMs: 3_600_000, pages: 7 });
  });

  void it('keeps a broken value at its default', () => {
    const p = parseSpec(BASE + 'politeness:\n  delay: soon\n  jitter: 7\n').model.politeness;
    assert.equal(p.delayMs, 1000);
    assert.equal(p.jitter, 0.1);
  });

  void it('builds scrape sources: fields in YAML order, extract inferred from attribute, follow defaults', () => {
    const text = BASE.replace(
      '        title: { selector: h1 }\n',
      '        zeta: { selector: h1 }\n        alpha: { selector: a, attribute: href, type: url }\n        mid: { selector: p, extract: html, all: true, fallback: div }\n',
    ).replace('    records:', '    follow:\n      - selector: a.next\n        allow: page\n    records:');
    const s = parseSpec(text).model.sources[0];
    assert.equal(s.kind, 'scrape');
    if (s.kind !== 'scrape') return;
    assert.deepEqual(s.records?.fields.map((f) => f.name), ['zeta', 'alpha', 'mid']);
    assert.deepEqual(s.records?.fields[1], { name: 'alpha', selector: 'a', fallback: [], extract: 'attribute', attribute: 'href', type: 'url', all: false, path: ['sources', 0, 'records', 'fields', 'alpha'] });
    assert.equal(s.records?.fields[2].extract, 'html');
    assert.deepEqual(s.records?.fields[2].fallback, ['div']);
    assert.equal(s.records?.fields[2].all, true);
    assert.deepEqual(s.follow, [{ selector: 'a.next', source: 'web', allow: ['page'], deny: [], path: ['sources', 0, 'follow', 0] }]);
    assert.deepEqual(s.startUrls, ['https://books.example.com/']);
    assert.equal(s.useCanonical, true);
  });

  void it('builds API sources: request, auth, pagination and JSON fields', () => {
    const text = BASE.replace('sources:\n', `sources:\n${API_SOURCE}`).replace(
      '      url: https://api.example.com/v1/books\n',
      '      url: https://api.example.com/v1/books\n      method: POST\n      params: { per_page: 50, "2": x }\n      body: { q: [1, 2] }\n    auth:\n      type: api_key\n      in: query\n      name: key\n      value: ${env:K}\n    pagination:\n      type: offset\n      size: 50\n      stop: { max_pages: 3, while: $.more }\n',
    );
    const r = parseSpec(text);
    const s = r.model.sources[0];
    assert.equal(s.kind, 'api');
    if (s.kind !== 'api') return;
    assert.equal(s.request.method, 'POST');
    assert.deepEqual(s.request.params, { per_page: '50', '2': 'x' });
    assert.deepEqual(s.request.body, { q: [1, 2] });
    assert.deepEqual(s.auth, { type: 'api_key', in: 'query', name: 'key', value: '${env:K}' });
    assert.deepEqual(s.pagination, { type: 'offset', param: 'offset', start: 0, sizeParam: 'limit', size: 50, stop: { whenEmpty: true, maxPages: 3, whilePath: '$.more' } });
    assert.deepEqual(s.records, { path: '$.items[*]', fields: [{ name: 'title', path: '$.title', type: 'string', all: false, specPath: ['sources', 0, 'records', 'fields', 'title'] }] });
    assert.deepEqual(r.model.sources[1].id, 'web');
  });

  void it('defaults auth and pagination to none, and reads every auth and pagination type', () => {
    const api = BASE.replace('sources:\n', `sources:\n${API_SOURCE}`);
    const s0 = parseSpec(api).model.sources[0];
    assert.ok(s0.kind === 'api' && s0.auth.type === 'none' && s0.pagination.type === 'none');
    const cases: [string, unknown, string, unknown][] = [
      ['type: bearer\n      token: ${env:T}', { type: 'bearer', token: '${env:T}' }, 'type: page', { type: 'page', param: 'page', start: 1, stop: { whenEmpty: true } }],
      ['type: basic\n      username: u\n      password: ${secret:P}', { type: 'basic', username: 'u', password: '${secret:P}' }, 'type: cursor\n      cursor_path: $.next', { type: 'cursor', param: 'cursor', cursorPath: '$.next', stop: { whenEmpty: true } }],
      ['type: oauth2\n      token_url: https://api.example.com/token\n      client_id: c\n      client_secret: ${env:S}\n      scope: read', { type: 'oauth2', tokenUrl: 'https://api.example.com/token', clientId: 'c', clientSecret: '${env:S}', scope: 'read' }, 'type: next_url\n      next_path: $.next', { type: 'next_url', nextPath: '$.next', stop: { whenEmpty: true } }],
      ['type: none', { type: 'none' }, 'type: link_header', { type: 'link_header', stop: { whenEmpty: true } }],
    ];
    for (const [auth, authModel, pag, pagModel] of cases) {
      const text = api.replace('    records:\n      path', `    auth:\n      ${auth}\n    pagination:\n      ${pag}\n    records:\n      path`);
      const r = parseSpec(text);
      assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), [], auth);
      const s = r.model.sources[0];
      assert.ok(s.kind === 'api');
      if (s.kind !== 'api') return;
      assert.deepEqual(s.auth, authModel);
      assert.deepEqual(s.pagination, pagModel);
    }
  });

  void it('a tagged mapping without its tag is reported and not guessed', () => {
    const text = BASE.replace('sources:\n', `sources:\n${API_SOURCE}`).replace('    records:\n      path', '    auth:\n      token: ${env:T}\n    records:\n      path');
    const r = parseSpec(text);
    assert.ok(r.diagnostics.some((d) => d.code === 'missing-required' && /`type`/.test(d.message)));
    const s = r.model.sources[0];
    assert.ok(s.kind === 'api' && s.auth.type === 'none');
  });

  void it('reads the top-level records: rules, key, dedupe and derived fields in order', () => {
    const text = BASE + 'records:\n  fields:\n    title: { type: string, required: true, min_length: 1, max_length: 9, pattern: "^A", enum: [A, B] }\n    n: { type: number, min: 0, max: 5 }\n  key: [title, n]\n  dedupe:\n    content_hash: false\n    near_duplicates: { field: title }\n  derived:\n    z:\n      from: n\n      ranges: [{ max: 2, value: low }, { min: 3, value: high }]\n    a:\n      from: title\n      map: { "1": one, A: alpha }\n      default: other\n';
    const r = parseSpec(text);
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error'), []);
    const rec = r.model.records;
    assert.deepEqual(rec.fields[0], { name: 'title', type: 'string', required: true, minLength: 1, maxLength: 9, pattern: '^A', enum: ['A', 'B'], path: ['records', 'fields', 'title'] });
    assert.deepEqual(rec.fields[1], { name: 'n', type: 'number', required: false, min: 0, max: 5, path: ['records', 'fields', 'n'] });
    assert.deepEqual(rec.key, ['title', 'n']);
    assert.deepEqual(rec.dedupe, { contentHash: false, nearDuplicates: { field: 'title', threshold: 0.9 } });
    assert.deepEqual(rec.derived.map((d) => d.name), ['z', 'a']);
    assert.deepEqual(rec.derived[0].ranges, [{ max: 2, value: 'low' }, { min: 3, value: 'high' }]);
    assert.deepEqual(rec.derived[1].map, { '1': 'one', A: 'alpha' });
    assert.equal(rec.derived[1].default, 'other');
  });

  void it('accepts a single string where a list is expected', () => {
    const s = parseSpec(BASE.replace('    start_urls:\n      - https://books.example.com/\n', '    start_urls: https://books.example.com/\n')).model.sources[0];
    assert.ok(s.kind === 'scrape');
    if (s.kind === 'scrape') assert.deepEqual(s.startUrls, ['https://books.example.com/']);
  });

  void it('returns a model for empty, null and non-mapping documents', () => {
    for (const text of ['', '   \n', '# only a comment\n', '- a\n- b\n', 'just a string', '~']) {
      const r = parseSpec(text);
      assert.equal(r.model.metadata.version, 1);
      assert.ok(r.diagnostics.some((d) => d.severity === 'error'), JSON.stringify(text));
    }
  });

  void it('expands YAML merge keys, own keys first, and skips top-level x- keys', () => {
    const text = `${BASE}x-api: &api\n  kind: api\n  request: { url: "https://api.example.com/default" }\n  records:\n    path: $.items[*]\n    fields:\n      title: { path: $.title }\n`.replace(
      'sources:\n',
      'sources:\n  - <<: *api\n    id: a\n  - <<: [*api]\n    id: b\n    request: { url: "https://api.example.com/b" }\n',
    );
    const moved = text.slice(text.indexOf('x-api:')) + text.slice(0, text.indexOf('x-api:'));
    const r = parseSpec(moved);
    assert.deepEqual(r.diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning'), []);
    const [a, b] = r.model.sources;
    assert.ok(a.kind === 'api' && b.kind === 'api');
    if (a.kind !== 'api' || b.kind !== 'api') return;
    assert.equal(a.request.url, 'https://api.example.com/default');
    assert.equal(b.request.url, 'https://api.example.com/b');
    assert.deepEqual(b.records.fields.map((f) => f.name), ['title']);
  });
});
