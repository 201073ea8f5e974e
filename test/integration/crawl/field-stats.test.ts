// Run diagnostics against the demo shop: a valid but wrong selector (a misspelt class) and a
// follow rule that matches nothing do not fail the run; the run ends with `field-stats`, warnings
// that name the spec path, and the same stats in the summary.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDemoSite } from '../../../language-server/src/demo-site/index';
import { runCollection } from '../../../language-server/src/engine/index';
import type { FieldStatsEvent, RunEvent, WarningEvent } from '../../../language-server/src/engine/index';
import { exampleSpecText, realPorts, specOf } from './support';

let site: Awaited<ReturnType<typeof startDemoSite>>;
const out = mkdtempSync(join(tmpdir(), 'gleaner-field-stats-'));

before(async () => {
  site = await startDemoSite({ port: 0 });
});
after(async () => {
  await site.close();
  rmSync(out, { recursive: true, force: true });
});

/** The books example with `availability` misspelt and one follow rule that can never match. */
function wrongSpecText(): string {
  const text = exampleSpecText('books.collect.yaml', site.origin)
    .replace('selector: p.availability', 'selector: p.availabilty')
    .replace(/(\n(\s*)- selector: li\.next a)/, '\n$2- selector: a.no-such-link\n$2  source: book$1')
    .replace(/pages: 100/, 'pages: 12');
  assert.ok(text.includes('p.availabilty') && text.includes('a.no-such-link') && text.includes('pages: 12'), 'the example changed shape');
  return text;
}

void test('a misspelt selector and a dead follow rule end the run with field-stats and warnings naming the spec path', { timeout: 30_000 }, async () => {
  const text = wrongSpecText();
  const ports = realPorts();
  const events: RunEvent[] = [];
  let summary;
  try {
    summary = await runCollection({ spec: specOf(text), specText: text, specPath: join(out, 'books.collect.yaml'), runDir: join(out, 'run') }, ports, (e) => events.push(e));
  } finally {
    await ports.http.close();
  }
  assert.equal(summary.status, 'completed', summary.reason);

  const bookPages = events.filter((e) => e.type === 'page' && e.sourceId === 'book' && e.status === 200).length;
  assert.ok(bookPages >= 5, `at least 5 book pages were fetched, got ${bookPages}`);

  const statsEvents = events.filter((e): e is FieldStatsEvent => e.type === 'field-stats');
  assert.equal(statsEvents.length, 1);
  const stats = statsEvents[0].stats;
  const availability = stats.find((s) => s.sourceId === 'book' && s.field === 'availability');
  assert.deepEqual(availability, { sourceId: 'book', field: 'availability', pages: bookPages, unmatched: bookPages, records: bookPages, matched: 0, specPath: 'sources[1].records.fields.availability.selector' });
  const title = stats.find((s) => s.field === 'title');
  assert.equal(title?.pages, bookPages);
  assert.equal(title?.unmatched, 0);
  assert.deepEqual(summary.fieldStats, stats);

  // The stats come after every page and before `done`.
  const index = events.indexOf(statsEvents[0]);
  assert.equal(events.findIndex((e) => e.type === 'done'), events.length - 1);
  assert.ok(events.slice(index).every((e) => e.type !== 'page'));

  const warnings = events.filter((e): e is WarningEvent => e.type === 'warning' && e.specPath !== undefined);
  const fieldWarning = warnings.find((w) => w.code === 'field-unmatched');
  assert.ok(fieldWarning, JSON.stringify(warnings));
  assert.equal(fieldWarning.specPath, 'sources[1].records.fields.availability.selector');
  assert.equal(fieldWarning.sourceId, 'book');
  assert.equal(fieldWarning.field, 'availability');
  assert.equal(fieldWarning.pages, bookPages);
  assert.equal(fieldWarning.unmatched, bookPages);
  assert.match(fieldWarning.message, new RegExp(`\`availability\` matched nothing on ${bookPages} of ${bookPages} pages \\(100 %\\)`));
  // Only the broken field is reported: the others matched on (nearly) every page.
  assert.deepEqual(warnings.filter((w) => w.code === 'field-unmatched').map((w) => w.field), ['availability']);

  const followWarnings = warnings.filter((w) => w.code === 'follow-no-links');
  assert.deepEqual(followWarnings.map((w) => w.specPath), ['sources[0].follow[0].selector']);
  assert.match(followWarnings[0].message, /follow rule `a\.no-such-link` yielded no link/);
});

void test('a follow rule whose links an earlier rule with the same target finds first is not reported; a dead one still is', { timeout: 30_000 }, async () => {
  // `div.image_container a` links to exactly the books `article.product_pod h3 a` links to, and
  // the extractor keeps each (source, URL) once, for the first rule: the second rule is
  // redundant, not dead. `a.no-such-link` is dead and shadowed the same way.
  const text = exampleSpecText('books.collect.yaml', site.origin).replace(
    /(\n(\s*)- selector: div\.promo a)/,
    '\n$2- selector: div.image_container a\n$2  source: book\n$2- selector: a.no-such-link\n$2  source: book$1',
  );
  assert.ok(text.includes('div.image_container a') && text.includes('a.no-such-link'), 'the example changed shape');
  const ports = realPorts();
  const events: RunEvent[] = [];
  let summary;
  try {
    summary = await runCollection({ spec: specOf(text), specText: text, specPath: join(out, 'shadowed.collect.yaml'), runDir: join(out, 'shadowed') }, ports, (e) => events.push(e));
  } finally {
    await ports.http.close();
  }
  assert.equal(summary.status, 'completed', summary.reason);
  assert.equal(summary.counts.records, 58, 'the extra rules change nothing collected');
  const followWarnings = events.filter((e): e is WarningEvent => e.type === 'warning' && e.code === 'follow-no-links');
  assert.deepEqual(followWarnings.map((w) => w.specPath), ['sources[0].follow[3].selector']);
  assert.match(followWarnings[0].message, /follow rule `a\.no-such-link` yielded no link on 3 pages/);
});
