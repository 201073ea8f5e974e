// Parquet output: every spec field type becomes a typed, nullable column, read back here with a
// separate Parquet reader (hyparquet) for values, types and nulls; values a declared type cannot
// hold widen the column instead of being lost; provenance is flattened into columns; only the
// committed bytes of the working JSON Lines file are read; the file is replaced atomically; and
// a Parquet run's RunOutput keeps JSON Lines as its working file through finish and resume.
import assert from 'node:assert/strict';
import { appendFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import type { SchemaElement } from 'hyparquet' with { 'resolution-mode': 'import' };
import {
  buildCroissant,
  emptyCounts,
  parquetRecordColumns,
  PARQUET_MEDIA_TYPE,
  Redactor,
  RunOutput,
  RUN_FILES,
  writeParquetFromJsonl,
} from '../../../language-server/src/engine/output';
import type { RecordColumn, RecordSource, RunManifest } from '../../../language-server/src/engine/output';
import { defaultSpec } from '../../../language-server/src/engine/spec';

const dir = mkdtempSync(join(tmpdir(), 'gleaner-parquet-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let files = 0;
const fresh = (name: string): string => join(dir, `${(files += 1)}-${name}`);

/** Reads a Parquet file with hyparquet (an ES module: loaded with import()). */
async function readParquet(path: string): Promise<{ schema: SchemaElement[]; rowGroups: number; rows: Record<string, unknown>[] }> {
  const { parquetMetadata, parquetReadObjects } = await import('hyparquet');
  const bytes = readFileSync(path);
  const file = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength);
  const metadata = parquetMetadata(file);
  // hyparquet gives a null LIST as undefined; the file holds a null either way.
  const rows = (await parquetReadObjects({ file })).map((r) => Object.fromEntries(Object.entries(r).map(([k, v]) => [k, v === undefined ? null : v])));
  return { schema: metadata.schema, rowGroups: metadata.row_groups.length, rows };
}

/** The names of the root's children (a LIST's inner elements skipped). */
function topLevelNames(schema: SchemaElement[]): string[] {
  const names: string[] = [];
  let i = 1;
  const skip = (): void => {
    const children = schema[i].num_children ?? 0;
    i += 1;
    for (let c = 0; c < children; c++) skip();
  };
  while (i < schema.length) {
    names.push(schema[i].name);
    skip();
  }
  return names;
}

/** The schema element of a top-level column (its leaf, for a LIST) and whether it is a LIST. */
function columnOf(schema: SchemaElement[], name: string): { leaf: SchemaElement; list: boolean } {
  const i = schema.findIndex((e) => e.name === name);
  assert.ok(i > 0, `no column ${name}`);
  if (schema[i].converted_type === 'LIST') {
    assert.equal(schema[i].repetition_type, 'OPTIONAL', `${name} may be null`);
    assert.equal(schema[i + 1].repetition_type, 'REPEATED');
    return { leaf: schema[i + 2], list: true };
  }
  return { leaf: schema[i], list: false };
}

/** The Parquet type of a column in a compact form: physical/converted(/list), and that it is nullable. */
function typeOf(schema: SchemaElement[], name: string): string {
  const { leaf, list } = columnOf(schema, name);
  assert.equal(leaf.repetition_type, 'OPTIONAL', `${name} is nullable`);
  return [leaf.type, leaf.converted_type, list ? 'list' : undefined].filter((x) => x !== undefined).join('/');
}

function jsonl(path: string, records: readonly Record<string, unknown>[]): number {
  writeFileSync(path, records.map((r) => `${JSON.stringify(r)}\n`).join(''));
  return statSync(path).size;
}

const source = (over: Partial<RecordSource> = {}): RecordSource => ({
  url: 'http://127.0.0.1:8917/book/1.html',
  fetched_at: '2026-01-02T03:04:05.678Z',
  status: 200,
  content_sha256: 'a'.repeat(64),
  spec_sha256: 'b'.repeat(64),
  source_id: 'book',
  ...over,
});

const COLUMNS: RecordColumn[] = [
  { name: 'title', type: 'string', list: false },
  { name: 'link', type: 'url', list: false },
  { name: 'price', type: 'number', list: false },
  { name: 'stock', type: 'integer', list: false },
  { name: 'in_stock', type: 'boolean', list: false },
  { name: 'released', type: 'date', list: false },
  { name: 'updated', type: 'date', list: false },
  { name: 'tags', type: 'string', list: true },
  { name: 'counts', type: 'integer', list: true },
  // A derived field without a rule: its type comes from the data.
  { name: 'sentiment', list: false },
];

void describe('Parquet records', () => {
  void it('writes every field type as a typed, nullable column and reads back the same values and nulls', async () => {
    const src = fresh('records.jsonl');
    const target = fresh('records.parquet');
    const bytes = jsonl(src, [
      {
        title: 'Café "quoted", with a comma',
        link: 'http://127.0.0.1:8917/book/1.html',
        price: 51.77,
        stock: 22,
        in_stock: true,
        released: '2024-03-05',
        updated: '2024-03-05T10:00:00.123Z',
        tags: ['fiction', 'classic'],
        counts: [1, 2],
        sentiment: 'positive',
        extra: 'not in the spec',
        _source: source({ etag: '"e1"' }),
      },
      {
        title: null,
        link: null,
        price: null,
        stock: null,
        in_stock: null,
        released: null,
        updated: null,
        tags: null,
        counts: [],
        sentiment: null,
        _source: source({ status: 203, last_modified: 'Tue, 05 Mar 2024 10:00:00 GMT', fetched_at: '2026-01-02T03:04:06.000Z' }),
      },
      {
        title: '',
        price: -0.5,
        stock: Number.MAX_SAFE_INTEGER,
        in_stock: false,
        released: '1969-12-31',
        updated: '1970-01-01T00:00:00.000Z',
        tags: ['c', null],
        counts: [3],
        sentiment: 'negative',
        _source: source(),
      },
    ]);
    const result = await writeParquetFromJsonl({ source: src, bytes, target, columns: COLUMNS, provenance: true, createdBy: 'gleaner test' });
    assert.equal(result.rows, 3);

    const { schema, rows } = await readParquet(target);
    assert.deepEqual(
      topLevelNames(schema),
      ['title', 'link', 'price', 'stock', 'in_stock', 'released', 'updated', 'tags', 'counts', 'sentiment', 'extra',
        '_source_url', '_fetched_at', '_source_status', '_source_etag', '_source_last_modified', '_source_content_sha256', '_source_spec_sha256', '_source_id'],
      'declared columns in order, then keys the spec does not name, then provenance',
    );
    const types = Object.fromEntries(result.columns.map((c) => [c.name, typeOf(schema, c.name)]));
    assert.deepEqual(types, {
      title: 'BYTE_ARRAY/UTF8',
      link: 'BYTE_ARRAY/UTF8',
      price: 'DOUBLE',
      stock: 'INT64',
      in_stock: 'BOOLEAN',
      released: 'INT32/DATE',
      updated: 'INT64/TIMESTAMP_MILLIS',
      tags: 'BYTE_ARRAY/UTF8/list',
      counts: 'INT64/list',
      sentiment: 'BYTE_ARRAY/UTF8',
      extra: 'BYTE_ARRAY/UTF8',
      _source_url: 'BYTE_ARRAY/UTF8',
      _fetched_at: 'INT64/TIMESTAMP_MILLIS',
      _source_status: 'INT64',
      _source_etag: 'BYTE_ARRAY/UTF8',
      _source_last_modified: 'BYTE_ARRAY/UTF8',
      _source_content_sha256: 'BYTE_ARRAY/UTF8',
      _source_spec_sha256: 'BYTE_ARRAY/UTF8',
      _source_id: 'BYTE_ARRAY/UTF8',
    });
    assert.deepEqual(columnOf(schema, 'updated').leaf.logical_type, { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' });
    assert.deepEqual(columnOf(schema, 'released').leaf.logical_type, { type: 'DATE' });

    assert.deepEqual(rows[0], {
      title: 'Café "quoted", with a comma',
      link: 'http://127.0.0.1:8917/book/1.html',
      price: 51.77,
      stock: 22n,
      in_stock: true,
      released: new Date('2024-03-05T00:00:00.000Z'),
      updated: new Date('2024-03-05T10:00:00.123Z'),
      tags: ['fiction', 'classic'],
      counts: [1n, 2n],
      sentiment: 'positive',
      extra: 'not in the spec',
      _source_url: 'http://127.0.0.1:8917/book/1.html',
      _fetched_at: new Date('2026-01-02T03:04:05.678Z'),
      _source_status: 200n,
      _source_etag: '"e1"',
      _source_last_modified: null,
      _source_content_sha256: 'a'.repeat(64),
      _source_spec_sha256: 'b'.repeat(64),
      _source_id: 'book',
    });
    // Nulls stay nulls (an empty list stays an empty list), and a key a record lacks is null.
    assert.deepEqual(
      { ...rows[1], _source_content_sha256: undefined, _source_spec_sha256: undefined },
      {
        title: null,
        link: null,
        price: null,
        stock: null,
        in_stock: null,
        released: null,
        updated: null,
        tags: null,
        counts: [],
        sentiment: null,
        extra: null,
        _source_url: 'http://127.0.0.1:8917/book/1.html',
        _fetched_at: new Date('2026-01-02T03:04:06.000Z'),
        _source_status: 203n,
        _source_etag: null,
        _source_last_modified: 'Tue, 05 Mar 2024 10:00:00 GMT',
        _source_content_sha256: undefined,
        _source_spec_sha256: undefined,
        _source_id: 'book',
      },
    );
    assert.equal(rows[2].title, '', 'an empty string is not a null');
    assert.equal(rows[2].link, null, 'a missing key is a null');
    assert.equal(rows[2].price, -0.5);
    assert.equal(rows[2].stock, BigInt(Number.MAX_SAFE_INTEGER));
    assert.equal(rows[2].in_stock, false);
    assert.deepEqual(rows[2].released, new Date('1969-12-31T00:00:00.000Z'));
    assert.deepEqual(rows[2].updated, new Date(0));
    assert.deepEqual(rows[2].tags, ['c', null], 'a null inside a list is kept');
    assert.deepEqual(rows[2].counts, [3n]);
  });

  void it('widens a column whose values its declared type cannot hold, and never drops a value', async () => {
    const src = fresh('records.jsonl');
    const target = fresh('records.parquet');
    const columns: RecordColumn[] = [
      { name: 'stock', type: 'integer', list: false },
      { name: 'price', type: 'number', list: false },
      { name: 'flag', type: 'boolean', list: false },
      { name: 'when', type: 'date', list: false },
      { name: 'name', type: 'string', list: false },
      { name: 'tags', type: 'string', list: true },
      { name: 'score', list: false },
      { name: 'label', list: false },
      { name: 'ok', list: false },
      { name: 'empty', list: false },
      { name: 'empty_int', type: 'integer', list: false },
    ];
    const bytes = jsonl(src, [
      { stock: 1, price: 3, flag: true, when: '2024-03-05', name: { nested: [1] }, tags: 'single', score: 1, label: 1, ok: true },
      { stock: 1.5, price: 'n/a', flag: 'yes', when: '2024-03-05T10:00:00', name: 7, tags: ['x'], score: 2, label: 'high', ok: false },
    ]);
    const { columns: written } = await writeParquetFromJsonl({ source: src, bytes, target, columns, provenance: false, createdBy: 'gleaner test' });
    assert.deepEqual(Object.fromEntries(written.map((c) => [c.name, `${c.kind}${c.list ? '[]' : ''}`])), {
      stock: 'double',
      price: 'string',
      flag: 'string',
      when: 'string',
      name: 'string',
      tags: 'string[]',
      score: 'int64',
      label: 'string',
      ok: 'boolean',
      empty: 'string',
      empty_int: 'int64',
    });
    const { rows, schema } = await readParquet(target);
    assert.equal(schema.filter((e) => e.name.startsWith('_')).length, 0, 'no provenance columns when provenance is off');
    assert.deepEqual(rows, [
      { stock: 1, price: '3', flag: 'true', when: '2024-03-05', name: '{"nested":[1]}', tags: ['single'], score: 1n, label: '1', ok: true, empty: null, empty_int: null },
      { stock: 1.5, price: 'n/a', flag: 'yes', when: '2024-03-05T10:00:00', name: '7', tags: ['x'], score: 2n, label: 'high', ok: false, empty: null, empty_int: null },
    ]);
  });

  void it('reads only the committed bytes and splits large outputs into row groups', async () => {
    const src = fresh('records.jsonl');
    const target = fresh('records.parquet');
    const committed = jsonl(src, [0, 1, 2, 3, 4].map((n) => ({ n })));
    // What a kill -9 leaves after the last checkpoint: a whole uncommitted line and a torn one.
    appendFileSync(src, '{"n":5}\n{"n":');
    const out = await writeParquetFromJsonl({ source: src, bytes: committed, target, columns: [{ name: 'n', type: 'integer', list: false }], provenance: false, createdBy: 'gleaner test', rowGroupRows: 2 });
    assert.equal(out.rows, 5);
    const { rows, rowGroups } = await readParquet(target);
    assert.deepEqual(rows.map((r) => r.n), [0n, 1n, 2n, 3n, 4n]);
    assert.equal(rowGroups, 3);
  });

  void it('writes a valid file with the declared columns when there are no records', async () => {
    const src = fresh('records.jsonl');
    writeFileSync(src, '');
    const target = fresh('records.parquet');
    await writeParquetFromJsonl({ source: src, bytes: 0, target, columns: COLUMNS.slice(0, 3), provenance: true, createdBy: 'gleaner test' });
    const { rows, schema } = await readParquet(target);
    assert.deepEqual(rows, []);
    assert.deepEqual(
      topLevelNames(schema),
      ['title', 'link', 'price', '_source_url', '_fetched_at', '_source_status', '_source_etag', '_source_last_modified', '_source_content_sha256', '_source_spec_sha256', '_source_id'],
    );
  });

  void it('replaces the file atomically: a failure leaves the previous file and no temporary file', async () => {
    const runDir = fresh('atomic');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(runDir);
    const src = join(runDir, 'records.jsonl');
    const target = join(runDir, 'records.parquet');
    writeFileSync(target, 'previous');
    const bytes = jsonl(src, [{ n: 1 }]);
    appendFileSync(src, 'not json\n');
    await assert.rejects(
      writeParquetFromJsonl({ source: src, bytes: bytes + 9, target, columns: [], provenance: false, createdBy: 'gleaner test' }),
      /records\.jsonl line 2 is not JSON/,
    );
    assert.equal(readFileSync(target, 'utf8'), 'previous');
    assert.deepEqual(readdirSync(runDir).sort(), ['records.jsonl', 'records.parquet']);
  });

  void it('takes list flags from the sources and leaves derived fields to the data', () => {
    const spec = defaultSpec();
    spec.records.fields = [{ name: 'title', type: 'string', required: true, path: [] }];
    spec.records.derived = [{ name: 'sentiment', from: 'rating', map: { Five: 'positive' }, path: [] }];
    spec.sources = [
      {
        kind: 'scrape',
        id: 'book',
        startUrls: ['http://127.0.0.1:8917/'],
        follow: [],
        useCanonical: false,
        path: [],
        records: {
          fields: [
            { name: 'title', fallback: [], extract: 'text', type: 'string', all: false, path: [] },
            { name: 'tags', fallback: [], extract: 'text', type: 'string', all: true, path: [] },
            { name: 'rating', fallback: [], extract: 'text', type: 'integer', all: false, path: [] },
          ],
        },
      },
    ];
    assert.deepEqual(parquetRecordColumns(spec), [
      { name: 'title', type: 'string', list: false },
      { name: 'tags', type: 'string', list: true },
      { name: 'rating', type: 'integer', list: false },
      { name: 'sentiment', list: false },
    ]);
  });
});

void describe('a Parquet run', () => {
  const redactor = new Redactor();
  const options = (runDir: string, resume: boolean) => ({
    runDir,
    format: 'parquet' as const,
    columns: [],
    neutralizeFormulas: false,
    recordColumns: [{ name: 'id', type: 'integer' as const, list: false }],
    provenance: true,
    createdBy: 'gleaner test',
    redactor,
    resume,
  });
  const rec = (id: number): Record<string, unknown> => ({ id, _source: source() });

  void it('appends to JSON Lines, writes records.parquet at the end, and rebuilds it after a resume', async () => {
    const runDir = fresh('run');
    const first = await RunOutput.open<{ n: number }>(options(runDir, false));
    assert.equal(first.recordsFile, RUN_FILES.recordsParquet);
    assert.equal(first.workingFile, RUN_FILES.recordsJsonl);
    await first.append([rec(1), rec(2)], [{ source_id: 'book', source_url: 'http://x/', reason: 'bad', values: {}, errors: [] }]);
    await first.checkpoint({ n: 2 }, 'running', 0);
    await first.checkpoint({ n: 2 }, 'stopped', 0);
    await first.close();
    assert.deepEqual((await first.finishRecords())?.map((c) => c.name).slice(0, 3), ['id', '_source_url', '_fetched_at']);
    assert.deepEqual((await readParquet(join(runDir, RUN_FILES.recordsParquet))).rows.map((r) => r.id), [1n, 2n]);
    assert.equal(readFileSync(join(runDir, RUN_FILES.failed), 'utf8').split('\n').length, 2, 'failed records stay JSON Lines');
    assert.deepEqual(first.recordFileEntries(), [
      { path: 'records.parquet', role: 'records', encoding_format: 'application/x-parquet' },
      { path: 'records.jsonl', role: 'working-records', encoding_format: 'application/jsonlines' },
    ]);
    const checkpoint = JSON.parse(readFileSync(join(runDir, RUN_FILES.checkpoint), 'utf8')) as { offsets: Record<string, number> };
    assert.deepEqual(Object.keys(checkpoint.offsets).sort(), ['failed.jsonl', 'records.jsonl'], 'the checkpoint holds the working file, not the Parquet file');

    // A resumed session: the stale Parquet file goes at once, and so does the temporary file of a
    // session killed while writing one; records appended after the last checkpoint of a killed
    // session are cut; the rebuilt file holds exactly the committed ones.
    writeFileSync(join(runDir, `.${RUN_FILES.recordsParquet}.4242.1.tmp`), 'PAR1 torn');
    const second = await RunOutput.open<{ n: number }>(options(runDir, true));
    assert.equal(existsSync(join(runDir, RUN_FILES.recordsParquet)), false);
    assert.deepEqual(readdirSync(runDir).filter((n) => n.endsWith('.tmp')), []);
    await second.append([rec(3)], []);
    await second.checkpoint({ n: 3 }, 'running', 0);
    await second.append([rec(4)], []);
    await second.close(); // killed before the next checkpoint
    const third = await RunOutput.open<{ n: number }>(options(runDir, true));
    assert.equal(third.previous?.state.n, 3);
    await third.checkpoint({ n: 3 }, 'completed', 0);
    await third.close();
    await third.finishRecords();
    assert.deepEqual((await readParquet(join(runDir, RUN_FILES.recordsParquet))).rows.map((r) => r.id), [1n, 2n, 3n]);
  });

  void it('is described in Croissant as an application/x-parquet FileObject read by column', () => {
    const spec = defaultSpec();
    spec.metadata = { version: 1, name: 'books', description: 'Books', owner: 'Ada', userAgent: 'GleanerBot/1.0' };
    spec.records.fields = [{ name: 'price', type: 'number', required: true, path: [] }];
    const manifest: RunManifest = {
      manifest_version: 1,
      run_id: 'r1',
      generator: 'gleaner 0.1.0',
      spec: { name: 'books', description: '', path: 'books.collect.yaml', sha256: 'ab' },
      user_agent: 'GleanerBot/1.0',
      licence: { intended_use: [] },
      sources: [],
      status: 'completed',
      started_at: '2026-01-02T03:04:05.000Z',
      resumes: 0,
      counts: emptyCounts(),
      skips: [],
      robots: [],
      timings: { duration_ms: 1, fetch_ms_total: 1, pages_per_second: 1, checkpoints: 1, checkpoint_ms_total: 1 },
      files: [
        { path: 'records.parquet', role: 'records', bytes: 10, sha256: 'cd', encoding_format: PARQUET_MEDIA_TYPE },
        { path: 'records.jsonl', role: 'working-records', bytes: 20, sha256: 'ef', encoding_format: 'application/jsonlines' },
      ],
    };
    const doc = buildCroissant(spec, manifest, { url: 'file:///runs/r1' });
    const dist = doc.distribution as Record<string, unknown>[];
    assert.deepEqual(dist.map((d) => [d['@type'], d.contentUrl, d.encodingFormat, d.sha256]), [['cr:FileObject', 'records.parquet', 'application/x-parquet', 'cd']]);
    const field = (doc.recordSet as { field: Record<string, unknown>[] }[])[0].field[0];
    assert.deepEqual(field.source, { fileObject: { '@id': 'records.parquet' }, extract: { column: 'price' } });
  });
});
