// The run's field statistics: counting per page, the 90 % of ≥ 5 pages threshold, follow rules
// that never yielded a link, and the spec paths the warnings name.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { replayCrawlDeltas } from '../../../language-server/src/engine/crawl/run-collection';
import { Deduper, emptyCounts, FieldStatsCollector, formatSpecPath, parseSpec } from '../../../language-server/src/engine/index';
import type { ApiSource, CrawlState, ScrapeSource } from '../../../language-server/src/engine/index';

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

void test('the counters survive a checkpoint: snapshot, then restore into a fresh collector', () => {
  const c = collector();
  for (let i = 0; i < 6; i++) c.observe('pages', { recordCount: 2, matchCounts: { title: 2, price: 0 }, linksPerRule: [i === 5 ? 0 : 1] });
  c.observe('api', { recordCount: 4, matchCounts: { id: 4 } });
  const restored = collector();
  // Through JSON, as a checkpoint file carries it.
  restored.restore(JSON.parse(JSON.stringify(c.snapshot())));
  assert.deepEqual(restored.stats(), c.stats());
  assert.deepEqual(restored.warnings(), c.warnings());
  // Counting goes on from the restored figures.
  restored.observe('pages', { recordCount: 1, matchCounts: { title: 1, price: 1 }, linksPerRule: [0] });
  assert.equal(restored.stats().find((s) => s.field === 'price')?.pages, 7);
});

void test('takeDirty carries only the sources observed since the last call', () => {
  const c = collector();
  assert.equal(c.takeDirty(), undefined);
  c.observe('api', { recordCount: 1, matchCounts: { id: 1 } });
  assert.deepEqual(c.takeDirty(), { fields: { api: { id: [1, 0, 1, 1] } }, follows: {} });
  assert.equal(c.takeDirty(), undefined);
  // A page without records still counts for the follow rules, so the source is dirty.
  c.observe('pages', { recordCount: 0, matchCounts: {}, linksPerRule: [3] });
  assert.deepEqual(c.takeDirty(), { fields: { pages: { title: [0, 0, 0, 0], price: [0, 0, 0, 0] } }, follows: { pages: [[1, 3]] } });
});

void test('restore ignores what the spec does not have and counters that are not counts', () => {
  const c = collector();
  c.restore({ fields: { gone: { x: [1, 1, 1, 1] }, pages: { title: [3, 1, 5, 4], nope: [9, 9, 9, 9], price: [-1, 2.5, 'x', null] as unknown as [number, number, number, number] } }, follows: { pages: [[2, 0], [7, 7]] } });
  const title = c.stats().find((s) => s.field === 'title');
  assert.deepEqual([title?.pages, title?.unmatched, title?.records, title?.matched], [3, 1, 5, 4]);
  const price = c.stats().find((s) => s.field === 'price');
  assert.deepEqual([price?.pages, price?.unmatched, price?.records, price?.matched], [0, 0, 0, 0]);
  assert.equal(c.stats().length, 3);
  assert.deepEqual(c.warnings().map((w) => w.code), ['follow-no-links']);
});

void test('replaying the journal folds each line\'s field stats over the snapshot\'s, source by source', () => {
  const c = collector();
  c.observe('api', { recordCount: 2, matchCounts: { id: 2 } });
  const state: CrawlState = {
    runId: 'r',
    startedAt: '',
    resumes: 0,
    specSha256: '',
    sourceIds: ['api', 'pages'],
    frontier: { pending: [], seen: [] },
    canonicals: [],
    dedupe: new Deduper({ key: ['id'], contentHash: false }).snapshot(),
    counts: emptyCounts(),
    skips: [],
    robots: {},
    fetchMsTotal: 0,
    elapsedMs: 0,
    fieldStats: JSON.parse(JSON.stringify(c.snapshot())) as CrawlState['fieldStats'],
  };
  c.takeDirty();
  const lines = [];
  c.observe('pages', { recordCount: 1, matchCounts: { title: 1, price: 0 }, linksPerRule: [2] });
  lines.push({ counts: emptyCounts(), fetchMsTotal: 0, elapsedMs: 0, fieldStats: c.takeDirty() });
  // A line of a page that observed nothing (a robots skip) carries no stats.
  lines.push({ counts: emptyCounts(), fetchMsTotal: 0, elapsedMs: 0 });
  c.observe('api', { recordCount: 3, matchCounts: { id: 0 } });
  c.observe('pages', { recordCount: 1, matchCounts: { title: 1, price: 1 }, linksPerRule: [0] });
  lines.push({ counts: emptyCounts(), fetchMsTotal: 0, elapsedMs: 0, fieldStats: c.takeDirty() });
  const replayed = replayCrawlDeltas(state, JSON.parse(JSON.stringify(lines)) as typeof lines);
  const resumed = collector();
  assert.ok(replayed.fieldStats);
  resumed.restore(replayed.fieldStats);
  assert.deepEqual(resumed.stats(), c.stats());

  // A checkpoint from before the stats were kept replays without them.
  const { fieldStats, ...old } = state;
  void fieldStats;
  assert.equal(replayCrawlDeltas(old, [{ counts: emptyCounts(), fetchMsTotal: 0, elapsedMs: 0 }]).fieldStats, undefined);
});

void test('followYielded says whether a follow rule has yielded a link yet', () => {
  const c = collector();
  assert.equal(c.followYielded('pages', 0), false);
  c.observe('pages', { recordCount: 0, matchCounts: {}, linksPerRule: [0] });
  assert.equal(c.followYielded('pages', 0), false);
  c.observe('pages', { recordCount: 0, matchCounts: {}, linksPerRule: [2] });
  assert.equal(c.followYielded('pages', 0), true);
  assert.equal(c.followYielded('pages', 1), false, 'no such rule');
  assert.equal(c.followYielded('api', 0), false, 'an API source has no follow rules');
});
