/**
 * Parquet output (`output.format: parquet`), written with `hyparquet-writer`.
 *
 * A Parquet file cannot be appended to: its footer, written last, holds the schema and where
 * every row group starts, so a file cut off by `kill -9` is unreadable and a resume could not
 * continue it. A Parquet run therefore keeps the crash-safe JSON Lines file (`records.jsonl`,
 * appended and checkpointed exactly as for `format: jsonl`) as its working file, and when a
 * session ends (completed, stopped or failed; after a resume too) turns the committed part of it
 * into `records.parquet`, replaced atomically. A crash at any instant leaves either no Parquet
 * file or a whole one, never a torn one; the records themselves are always in the JSON Lines.
 * The JSON Lines file stays in the run directory: a later resume appends to it, and it is the
 * source every Parquet file of the run is rebuilt from.
 *
 * Types. Each spec field type maps to a nullable Parquet column:
 *   string, url → BYTE_ARRAY (STRING); number → DOUBLE; integer → INT64; boolean → BOOLEAN;
 *   date → DATE when every value is a calendar date (`2024-03-05`), TIMESTAMP (UTC, ms) when
 *   every value is an instant (the engine writes those as `…T10:00:00.000Z`), else the ISO 8601
 *   text as STRING: a date-time without a zone is kept as written, since the engine never
 *   invents a zone for one, and one column cannot hold both kinds.
 *   Fields extracted with `all: true` are 3-level LISTs of that element type.
 * A value the declared type cannot hold (a derived field's label in a number column, a value
 * that slipped past validation) is never dropped: the column becomes STRING (numbers and flags
 * as text, objects as JSON) or, for an integer column holding fractions, DOUBLE. Derived fields
 * without a rule, and keys the spec does not name, take their type from the data. The schema is
 * therefore fixed by a first pass over the records and the rows written by a second; memory
 * stays bounded by one row group.
 *
 * Provenance is flattened into columns (see PARQUET_PROVENANCE_COLUMNS). The working file was
 * redacted line by line when it was appended, so the Parquet file built from it is too.
 */
import { createReadStream } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import type { SchemaElement, Writer } from 'hyparquet-writer' with { 'resolution-mode': 'import' };
import type { CollectionSpec, FieldType } from '../spec/model';
import { replaceFileAtomic } from './atomic-write';
import { datasetFields } from './croissant';
import { PARQUET_PROVENANCE_COLUMNS } from './provenance';

/** A record column as the spec declares it. */
export interface RecordColumn {
  name: string;
  /** Declared type; absent: taken from the data (derived fields, keys the spec does not name). */
  type?: FieldType;
  /** Extracted with `all: true`: every value is a list. */
  list: boolean;
}

/** The physical/logical type a column was written with. */
export type ParquetKind = 'string' | 'int64' | 'double' | 'boolean' | 'date' | 'timestamp';

/** One column of a written Parquet file. */
export interface ParquetColumnInfo {
  name: string;
  kind: ParquetKind;
  list: boolean;
}

/** The record columns of a spec's dataset, in the order CSV writes them (provenance excluded). */
export function parquetRecordColumns(spec: CollectionSpec): RecordColumn[] {
  const lists = new Set<string>();
  for (const s of spec.sources) {
    const fields = s.kind === 'api' ? s.records.fields : (s.records?.fields ?? []);
    for (const f of fields) if (f.all) lists.add(f.name);
  }
  const ruled = new Set(spec.records.fields.map((f) => f.name));
  const derived = new Set(spec.records.derived.map((d) => d.name));
  return datasetFields(spec).map((f) => ({
    name: f.name,
    // A derived field's values are whatever its map or ranges give (numbers, labels, flags), so
    // unless a record rule declares its type, the data decides it.
    ...(derived.has(f.name) && !ruled.has(f.name) ? {} : { type: f.type }),
    list: lists.has(f.name),
  }));
}

/** Inputs of `writeParquetFromJsonl`. */
export interface ParquetFromJsonlOptions {
  /** The JSON Lines file, one record object a line. */
  source: string;
  /** How many of its bytes to read: the committed size (whole lines). */
  bytes: number;
  /** The Parquet file to replace atomically. */
  target: string;
  /** The declared columns, in order; keys the data has beyond them follow in order of appearance. */
  columns: readonly RecordColumn[];
  /** Flatten `_source` into the provenance columns (also when no record has one yet). */
  provenance: boolean;
  /** The file's `created_by`, e.g. `gleaner 0.1.0`. */
  createdBy: string;
  /** A row group closes after this many rows (default 50,000)… */
  rowGroupRows?: number;
  /**
   * …or after this many characters of JSON (default 16 MiB), whichever comes first. One row group
   * is held in memory (parsed, then encoded), so this bounds the memory the conversion takes.
   */
  rowGroupChars?: number;
}

/**
 * Writes the first `bytes` of the JSON Lines file `source` to `target` as Parquet, atomically
 * (a temporary file, fsynced, renamed over `target`). Returns the columns as written.
 */
export async function writeParquetFromJsonl(options: ParquetFromJsonlOptions): Promise<{ rows: number; columns: ParquetColumnInfo[] }> {
  const plans = await planColumns(options);
  const schema: SchemaElement[] = [{ name: 'root', num_children: plans.length }, ...plans.flatMap((p) => schemaElements(p))];
  const maxRows = options.rowGroupRows ?? 50_000;
  const maxChars = options.rowGroupChars ?? 16 * 1024 * 1024;
  // hyparquet-writer is an ES module only, and CommonJS (the engine) can load one only through import().
  const { ByteWriter, ParquetWriter } = await import('hyparquet-writer');
  /**
   * hyparquet-writer's byte writer, emptied into the file after every row group: the writer calls
   * `flush` after each group and waits for its promise, so only one group's bytes sit in memory.
   */
  class FileSink extends ByteWriter implements Writer {
    constructor(private readonly handle: FileHandle) {
      super(1024 * 1024);
    }

    async flush(): Promise<void> {
      let at = 0;
      while (at < this.index) {
        const { bytesWritten } = await this.handle.write(new Uint8Array(this.buffer, at, this.index - at));
        at += bytesWritten;
      }
      this.index = 0;
    }

    override finish(): Promise<void> {
      return this.flush();
    }
  }
  let rows = 0;
  await replaceFileAtomic(options.target, async (handle) => {
    const sink = new FileSink(handle);
    const writer = new ParquetWriter({ writer: sink, schema, createdBy: options.createdBy });
    let columns: unknown[][] = plans.map(() => []);
    let groupRows = 0;
    let groupChars = 0;
    const flush = async (): Promise<void> => {
      if (groupRows === 0) return;
      await writer.write({ columnData: plans.map((p, i) => ({ name: p.name, data: columns[i] })), rowGroupSize: groupRows });
      columns = plans.map(() => []);
      groupRows = 0;
      groupChars = 0;
    };
    for await (const { record, chars } of readRecords(options.source, options.bytes)) {
      for (let i = 0; i < plans.length; i++) columns[i].push(plans[i].write(plans[i].read(record)));
      rows += 1;
      groupRows += 1;
      groupChars += chars;
      if (groupRows >= maxRows || groupChars >= maxChars) await flush();
    }
    await flush();
    await writer.finish();
  });
  return { rows, columns: plans.map(({ name, kind, list }) => ({ name, kind, list })) };
}

/** A column with its resolved type and how to read and convert its value from a record. */
interface ColumnPlan extends ParquetColumnInfo {
  read: (record: Record<string, unknown>) => unknown;
  write: (value: unknown) => unknown;
}

/** First pass: the columns, and the type of each as the declared type and the data allow. */
async function planColumns(options: ParquetFromJsonlOptions): Promise<ColumnPlan[]> {
  type Pending = { name: string; type?: FieldType; list: boolean; read: ColumnPlan['read']; seen: Observed };
  const pending: Pending[] = options.columns.map((c) => ({ ...c, read: (r) => r[c.name], seen: new Observed() }));
  const named = new Set(pending.map((p) => p.name));
  const provenance = PARQUET_PROVENANCE_COLUMNS.map((c) => ({
    name: c.column,
    type: c.type,
    list: false,
    read: (r: Record<string, unknown>) => (isObject(r._source) ? r._source[c.key] : undefined),
    seen: new Observed(),
  }));
  let withSource = options.provenance;
  for await (const { record } of readRecords(options.source, options.bytes)) {
    for (const key of Object.keys(record)) {
      if (named.has(key) || (key === '_source' && isObject(record._source))) continue;
      named.add(key);
      pending.push({ name: key, list: false, read: (r) => r[key], seen: new Observed() });
    }
    for (const p of pending) p.seen.add(p.read(record));
    if (isObject(record._source)) {
      withSource = true;
      for (const p of provenance) p.seen.add(p.read(record));
    }
  }
  // A key of the record itself wins over a provenance column of the same name.
  const all = withSource ? [...pending, ...provenance.filter((p) => !named.has(p.name))] : pending;
  return all.map((p) => {
    const kind = resolveKind(p.type, p.seen);
    const list = p.list || p.seen.arrays > 0;
    const one = convert(kind);
    const write = list ? (v: unknown) => (v == null ? null : (Array.isArray(v) ? v : [v]).map(one)) : one;
    return { name: p.name, kind, list, read: p.read, write };
  });
}

const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;
/** An instant as `Date.prototype.toISOString` writes it, which is how the engine stores zoned times. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const DAY_MS = 86_400_000;

/** Days since 1970-01-01 of a calendar date, or undefined when the text is not one. */
function epochDay(text: string): number | undefined {
  const m = DATE_ONLY.exec(text);
  if (!m) return undefined;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3]);
  // Date.UTC rolls 2024-02-30 over into March: only a date that round-trips is one.
  const back = new Date(ms);
  if (back.getUTCFullYear() !== +m[1] || back.getUTCMonth() !== +m[2] - 1 || back.getUTCDate() !== +m[3]) return undefined;
  return Math.round(ms / DAY_MS);
}

function isInstant(text: string): boolean {
  if (!INSTANT.test(text)) return false;
  const ms = Date.parse(text);
  return Number.isFinite(ms) && new Date(ms).toISOString() === text;
}

/** What one column's values turned out to be (list elements counted one by one). */
class Observed {
  values = 0;
  strings = 0;
  dates = 0;
  instants = 0;
  numbers = 0;
  nonIntegers = 0;
  booleans = 0;
  arrays = 0;

  add(value: unknown): void {
    if (value == null) return;
    if (Array.isArray(value)) {
      this.arrays += 1;
      for (const v of value) this.scalar(v);
    } else this.scalar(value);
  }

  private scalar(v: unknown): void {
    if (v == null) return;
    this.values += 1;
    if (typeof v === 'string') {
      this.strings += 1;
      if (epochDay(v) !== undefined) this.dates += 1;
      else if (isInstant(v)) this.instants += 1;
    } else if (typeof v === 'number') {
      this.numbers += 1;
      if (!Number.isSafeInteger(v)) this.nonIntegers += 1;
    } else if (typeof v === 'boolean') this.booleans += 1;
    // Objects and nested lists count as values only: no typed column holds them, so STRING (JSON).
  }
}

/** The column type: the declared one when every value fits it, else the narrowest that holds them all. */
function resolveKind(declared: FieldType | undefined, o: Observed): ParquetKind {
  const onlyNumbers = o.numbers === o.values;
  const onlyBooleans = o.booleans === o.values;
  const onlyStrings = o.strings === o.values;
  switch (declared) {
    case 'integer':
      if (onlyNumbers) return o.nonIntegers > 0 ? 'double' : 'int64';
      return 'string';
    case 'number':
      return onlyNumbers ? 'double' : 'string';
    case 'boolean':
      return onlyBooleans ? 'boolean' : 'string';
    case 'date':
      if (onlyStrings && o.dates === o.values) return 'date';
      if (onlyStrings && o.instants === o.values) return 'timestamp';
      return 'string';
    case 'string':
    case 'url':
      return 'string';
    case undefined:
      if (o.values === 0) return 'string';
      if (onlyBooleans) return 'boolean';
      if (onlyNumbers) return o.nonIntegers > 0 ? 'double' : 'int64';
      return 'string';
  }
}

/** Turns one (non-list) value into what hyparquet-writer stores for `kind`; null stays null. */
function convert(kind: ParquetKind): (v: unknown) => unknown {
  switch (kind) {
    case 'string':
      return (v) => (v == null ? null : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v));
    case 'int64':
      return (v) => (v == null ? null : BigInt(v as number));
    case 'double':
    case 'boolean':
      return (v) => (v == null ? null : v);
    case 'date':
      return (v) => (v == null ? null : (epochDay(v as string) ?? null));
    case 'timestamp':
      return (v) => (v == null ? null : BigInt(Date.parse(v as string)));
  }
}

function leafElement(name: string, kind: ParquetKind): SchemaElement {
  const repetition_type = 'OPTIONAL';
  switch (kind) {
    case 'string':
      return { name, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' }, repetition_type };
    case 'int64':
      return { name, type: 'INT64', repetition_type };
    case 'double':
      return { name, type: 'DOUBLE', repetition_type };
    case 'boolean':
      return { name, type: 'BOOLEAN', repetition_type };
    case 'date':
      return { name, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' }, repetition_type };
    case 'timestamp':
      return { name, type: 'INT64', converted_type: 'TIMESTAMP_MILLIS', logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: true, unit: 'MILLIS' }, repetition_type };
  }
}

/** A column's schema elements: a leaf, or the standard 3-level LIST (`name.list.element`). */
function schemaElements(p: ParquetColumnInfo): SchemaElement[] {
  if (!p.list) return [leafElement(p.name, p.kind)];
  return [
    { name: p.name, repetition_type: 'OPTIONAL', converted_type: 'LIST', logical_type: { type: 'LIST' }, num_children: 1 },
    { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
    leafElement('element', p.kind),
  ];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The records in the first `bytes` of a JSON Lines file, each with its line's length in characters. */
async function* readRecords(path: string, bytes: number): AsyncGenerator<{ record: Record<string, unknown>; chars: number }> {
  if (bytes <= 0) return;
  const lines = createInterface({ input: createReadStream(path, { start: 0, end: bytes - 1, encoding: 'utf8' }), crlfDelay: Infinity });
  let n = 0;
  for await (const line of lines) {
    n += 1;
    if (line.length === 0) continue;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (e) {
      // Committed lines are whole (the checkpoint records sizes at line ends): this is damage.
      throw new Error(`${path} line ${n} is not JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (!isObject(value)) throw new Error(`${path} line ${n} is not a JSON object`);
    yield { record: value, chars: line.length + 1 };
  }
}
