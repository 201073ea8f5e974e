/**
 * The Records view's data layer: the bounded JSON Lines and CSV readers, search and paging, the
 * per-field summary, the label distribution, the label suggestion and the checks on webview
 * messages. CSV files and their Croissant descriptions are written by the engine's own writers,
 * so the reader is tested against exactly what a run produces.
 */
import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, test } from 'node:test';
import { csvColumns } from '../../../language-server/src/engine/crawl';
import { buildCroissant, csvHeader, csvRows, emptyCounts, type RunManifest } from '../../../language-server/src/engine/output';
import { parseSpec } from '../../../language-server/src/engine/spec';
import {
  CsvCollector,
  DEFAULT_READ_LIMITS,
  JsonlCollector,
  labelDistribution,
  loadNotes,
  parseRecordsViewMessage,
  readColumnTypes,
  readRecordsFile,
  RecordsIndex,
  restoreCell,
  safeHttpUrl,
  sourceUrlOf,
  suggestLabelField,
  summarizeFields,
  type JsonRecord,
  type ReadLimits,
  recordsFileToRead,
} from '../../../extension/src/records-data';

const dir = mkdtempSync(join(tmpdir(), 'gleaner-records-'));
after(() => rmSync(dir, { recursive: true, force: true }));

let fileNo = 0;
function file(text: string | Buffer, extension = 'jsonl'): string {
  const path = join(dir, `records-${fileNo++}.${extension}`);
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

/** A spec with a CSV output and one field of each type, as a run would have it. */
const CSV_PARSE = parseSpec(`gleaner: 1
name: csv-books
description: Books as CSV.
user_agent: "GleanerBot/1.0 (+mailto:t@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [research]
sources:
  - id: books
    kind: api
    request:
      url: https://example.org/api/books
    records:
      path: $.items[*]
      fields:
        id: { path: $.id, type: integer }
        title: { path: $.title }
        price: { path: $.price, type: number }
        available: { path: $.available, type: boolean }
        scores:
          path: "$.scores[*]"
          type: integer
          all: true
        note: { path: $.note }
output:
  format: csv
`);
assert.deepEqual(CSV_PARSE.diagnostics.filter((d) => d.severity === 'error'), []);
const CSV_SPEC = CSV_PARSE.model;

const CSV_OPTIONS = { columns: csvColumns(CSV_SPEC), neutralizeFormulas: CSV_SPEC.output.neutralizeFormulas };

/** A record as the engine hands it to the CSV writer: values plus the provenance columns. */
function csvBook(i: number, extra: JsonRecord = {}): JsonRecord {
  return { id: i, title: `Book ${i}`, price: i + 0.5, available: i % 2 === 0, scores: [i, i + 1], note: null, _source_url: `http://127.0.0.1:8917/catalogue/b_${i}/index.html`, _fetched_at: '2026-11-23T10:00:00.000Z', ...extra };
}

function csvText(rows: JsonRecord[]): string {
  return csvHeader(CSV_OPTIONS) + csvRows(rows, CSV_OPTIONS);
}

/** The croissant.json a finished run of CSV_SPEC writes. */
function croissantFile(): string {
  const manifest: RunManifest = {
    manifest_version: 1,
    run_id: 'r1',
    generator: 'gleaner test',
    spec: { name: 'csv-books', description: '', path: 'spec.collect.yaml', sha256: '' },
    user_agent: CSV_SPEC.metadata.userAgent,
    licence: { intended_use: ['research'] },
    sources: [{ id: 'books', kind: 'api', urls: ['https://example.org/api/books'] }],
    status: 'completed',
    started_at: '2026-11-23T10:00:00.000Z',
    ended_at: '2026-11-23T10:01:00.000Z',
    resumes: 0,
    counts: emptyCounts(),
    skips: [],
    robots: [],
    timings: { duration_ms: 0, fetch_ms_total: 0, pages_per_second: 0, checkpoints: 0, checkpoint_ms_total: 0 },
    files: [{ path: 'records.csv', role: 'records', bytes: 0, sha256: '', encoding_format: 'text/csv' }],
  };
  return file(JSON.stringify(buildCroissant(CSV_SPEC, manifest, { url: 'file:///runs/r1' })), 'json');
}

describe('CSV records', () => {
  test('restores the types croissant.json declares, folds provenance into _source, and keeps awkward text intact', async () => {
    const types = await readColumnTypes(croissantFile());
    assert.deepEqual(types, { id: 'integer', title: 'string', price: 'number', available: 'boolean', scores: 'integer', note: 'string' });
    const awkward = 'Quotes "inside", a comma,\r\nand a line break';
    const rows = [csvBook(1), csvBook(2, { title: awkward, price: -3.25, note: '=SUM(A1:A9)' }), csvBook(3, { price: null, available: null, scores: [] })];
    const load = await readRecordsFile(file(csvText(rows), 'csv'), DEFAULT_READ_LIMITS, { columnTypes: types! });
    assert.equal(load.format, 'csv');
    assert.deepEqual(load.fields, ['id', 'title', 'price', 'available', 'scores', 'note']);
    assert.deepEqual(load.records[0], { id: 1, title: 'Book 1', price: 1.5, available: false, scores: [1, 2], note: '', _source: { url: 'http://127.0.0.1:8917/catalogue/b_1/index.html', fetched_at: '2026-11-23T10:00:00.000Z' } });
    // The engine guarded the negative price and the formula with an apostrophe: the number is
    // restored, the text column keeps its guard (a reader cannot tell it from a real apostrophe).
    assert.equal(load.records[1]!.title, awkward);
    assert.equal(load.records[1]!.price, -3.25);
    assert.equal(load.records[1]!.note, "'=SUM(A1:A9)");
    assert.deepEqual([load.records[2]!.price, load.records[2]!.available, load.records[2]!.scores], [null, null, []]);
    assert.equal(sourceUrlOf(load.records[2]!), 'http://127.0.0.1:8917/catalogue/b_3/index.html');
    assert.deepEqual(loadNotes(load), []);
    const [id, , price] = summarizeFields(load.records, load.fields);
    assert.deepEqual([id!.types, price!.types, price!.nulls], [{ number: 3 }, { number: 2, null: 1 }, 1]);
  });

  test('without a Croissant description every value is the cell text, and the view says so', async () => {
    assert.equal(await readColumnTypes(join(dir, 'no-croissant.json')), undefined);
    const load = await readRecordsFile(file(csvText([csvBook(1)]), 'csv'));
    assert.equal(load.untyped, true);
    assert.deepEqual(load.records[0]!.id, '1');
    assert.deepEqual(load.records[0]!.scores, '[1,2]');
    assert.match(loadNotes(load).join(' '), /no croissant\.json/);
  });

  test('pages like JSON Lines, with a link per row', async () => {
    const load = await readRecordsFile(file(csvText(Array.from({ length: 120 }, (_, i) => csvBook(i))), 'csv'), DEFAULT_READ_LIMITS, { columnTypes: { id: 'integer' } });
    const index = new RecordsIndex(load.records, load.fields);
    const last = index.page('', 2);
    assert.equal(last.pageCount, 3);
    assert.equal(last.rows.length, 20);
    assert.equal(last.rows[0]!.cells[0]!.text, '100');
    assert.equal(last.rows[0]!.url, 'http://127.0.0.1:8917/catalogue/b_100/index.html');
    assert.deepEqual(index.search('b_77').map((i) => load.records[i]!.id), [77]);
  });

  test('a torn last row is left out and reported; a complete last row without CRLF is kept; a short row is counted', async () => {
    const text = csvText([csvBook(1), csvBook(2)]);
    const torn = await readRecordsFile(file(`${text}3,"Half a ti`, 'csv'));
    assert.equal(torn.records.length, 2);
    assert.equal(torn.tornLastLine, true);
    assert.match(loadNotes(torn).join(' '), /last row is incomplete/);
    const unterminated = await readRecordsFile(file(text.replace(/\r\n$/, ''), 'csv'));
    assert.equal(unterminated.records.length, 2);
    assert.equal(unterminated.tornLastLine, false);
    const short = await readRecordsFile(file(`${text}4,only two cells\r\n${csvRows([csvBook(5)], CSV_OPTIONS)}`, 'csv'));
    assert.deepEqual(short.records.map((r) => r.id), ['1', '2', '5']);
    assert.equal(short.invalidLines, 1);
    assert.match(loadNotes(short).join(' '), /1 row skipped: not a CSV row with one cell per column/);
  });

  test('reads at most maxBytes: a row cut by the limit, even inside a quoted line break, is dropped without comment', async () => {
    const rows = Array.from({ length: 50 }, (_, i) => csvBook(i, { title: `Line one\nline two of ${i}` }));
    const text = csvText(rows);
    const maxBytes = text.indexOf('line two of 7');
    const load = await readRecordsFile(file(text, 'csv'), limits({ maxBytes }));
    assert.equal(load.truncated, 'bytes');
    assert.equal(load.records.length, 7);
    assert.equal(load.tornLastLine, false);
    assert.equal(load.invalidLines, 0);
  });

  test('stops at maxRecords', async () => {
    const load = await readRecordsFile(file(csvText(Array.from({ length: 30 }, (_, i) => csvBook(i))), 'csv'), limits({ maxRecords: 10 }));
    assert.equal(load.records.length, 10);
    assert.equal(load.truncated, 'records');
  });

  test('decodes a multi-byte character split across chunks, and a BOM', async () => {
    const bytes = Buffer.from('\uFEFFt,n\r\n"naïve, €",1\r\n', 'utf8');
    const collector = new CsvCollector(DEFAULT_READ_LIMITS, { n: 'integer' });
    for (let i = 0; i < bytes.length; i++) collector.push(bytes.subarray(i, i + 1));
    await collector.end(false);
    assert.deepEqual(collector.records, [{ t: 'naïve, €', n: 1 }]);
  });

  test('restoreCell: only typed columns change, and a cell that does not read as its type stays text', () => {
    assert.equal(restoreCell('007', undefined), '007');
    assert.equal(restoreCell('007', 'string'), '007');
    assert.equal(restoreCell('', 'number'), null);
    assert.equal(restoreCell('1e+21', 'number'), 1e21);
    assert.equal(restoreCell("'-4", 'integer'), -4);
    assert.equal(restoreCell('0x10', 'integer'), '0x10');
    assert.equal(restoreCell('about 4', 'number'), 'about 4');
    assert.equal(restoreCell('true', 'boolean'), true);
    assert.equal(restoreCell('yes', 'boolean'), 'yes');
    assert.deepEqual(restoreCell('[true,false]', 'boolean'), [true, false]);
  });

  test('restoreCell: a text cell loses its formula guard only when the run wrote guards', () => {
    assert.equal(restoreCell("'=SUM(A1)", 'string', true), '=SUM(A1)');
    assert.equal(restoreCell("'@handle", undefined, true), '@handle');
    assert.equal(restoreCell("'+44 20", 'string', true), '+44 20');
    assert.equal(restoreCell("'quoted'", 'string', true), "'quoted'");
    assert.equal(restoreCell("'=SUM(A1)", 'string'), "'=SUM(A1)");
    assert.equal(restoreCell("'=SUM(A1)", 'string', false), "'=SUM(A1)");
  });

  test('a run that wrote formula guards gets its text back without them', async () => {
    const rows = [csvBook(1, { note: '=SUM(A1:A9)' }), csvBook(2, { note: "'tis" })];
    const load = await readRecordsFile(file(csvText(rows), 'csv'), DEFAULT_READ_LIMITS, { columnTypes: (await readColumnTypes(croissantFile()))!, formulaGuard: true });
    assert.deepEqual(load.records.map((record) => record.note), ['=SUM(A1:A9)', "'tis"]);
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

describe('the records file of a run', () => {
  test('a Parquet run is read from the JSON Lines it was built from, with a note', () => {
    const run = mkdtempSync(join(dir, 'parquet-run-'));
    const parquet = join(run, 'records.parquet');
    // Before the working file exists (or for a CSV or JSON Lines run) the file is read as named.
    assert.deepEqual(recordsFileToRead(parquet), { file: parquet });
    writeFileSync(join(run, 'records.jsonl'), '{"a":1}\n');
    const chosen = recordsFileToRead(parquet);
    assert.equal(chosen.file, join(run, 'records.jsonl'));
    assert.match(chosen.note ?? '', /records\.jsonl.*records\.parquet/);
    assert.deepEqual(recordsFileToRead(join(run, 'records.csv')), { file: join(run, 'records.csv') });
  });
});
