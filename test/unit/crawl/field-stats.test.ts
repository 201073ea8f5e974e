// The run's field statistics: counting per page, the 90 % of ≥ 5 pages threshold, follow rules
// that never yielded a link, and the spec paths the warnings name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { FieldStatsCollector, formatSpecPath, parseSpec } from '../../../language-server/src/engine/index';
import type { ApiSource, ScrapeSource } from '../../../language-server/src/engine/index';

const SPEC = `gleaner: 1
name: t
user_agent: "GleanerBot/1.0 (+mailto:a@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [research]
politeness:
  allow_private_network: true
sources:
  - id: api
    kind: api
    request:
      url: http://127.0.0.1:1/api
    records:
      path: $.items[*]
      fields:
        id:
          path: $.id
  - id: pages
    kind: scrape
    start_urls: [http://127.0.0.1:1/]
    follow:
      - selector: a.next
    records:
      selector: div.item
      fields:
        title:
          selector: h2
        price:
          selector: p.price
output:
  format: jsonl
`;

function collector(): FieldStatsCollector {
  const { model, diagnostics } = parseSpec(SPEC);
  assert.deepEqual(diagnostics.filter((d) => d.severity === 'error'), []);
  return new FieldStatsCollector(model.sources as (ScrapeSource | ApiSource)[]);
}

void test('formatSpecPath writes indexes in brackets', () => {
  assert.equal(formatSpecPath(['sources', 1, 'records', 'fields', 'price', 'selector']), 'sources[1].records.fields.price.selector');
});

void test('a field unmatched on 9 of 10 pages is reported with its spec path; 8 of 10 is not', () => {
  const c = collector();
  for (let i = 0; i < 10; i++) c.observe('pages', { recordCount: 3, matchCounts: { title: 3, price: i === 0 ? 1 : 0 }, linksPerRule: [1] });
  // A page without records says nothing about the fields.
  c.observe('pages', { recordCount: 0, matchCounts: { title: 0, price: 0 }, linksPerRule: [0] });
  const price = c.stats().find((s) => s.field === 'price');
  assert.deepEqual(price, { sourceId: 'pages', field: 'price', pages: 10, unmatched: 9, records: 30, matched: 1, specPath: 'sources[1].records.fields.price.selector' });
  const warnings = c.warnings();
  assert.deepEqual(warnings.map((w) => [w.code, w.field, w.specPath]), [['field-unmatched', 'price', 'sources[1].records.fields.price.selector']]);
  assert.match(warnings[0].message, /`price` matched nothing on 9 of 10 pages \(90 %\)/);

  const d = collector();
  for (let i = 0; i < 10; i++) d.observe('pages', { recordCount: 1, matchCounts: { title: 1, price: i < 2 ? 1 : 0 }, linksPerRule: [1] });
  assert.deepEqual(d.warnings(), []);
});

void test('fewer than 5 pages are not enough to judge; API fields name their path', () => {
  const c = collector();
  for (let i = 0; i < 4; i++) c.observe('api', { recordCount: 2, matchCounts: { id: 0 } });
  assert.deepEqual(c.warnings(), []);
  c.observe('api', { recordCount: 2, matchCounts: { id: 0 } });
  assert.deepEqual(c.warnings().map((w) => w.specPath), ['sources[0].records.fields.id.path']);
});

void test('a follow rule that never yielded a link on the pages seen is reported; one link is enough', () => {
  const c = collector();
  c.observe('pages', { recordCount: 0, matchCounts: {}, linksPerRule: [0] });
  c.observe('pages', { recordCount: 0, matchCounts: {}, linksPerRule: [0] });
  assert.deepEqual(c.warnings().map((w) => [w.code, w.specPath]), [['follow-no-links', 'sources[1].follow[0].selector']]);
  c.observe('pages', { recordCount: 0, matchCounts: {}, linksPerRule: [1] });
  assert.deepEqual(c.warnings(), []);
  // No page at all: nothing to say.
  assert.deepEqual(collector().warnings(), []);
});
