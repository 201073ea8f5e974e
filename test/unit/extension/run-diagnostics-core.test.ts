// The pure part of run diagnostics: locating a spec path in the spec text, the message, and how
// edits move or remove the diagnostics. Also the reader of the CLI's `--json` lines.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { adjustForEdit, locateSpecPath, parseSpecPath, planRunDiagnostics, runDiagnosticMessage } from '../../../extension/src/run-diagnostics-core';
import { LineSplitter, parseRunEvent } from '../../../extension/src/run-event-reader';
import type { WarningEvent } from '../../../language-server/src/protocol/run-events';

const SPEC = `gleaner: 1
name: demo
sources:
  - id: listing
    kind: scrape
    follow:
      - selector: li.next a   # next page
        max_depth: 5
      - selector: h3 a
        source: book
  - id: book
    kind: scrape
    records:
      fields:
        title:
          selector: div.product_main h1
        # the price, with its sign
        price:
          regex: '(-?[0-9.]+)'
          selector: "p.price_colour"
        upc:
          selector: td
records:
  fields:
    price: { type: number }
`;

const lineOf = (text: string, needle: string): number => text.split('\n').findIndex((l) => l.includes(needle));

void test('parseSpecPath splits keys and indexes', () => {
  assert.deepEqual(parseSpecPath('sources[1].records.fields.price.selector'), ['sources', 1, 'records', 'fields', 'price', 'selector']);
  assert.deepEqual(parseSpecPath('sources[0].follow[1].selector'), ['sources', 0, 'follow', 1, 'selector']);
});

void test('locateSpecPath finds a field selector inside the second source, past comments and other keys', () => {
  const at = locateSpecPath(SPEC, 'sources[1].records.fields.price.selector');
  assert.ok(at);
  assert.equal(at.line, lineOf(SPEC, 'p.price_colour'));
  assert.equal(SPEC.split('\n')[at.line].slice(at.start, at.end), '"p.price_colour"');
  assert.equal(at.exact, true);
  // Not the top-level records.fields.price of the same name.
  assert.notEqual(at.line, lineOf(SPEC, 'price: { type'));
});

void test('locateSpecPath finds a follow rule selector in a list item, without its trailing comment', () => {
  const first = locateSpecPath(SPEC, 'sources[0].follow[0].selector');
  assert.ok(first);
  assert.equal(first.line, lineOf(SPEC, 'li.next a'));
  assert.equal(SPEC.split('\n')[first.line].slice(first.start, first.end), 'li.next a');
  const second = locateSpecPath(SPEC, 'sources[0].follow[1].selector');
  assert.equal(second?.line, lineOf(SPEC, 'selector: h3 a'));
});

void test('locateSpecPath handles compact sequences and CRLF, and falls back to the deepest key found', () => {
  const compact = 'sources:\r\n- id: a\r\n  records:\r\n    fields:\r\n      t:\r\n        selector: x\r\n';
  assert.equal(locateSpecPath(compact, 'sources[0].records.fields.t.selector')?.line, 5);
  const missing = locateSpecPath(SPEC, 'sources[1].records.fields.nope.selector');
  assert.equal(missing?.exact, false);
  assert.equal(missing?.line, lineOf(SPEC, '      fields:'));
  assert.deepEqual(locateSpecPath(SPEC, 'sources[5].records'), { line: lineOf(SPEC, 'sources:'), start: 0, end: 'sources:'.length, exact: false });
  assert.equal(locateSpecPath('name: x\n', 'sources[0]'), undefined);
  assert.equal(locateSpecPath('', 'sources'), undefined);
});

void test('the message gives the counts and the share; other warnings keep the engine text without the path', () => {
  const w: WarningEvent = { type: 'warning', message: 'x', code: 'field-unmatched', field: 'price', pages: 60, unmatched: 54, specPath: 'sources[1].records.fields.price.selector' };
  assert.equal(runDiagnosticMessage('r1', w), 'Run r1: `price` matched nothing on 54 of 60 pages (90 %)');
  const follow: WarningEvent = { type: 'warning', message: 'source listing: follow rule `a.x` yielded no link on 3 pages; check sources[0].follow[0].selector', code: 'follow-no-links', specPath: 'sources[0].follow[0].selector' };
  assert.equal(runDiagnosticMessage('r1', follow), 'Run r1: source listing: follow rule `a.x` yielded no link on 3 pages');
});

void test('planRunDiagnostics keeps only warnings with a spec path it can place', () => {
  const planned = planRunDiagnostics(SPEC, 'r2', [
    { type: 'warning', message: 'plain warning' },
    { type: 'warning', message: 'm', code: 'field-unmatched', field: 'price', pages: 5, unmatched: 5, specPath: 'sources[1].records.fields.price.selector' },
    { type: 'warning', message: 'm', code: 'field-unmatched', specPath: 'nowhere.at.all' },
  ]);
  assert.deepEqual(
    planned.map((p) => [p.line, p.code, p.message]),
    [[lineOf(SPEC, 'p.price_colour'), 'field-unmatched', 'Run r2: `price` matched nothing on 5 of 5 pages (100 %)']],
  );
});

void test('adjustForEdit drops a diagnostic on an edited line and moves the ones below', () => {
  const items = [{ line: 2 }, { line: 5 }, { line: 9 }];
  assert.deepEqual(adjustForEdit(items, { startLine: 5, endLine: 5, newLineBreaks: 0 }), [{ line: 2 }, { line: 9 }]);
  assert.deepEqual(adjustForEdit(items, { startLine: 3, endLine: 3, newLineBreaks: 2 }), [{ line: 2 }, { line: 7 }, { line: 11 }]);
  assert.deepEqual(adjustForEdit(items, { startLine: 6, endLine: 8, newLineBreaks: 0 }), [{ line: 2 }, { line: 5 }, { line: 7 }]);
});

void test('parseRunEvent reads warnings with a spec path, field-stats and done; unknown types stay raw', () => {
  assert.deepEqual(parseRunEvent(JSON.stringify({ type: 'warning', message: 'm', specPath: 'a.b', code: 'field-unmatched', field: 'f', pages: 6, unmatched: 6, junk: 1 })), {
    type: 'warning',
    message: 'm',
    specPath: 'a.b',
    code: 'field-unmatched',
    field: 'f',
    pages: 6,
    unmatched: 6,
  });
  const stats = parseRunEvent(JSON.stringify({ type: 'field-stats', stats: [{ sourceId: 's', field: 'f', pages: 3, unmatched: 1, records: 9, matched: 7, specPath: 'p' }, 'bad'] }));
  assert.equal(stats?.type, 'field-stats');
  assert.equal(stats.type === 'field-stats' && stats.stats.length, 2);
  const done = parseRunEvent(JSON.stringify({ type: 'done', status: 'completed', summary: { runId: 'r', runDir: '/d', status: 'completed', counts: { records: 3 } } }));
  assert.ok(done?.type === 'done');
  assert.equal(done.summary.counts.records, 3);
  assert.deepEqual(parseRunEvent('{"type":"future","x":1}'), { type: 'other', raw: { type: 'future', x: 1 } });
  assert.equal(parseRunEvent('not json'), undefined);
  assert.equal(parseRunEvent('[1]'), undefined);
  assert.equal(parseRunEvent('{"type":"start"}'), undefined);
});

void test('LineSplitter splits across chunks and drops an overlong line', () => {
  const lines: string[] = [];
  const overflows: number[] = [];
  const s = new LineSplitter((l) => lines.push(l), 10, (n) => overflows.push(n));
  s.push('ab');
  s.push('c\r\nde\n0123456789ABC');
  s.push('DEF\nok');
  s.end();
  assert.deepEqual(lines, ['abc', 'de', 'ok']);
  assert.equal(overflows.length, 1);
});
