/**
 * The Records view's data layer: the bounded JSON Lines reader, search and paging, the per-field
 * summary, the label distribution, the label suggestion and the checks on webview messages.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import {
  DEFAULT_READ_LIMITS,
  JsonlCollector,
  labelDistribution,
  loadNotes,
  parseRecordsViewMessage,
  readRecordsFile,
  RecordsIndex,
  safeHttpUrl,
  sourceUrlOf,
  suggestLabelField,
  summarizeFields,
  type JsonRecord,
  type ReadLimits,
} from '../../../extension/src/records-data';

const dir = mkdtempSync(join(tmpdir(), 'gleaner-records-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function file(text: string | Buffer): string {
  const path = join(dir, `records-${fileNo++}.jsonl`);
  writeFileSync(path, text);
  return path;
}

function book(i: number, extra: JsonRecord = {}): JsonRecord {
  return { id: i, title: `Book ${i}`, category: i % 3 === 0 ? 'Poetry' : 'Travel', _source: { url: `http://127.0.0.1:8917/catalogue/b_${i}/index.html` }, ...extra };
}

function jsonl(records: JsonRecord[]): string {
  return records.map((r) => `${JSON.stringify(r)}\n`).join('');
}

const limits = (overrides: Partial<ReadLimits>): ReadLimits => ({ ...DEFAULT_READ_LIMITS, ...overrides });

describe('readRecordsFile', () => {
  test('reads every record and lists fields in order of first appearance, without _source', async () => {
    const load = await readRecordsFile(file(jsonl([book(1), book(2, { price: 3.5 }), { late: true }])));
    assert.equal(load.records.length, 3);
    assert.deepEqual(load.fields, ['id', 'title', 'category', 'price', 'late']);
    assert.equal(load.truncated, undefined);
    assert.equal(load.tornLastLine, false);
    assert.deepEqual(loadNotes(load), []);
  });

  test('ignores a torn last line and says so; a complete last line without newline is kept', async () => {
    const torn = await readRecordsFile(file(`${jsonl([book(1), book(2)])}{"id":3,"title":"Half`));
    assert.equal(torn.records.length, 2);
    assert.equal(torn.tornLastLine, true);
    assert.equal(torn.invalidLines, 0);
    assert.match(loadNotes(torn).join(' '), /last line is incomplete/);
    const unterminated = await readRecordsFile(file(`${jsonl([book(1)])}${JSON.stringify(book(2))}`));
    assert.equal(unterminated.records.length, 2);
    assert.equal(unterminated.tornLastLine, false);
  });

  test('counts lines that are not JSON objects, skips blank lines and CRLF endings parse', async () => {
    const load = await readRecordsFile(file(`{"a":1}\r\n\n[1,2]\n"text"\nnot json\n   \n{"a":2}\n`));
    assert.deepEqual(load.records, [{ a: 1 }, { a: 2 }]);
    assert.equal(load.invalidLines, 3);
    assert.match(loadNotes(load).join(' '), /3 lines skipped: not a JSON object/);
  });

  test('stops at maxRecords and says the file holds more', async () => {
    const load = await readRecordsFile(file(jsonl(Array.from({ length: 25 }, (_, i) => book(i)))), limits({ maxRecords: 10 }));
    assert.equal(load.records.length, 10);
    assert.equal(load.truncated, 'records');
    assert.match(loadNotes(load, limits({ maxRecords: 10 })).join(' '), /first 10 records only/);
  });

  test('exactly maxRecords records is not a truncation', async () => {
    const load = await readRecordsFile(file(jsonl(Array.from({ length: 10 }, (_, i) => book(i)))), limits({ maxRecords: 10 }));
    assert.equal(load.records.length, 10);
    assert.equal(load.truncated, undefined);
  });

  test('reads at most maxBytes; the line cut by the limit is dropped, not reported as torn', async () => {
    const text = jsonl(Array.from({ length: 100 }, (_, i) => book(i)));
    const lineBytes = Buffer.byteLength(`${JSON.stringify(book(0))}\n`);
    const maxBytes = lineBytes * 5 + 10;
    const load = await readRecordsFile(file(text), limits({ maxBytes }));
    assert.ok(load.bytesRead <= maxBytes, `read ${load.bytesRead} bytes`);
    assert.equal(load.truncated, 'bytes');
    assert.equal(load.records.length, 5);
    assert.equal(load.tornLastLine, false);
    assert.equal(load.invalidLines, 0);
    assert.match(loadNotes(load, limits({ maxBytes })).join(' '), /Read the first/);
  });

  test('skips over-long lines without buffering them', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(5000) });
    const load = await readRecordsFile(file(`{"a":1}\n${big}\n{"a":2}\n${big}`), limits({ maxLineBytes: 1000 }));
    assert.deepEqual(load.records, [{ a: 1 }, { a: 2 }]);
    assert.equal(load.oversizedLines, 2);
  });

  test('an empty file gives no records and no notes', async () => {
    const load = await readRecordsFile(file(''));
    assert.equal(load.records.length, 0);
    assert.deepEqual(loadNotes(load), []);
  });

  test('rejects when the file does not exist', async () => {
    await assert.rejects(readRecordsFile(join(dir, 'missing.jsonl')));
  });

  test('caps the number of columns', async () => {
    const wide: JsonRecord = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}`, i]));
    const load = await readRecordsFile(file(jsonl([wide])), limits({ maxFields: 5 }));
    assert.deepEqual(load.fields, ['f0', 'f1', 'f2', 'f3', 'f4']);
    assert.equal(load.fieldsCapped, true);
  });
});

describe('JsonlCollector', () => {
  test('decodes a multi-byte character split across chunks', () => {
    const bytes = Buffer.from('{"t":"naïve €"}\n', 'utf8');
    const collector = new JsonlCollector();
    for (let i = 0; i < bytes.length; i++) collector.push(bytes.subarray(i, i + 1));
    collector.end(false);
    assert.deepEqual(collector.records, [{ t: 'naïve €' }]);
  });

  test('push returns false once the record limit is passed', () => {
    const collector = new JsonlCollector(limits({ maxRecords: 1 }));
    assert.equal(collector.push(Buffer.from('{"a":1}\n')), true);
    assert.equal(collector.push(Buffer.from('{"a":2}\n{"a":3}\n')), false);
    assert.equal(collector.records.length, 1);
  });
});

describe('RecordsIndex', () => {
  const records = Array.from({ length: 120 }, (_, i) => book(i));
  const index = new RecordsIndex(records, ['id', 'title', 'category']);

  test('pages of 50 with a page count, and a page past the end gives the last page', () => {
    const first = index.page('', 0, 7);
    assert.equal(first.seq, 7);
    assert.equal(first.matching, 120);
    assert.equal(first.pageCount, 3);
    assert.equal(first.rows.length, 50);
    assert.equal(first.rows[0].index, 0);
    assert.deepEqual(first.rows[0].cells[1], { text: 'Book 0', type: 'string' });
    assert.equal(first.rows[0].url, 'http://127.0.0.1:8917/catalogue/b_0/index.html');
    const last = index.page('', 99);
    assert.equal(last.page, 2);
    assert.equal(last.rows.length, 20);
    assert.equal(last.rows[0].index, 100);
  });

  test('search is case-insensitive, needs every term, and also matches the source URL', () => {
    assert.equal(index.page('POETRY', 0).matching, 40);
    const both = index.page('poetry book 3', 0);
    assert.deepEqual(both.rows.map((r) => r.index), [3, 30, 33, 36, 39, 63, 93]);
    assert.equal(index.page('b_17/', 0).matching, 1);
    const none = index.page('no such thing', 0);
    assert.equal(none.matching, 0);
    assert.equal(none.pageCount, 1);
    assert.deepEqual(none.rows, []);
  });

  test('opens only URLs that are some record\'s source URL', () => {
    assert.equal(index.hasSourceUrl('http://127.0.0.1:8917/catalogue/b_5/index.html'), true);
    assert.equal(index.hasSourceUrl('http://127.0.0.1:8917/elsewhere'), false);
  });

  test('long values are shortened in cells, objects shown as JSON, missing keys empty', () => {
    const idx = new RecordsIndex([{ t: 'y'.repeat(1000), o: { a: [1] }, n: null }], ['t', 'o', 'n', 'gone']);
    const cells = idx.page('', 0).rows[0].cells;
    assert.equal(cells[0].text.length, 300);
    assert.ok(cells[0].text.endsWith('…'));
    assert.deepEqual(cells.slice(1), [
      { text: '{"a":[1]}', type: 'object' },
      { text: 'null', type: 'null' },
      { text: '', type: 'missing' },
    ]);
  });
});

describe('summary and distribution', () => {
  const records: JsonRecord[] = [
    { label: 'pos', score: 1, note: null },
    { label: 'neg', score: '1' },
    { label: 'pos', score: 2, note: 'x' },
    { label: null, score: 2 },
    { score: [1] },
  ];

  test('counts non-null values, nulls and missing, types and distinct values', () => {
    const [label, score, note] = summarizeFields(records, ['label', 'score', 'note']);
    assert.deepEqual(label, { name: 'label', nonNull: 3, nulls: 2, types: { string: 3, null: 1, missing: 1 }, distinct: 2, distinctCapped: false });
    // The string "1" and the number 1 are different values.
    assert.deepEqual(score, { name: 'score', nonNull: 5, nulls: 0, types: { number: 3, string: 1, array: 1 }, distinct: 4, distinctCapped: false });
    assert.equal(note.nonNull, 1);
    assert.equal(note.nulls, 4);
  });

  test('stops counting distinct values at the cap', () => {
    const many = Array.from({ length: 50 }, (_, i) => ({ v: i }));
    const [summary] = summarizeFields(many, ['v'], 10);
    assert.equal(summary.distinct, 10);
    assert.equal(summary.distinctCapped, true);
    assert.equal(summary.nonNull, 50);
  });

  test('the distribution lists classes biggest first, the rest as other, and counts missing', () => {
    const d = labelDistribution(records, 'label');
    assert.deepEqual(d.classes, [{ value: 'pos', count: 2 }, { value: 'neg', count: 1 }]);
    assert.equal(d.missing, 2);
    assert.equal(d.total, 5);
    const many = Array.from({ length: 10 }, (_, i) => ({ c: `k${i % 5}` }));
    const capped = labelDistribution(many, 'c', 3);
    assert.equal(capped.classes.length, 3);
    assert.equal(capped.otherClasses, 2);
    assert.equal(capped.otherCount, 4);
  });

  test('suggests a label-like field with few classes, and nothing when none fits', () => {
    const rows = Array.from({ length: 20 }, (_, i) => ({ id: i, text: `t${i}`, sentiment: i % 2 ? 'pos' : 'neg', rating: (i % 5) + 1 }));
    const fields = ['id', 'text', 'sentiment', 'rating'];
    assert.equal(suggestLabelField(summarizeFields(rows, fields), rows.length), 'sentiment');
    assert.equal(suggestLabelField(summarizeFields(rows, ['id', 'text']), rows.length), undefined);
  });
});

describe('URLs', () => {
  test('only absolute http(s) URLs without credentials are safe', () => {
    assert.equal(safeHttpUrl('https://example.org/a?b=1'), 'https://example.org/a?b=1');
    assert.equal(safeHttpUrl('HTTP://Example.org'), 'http://example.org/');
    for (const bad of ['javascript:alert(1)', 'file:///etc/passwd', 'command:workbench.action.quit', '/relative', 'https://bank.example@evil.example/', 'vscode://x', '', 42, null]) {
      assert.equal(safeHttpUrl(bad), undefined, String(bad));
    }
    assert.equal(safeHttpUrl(`https://example.org/${'a'.repeat(9000)}`), undefined);
  });

  test('a record\'s source URL is read from _source.url', () => {
    assert.equal(sourceUrlOf({ _source: { url: 'http://a.example/x' } }), 'http://a.example/x');
    assert.equal(sourceUrlOf({ _source: { url: 'javascript:1' } }), undefined);
    assert.equal(sourceUrlOf({ _source: 'http://a.example/x' }), undefined);
    assert.equal(sourceUrlOf({}), undefined);
  });
});

describe('parseRecordsViewMessage', () => {
  test('accepts the allowed shapes, rebuilt from checked fields only', () => {
    assert.deepEqual(parseRecordsViewMessage({ type: 'ready' }), { type: 'ready' });
    assert.deepEqual(parseRecordsViewMessage({ type: 'ready', restore: { key: 'k', query: 'q', page: 2, labelField: 'l', extra: 1 } }), {
      type: 'ready',
      restore: { key: 'k', query: 'q', page: 2, labelField: 'l' },
    });
    assert.deepEqual(parseRecordsViewMessage({ type: 'query', seq: 3, query: 'x', page: 0, evil: true }), { type: 'query', seq: 3, query: 'x', page: 0 });
    assert.deepEqual(parseRecordsViewMessage({ type: 'labelField', field: 'label' }), { type: 'labelField', field: 'label' });
    assert.deepEqual(parseRecordsViewMessage({ type: 'openUrl', url: 'http://a.example/' }), { type: 'openUrl', url: 'http://a.example/' });
  });

  test('rejects unknown types and out-of-bounds fields', () => {
    const bad: unknown[] = [
      null,
      'ready',
      [],
      { type: 'eval', code: '1' },
      { type: 'query', seq: 1, query: 'x', page: -1 },
      { type: 'query', seq: 1, query: 'x', page: 1.5 },
      { type: 'query', seq: 1, query: 'x'.repeat(1001), page: 0 },
      { type: 'query', seq: '1', query: 'x', page: 0 },
      { type: 'labelField', field: 7 },
      { type: 'openUrl', url: 'x'.repeat(9000) },
      { type: 'openUrl' },
    ];
    for (const message of bad) assert.equal(parseRecordsViewMessage(message), undefined, JSON.stringify(message)?.slice(0, 80));
    // A bad saved state is dropped, not the ready message.
    assert.deepEqual(parseRecordsViewMessage({ type: 'ready', restore: { key: 1 } }), { type: 'ready' });
  });
});
