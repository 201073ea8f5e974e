import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildCroissant, csvHeader, csvRows, emptyCounts, neutralizeFormula, Redactor, renderDatasheet, spdxLicenceUrls, CROISSANT_CONFORMS_TO } from '../../../language-server/src/engine/output';
import type { RunManifest } from '../../../language-server/src/engine/output';
import { defaultSpec } from '../../../language-server/src/engine/spec';
import type { CollectionSpec } from '../../../language-server/src/engine/spec';


void describe('CSV', () => {
  void it('quotes per RFC 4180 with CRLF line ends', () => {
    const text = csvRows([{ a: 'he said "hi"', b: 'line1\nline2', c: 'plain' }], { columns: ['a', 'b', 'c'], neutralizeFormulas: false });
    assert.equal(text, '"he said ""hi""","line1\nline2",plain\r\n');
    assert.equal(csvHeader({ columns: ['a', 'b'], neutralizeFormulas: false }), 'a,b\r\n');
  });

  void it('neutralises formula-looking cells', () => {
    for (const v of ['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx']) assert.equal(neutralizeFormula(v), `'${v}`);
    assert.equal(neutralizeFormula('hello'), 'hello');
    const text = csvRows([{ a: '=HYPERLINK("x")', b: 3, c: [1, 2] }], { columns: ['a', 'b', 'c'], neutralizeFormulas: true });
    assert.equal(text, '"\'=HYPERLINK(""x"")",3,"[1,2]"\r\n');
  });
});

function sampleSpec(): CollectionSpec {
  const spec = defaultSpec();
  spec.metadata = { version: 1, name: 'books', description: 'Books from the demo shop', owner: 'Ada <ada@example.org>', userAgent: 'GleanerBot/1.0 (+mailto:ada@example.org)' };
  spec.licence = { spdx: 'CC-BY-4.0', intendedUse: ['research'] };
  spec.records.fields = [
    { name: 'title', type: 'string', required: true, path: [] },
    { name: 'price', type: 'number', required: true, path: [] },
  ];
  spec.records.key = ['title'];
  spec.sources = [{ kind: 'scrape', id: 'shop', startUrls: ['http://127.0.0.1:8917/'], follow: [], useCanonical: true, path: [] }];
  return spec;
}

function sampleManifest(): RunManifest {
  return {
    manifest_version: 1,
    run_id: 'r1',
    generator: 'gleaner 0.1.0',
    spec: { name: 'books', description: '', path: 'books.collect.yaml', sha256: 'ab' },
    user_agent: 'GleanerBot/1.0',
    licence: { spdx: 'CC-BY-4.0', intended_use: ['research'] },
    sources: [{ id: 'shop', kind: 'scrape', urls: ['http://127.0.0.1:8917/'] }],
    status: 'completed',
    started_at: '2026-01-02T03:04:05.000Z',
    ended_at: '2026-01-02T03:05:05.000Z',
    resumes: 0,
    counts: emptyCounts(),
    skips: [],
    robots: [],
    timings: { duration_ms: 1, fetch_ms_total: 1, pages_per_second: 1, checkpoints: 1, checkpoint_ms_total: 1 },
    files: [{ path: 'records.jsonl', role: 'records', bytes: 10, sha256: 'cd', encoding_format: 'application/jsonlines' }],
  };
}

void describe('Croissant', () => {
  void it('has the required Croissant 1.1 properties', () => {
    const doc = buildCroissant(sampleSpec(), sampleManifest(), { url: 'file:///runs/r1' });
    for (const key of ['@context', '@type', 'name', 'description', 'license', 'url', 'creator', 'datePublished', 'conformsTo', 'distribution', 'recordSet']) {
      assert.ok(key in doc, key);
    }
    const ctx = doc['@context'] as Record<string, unknown>;
    for (const prefix of ['cr', 'rai', 'sc', 'dct']) assert.ok(prefix in ctx, prefix);
    assert.equal(doc['@type'], 'sc:Dataset');
    assert.equal(doc.conformsTo, CROISSANT_CONFORMS_TO);
    assert.equal(doc.license, 'https://spdx.org/licenses/CC-BY-4.0.html');
    assert.equal(doc.datePublished, '2026-01-02');
    assert.deepEqual(doc['rai:dataCollectionType'], ['Web Scraping']);
    const dist = doc.distribution as Record<string, unknown>[];
    assert.equal(dist[0]['@type'], 'cr:FileObject');
    assert.equal(dist[0].sha256, 'cd');
    const rs = (doc.recordSet as { field: Record<string, unknown>[] }[])[0];
    assert.deepEqual(rs.field.map((f) => [f.name, f.dataType]), [['title', 'sc:Text'], ['price', 'sc:Float']]);
    assert.deepEqual(rs.field[0].source, { fileObject: { '@id': 'records.jsonl' }, extract: { jsonPath: '$.title' } });
  });

  void it('maps SPDX expressions to licence URLs', () => {
    assert.deepEqual(spdxLicenceUrls('MIT OR (Apache-2.0 WITH LLVM-exception)'), ['https://spdx.org/licenses/MIT.html', 'https://spdx.org/licenses/Apache-2.0.html']);
    assert.deepEqual(spdxLicenceUrls('LicenseRef-custom'), []);
  });
});

void describe('datasheet', () => {
  void it('has every Datasheets for Datasets section and TODO markers', () => {
    const md = renderDatasheet(sampleSpec(), sampleManifest());
    for (const section of ['Motivation', 'Composition', 'Collection process', 'Preprocessing/cleaning/labelling', 'Uses', 'Distribution', 'Maintenance']) {
      assert.match(md, new RegExp(`^## ${section.replace('/', '\\/')}$`, 'm'));
    }
    assert.match(md, /TODO:/);
    assert.match(md, /CC-BY-4\.0/);
    assert.doesNotMatch(md, /WARNING/);
  });

  void it('warns when a training use meets an ai-train=no signal', () => {
    const spec = sampleSpec();
    spec.licence.intendedUse = ['non-commercial-training'];
    const manifest = sampleManifest();
    manifest.robots = [{ origin: 'http://x', robots_url: 'http://x/robots.txt', verdict: 'allowed', basis: 'rules', allowed_urls: 1, blocked_urls: 0, blocking_rules: [], content_signal: 'search=yes, ai-train=no' }];
    assert.match(renderDatasheet(spec, manifest), /WARNING: http:\/\/x opts out of AI training/);
  });
});

void describe('Redactor', () => {
  void it('redacts raw, URL-encoded and JSON-escaped secrets, deep in objects', () => {
    const r = new Redactor();
    r.add('p@ss/"word"');
    r.add('ab'); // too short to redact safely
    assert.equal(r.redact('x p@ss/"word" y'), 'x [REDACTED] y');
    assert.equal(r.redact(`u=${encodeURIComponent('p@ss/"word"')}`), 'u=[REDACTED]');
    assert.equal(r.redact(JSON.stringify({ k: 'p@ss/"word"' })), '{"k":"[REDACTED]"}');
    assert.deepEqual(r.redactDeep({ a: ['p@ss/"word"', 1], ab: 'ab' }), { a: ['[REDACTED]', 1], ab: 'ab' });
  });

  void it('redacts a number equal to a secret, and leaves numbers that merely contain its digits', () => {
    const r = new Redactor();
    r.add('48151623');
    r.add('9007199254740993');
    assert.deepEqual(r.redactDeep({ key: 48151623, price: 481516230, id: 9007199254740993n, list: [48151623.0, 4815.1623] }), {
      key: '[REDACTED]',
      price: 481516230,
      id: '[REDACTED]',
      list: ['[REDACTED]', 4815.1623],
    });
  });
});
