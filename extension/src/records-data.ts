/**
 * The data behind the Records view, with no vscode import so all of it is unit-tested under plain
 * Node: a bounded streaming reader for a run's records (`records.jsonl`, or `records.csv` with the
 * column types its `croissant.json` declares), search and paging, the per-field summary, the label
 * distribution, and the checks applied to what the webview sends back.
 *
 * Records are scraped data and therefore hostile: nothing here evaluates them, every count is
 * bounded, and the only URLs ever handed on are http(s) ones that really are a record's
 * `_source.url`.
 */
import { createReadStream, existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished } from 'node:stream/promises';
import { parse as parseCsv, type CsvError, type Parser as CsvParser } from 'csv-parse';
import type {
  FieldSummary,
  LabelDistribution,
  RecordCell,
  RecordRow,
  RecordsPage,
  RecordsSavedState,
  RecordsWebviewMessage,
  ValueType,
} from '../../media/src/records-messages';

/** A record: one JSON object from a line of records.jsonl, or one row of records.csv. */
export type JsonRecord = Record<string, unknown>;

/** The record file formats a run writes (`output.format`). */
export type RecordsFormat = 'jsonl' | 'csv';

/** What a CSV cell is turned back into; `string` leaves it as written. */
export type ColumnType = 'string' | 'number' | 'integer' | 'boolean';

/** Column name → type, from the run's `croissant.json`. */
export type ColumnTypes = Record<string, ColumnType>;

/** How much of a file the view reads at most. */
export interface ReadLimits {
  /** Records kept; reading stops at the first record beyond this. */
  maxRecords: number;
  /** Bytes read from the start of the file. */
  maxBytes: number;
  /** A longer line is skipped (and counted) rather than buffered. */
  maxLineBytes: number;
  /** Columns kept; keys beyond this many distinct ones are not shown as columns. */
  maxFields: number;
}

/** The bounds the view uses: enough for a preview of a big dataset, small enough to stay responsive. */
export const DEFAULT_READ_LIMITS: ReadLimits = {
  maxRecords: 50_000,
  maxBytes: 50 * 1024 * 1024,
  maxLineBytes: 8 * 1024 * 1024,
  maxFields: 200,
};

/** Records per table page. */
export const PAGE_SIZE = 50;
/** Distinct values counted per field before the summary says "≥ N". */
export const DISTINCT_CAP = 1000;
/** Classes listed in a label distribution; the rest are summed as "other". */
export const MAX_LABEL_CLASSES = 30;
/** Characters of a value shown in a table cell. */
export const MAX_CELL_CHARS = 300;
/** Longest search query the host accepts. */
export const MAX_QUERY_CHARS = 1000;
/** Longest URL the host accepts from the webview. */
export const MAX_URL_CHARS = 8192;
/** The key holding provenance in every Gleaner record; not a data column. */
export const SOURCE_KEY = '_source';

/** The outcome of reading a records file. */
export interface RecordsLoad {
  format: RecordsFormat;
  /** CSV read without column types: every value is the cell's text. */
  untyped?: boolean;
  records: JsonRecord[];
  /** Keys in order of first appearance, without `_source`. */
  fields: string[];
  /** Bytes of the file that were read. */
  bytesRead: number;
  /** The file's size when reading started. */
  fileBytes: number;
  /** Why reading stopped early, if it did. */
  truncated?: 'records' | 'bytes';
  /** Non-empty lines that were not a JSON object (CSV: rows that did not parse or had the wrong number of cells). */
  invalidLines: number;
  /** Lines longer than `maxLineBytes`. */
  oversizedLines: number;
  /** True when the last line had no newline and did not parse: a run still writing, or a crash. */
  tornLastLine: boolean;
  /** True when some keys were not made columns because of `maxFields`. */
  fieldsCapped: boolean;
}

/**
 * What both collectors share: the records kept within the limits, the columns in order of first
 * appearance, and the counts of what was left out. Bytes are pushed in chunks of any size.
 */
export abstract class RecordCollector {
  readonly records: JsonRecord[] = [];
  invalidLines = 0;
  oversizedLines = 0;
  tornLastLine = false;
  stoppedAt: 'records' | undefined;
  fieldsCapped = false;
  private readonly fieldSet = new Set<string>();
  private readonly fieldList: string[] = [];

  constructor(protected readonly limits: ReadLimits = DEFAULT_READ_LIMITS) {}

  /** Keys seen, in order of first appearance, without `_source`. */
  get fields(): string[] {
    return this.fieldList;
  }

  /** True once no more records are wanted. */
  get full(): boolean {
    return this.stoppedAt !== undefined;
  }

  /** Takes the next bytes; returns false once no more are wanted. */
  abstract push(chunk: Buffer): boolean;

  /**
   * Ends the input. `cut` says the input was cut at a byte limit, so an unfinished last record is
   * just where the limit fell, not a torn write, and is dropped without comment.
   */
  abstract end(cut: boolean): void | Promise<void>;

  protected accept(record: JsonRecord): void {
    if (this.records.length >= this.limits.maxRecords) {
      this.stoppedAt = 'records';
      return;
    }
    this.records.push(record);
    for (const key of Object.keys(record)) {
      if (key === SOURCE_KEY || this.fieldSet.has(key)) continue;
      if (this.fieldList.length >= this.limits.maxFields) {
        this.fieldsCapped = true;
        continue;
      }
      this.fieldSet.add(key);
      this.fieldList.push(key);
    }
  }
}

/**
 * Collects records from the bytes of a JSON Lines file. Splitting happens on bytes, not
 * characters, so a multi-byte character cut between chunks is decoded whole.
 */
export class JsonlCollector extends RecordCollector {
  private parts: Buffer[] = [];
  private partBytes = 0;
  // True while the rest of an over-long line is being discarded.
  private skippingLine = false;

  push(chunk: Buffer): boolean {
    let start = 0;
    while (!this.full) {
      const newline = chunk.indexOf(0x0a, start);
      if (newline < 0) {
        this.buffer(chunk.subarray(start));
        break;
      }
      this.buffer(chunk.subarray(start, newline));
      this.finishLine(false);
      start = newline + 1;
    }
    return !this.full;
  }

  end(cut: boolean): void {
    if (this.full) return;
    if (cut) this.reset();
    else this.finishLine(true);
  }

  private buffer(bytes: Buffer): void {
    if (this.skippingLine || bytes.length === 0) return;
    if (this.partBytes + bytes.length > this.limits.maxLineBytes) {
      this.skippingLine = true;
      this.parts = [];
      this.partBytes = 0;
      return;
    }
    this.parts.push(bytes);
    this.partBytes += bytes.length;
  }

  /** Takes the buffered line; `last` when it is the end of the input, with no newline after it. */
  private finishLine(last: boolean): void {
    if (this.skippingLine) {
      this.oversizedLines++;
      this.reset();
      return;
    }
    const text = Buffer.concat(this.parts).toString('utf8');
    this.reset();
    if (text.trim() === '') return;
    const value = parseObject(text);
    if (value) this.accept(value);
    // A last line without a newline is complete when it parses (a writer that omits the final
    // newline); when it does not, it is a record being written or cut by a crash: ignore it.
    else if (last) this.tornLastLine = true;
    else this.invalidLines++;
  }

  private reset(): void {
    this.parts = [];
    this.partBytes = 0;
    this.skippingLine = false;
  }
}

/** The provenance columns CSV output has instead of a `_source` object (engine/output/provenance.ts). */
const CSV_SOURCE_COLUMNS: Record<string, string> = { _source_url: 'url', _fetched_at: 'fetched_at' };

/** A cell the engine prefixed with `'` so that a spreadsheet would not run it as a formula. */
const NEUTRALIZED_FORMULA = /^'[=+\-@\t\r]/;
/** A number as JavaScript's `String(number)` writes it (what the engine's CSV writer uses). */
const NUMBER_TEXT = /^-?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?$/i;

/**
 * A CSV cell turned back into the value the run wrote, for a column of `type`: CSV keeps only
 * text. An empty cell of a typed column is null (the engine writes null as an empty cell, and
 * coerces blank non-text values to null); a list (a field with `all`) was written as JSON; a
 * cell that does not read as its type stays text, which the summary then shows as a mixed type.
 * A text cell loses its formula guard when the run says it wrote guards (`formulaGuard`, from the
 * manifest); otherwise it is left exactly as written, since a guard cannot be told from a value
 * that starts with an apostrophe.
 */
export function restoreCell(cell: string, type: ColumnType | undefined, formulaGuard = false): unknown {
  if (type === undefined || type === 'string') return formulaGuard && NEUTRALIZED_FORMULA.test(cell) ? cell.slice(1) : cell;
  if (cell === '') return null;
  // Only a formula guard can put an apostrophe before a number, a sign or a boolean.
  const text = NEUTRALIZED_FORMULA.test(cell) ? cell.slice(1) : cell;
  if (text.startsWith('[')) {
    try {
      const list: unknown = JSON.parse(text);
      if (Array.isArray(list)) return list;
    } catch {
      // Not JSON after all: fall through and read it as one value.
    }
  }
  if (type === 'boolean') return text === 'true' ? true : text === 'false' ? false : cell;
  return NUMBER_TEXT.test(text) ? Number(text) : cell;
}

type CsvOutcome = { row: string[] } | { error: CsvError | undefined };

/**
 * Collects records from the bytes of an RFC 4180 CSV file with a header row, parsed by
 * csv-parse (quoted fields with commas, quotes and line breaks; CRLF or LF; a BOM). Each row
 * becomes an object keyed by the header, its cells restored to `types`, and the provenance
 * columns folded into `_source` as JSON Lines has it, so the view treats both formats alike.
 *
 * csv-parse reports each record (or each bad one) synchronously as bytes are written, and the
 * last one only when the input ends. Each outcome is held back until the next arrives, so the
 * last one is known as the last and judged like the last line of JSON Lines: a row that did not
 * end with a line break is kept when it parsed and the input was not cut at the byte limit, and
 * a row left open (an unclosed quote, a short row) is a torn write rather than a bad row.
 */
export class CsvCollector extends RecordCollector {
  private readonly parser: CsvParser;
  private header: string[] | undefined;
  private held: CsvOutcome | undefined;
  private lastByte = -1;

  constructor(
    limits: ReadLimits = DEFAULT_READ_LIMITS,
    private readonly types?: ColumnTypes,
    private readonly formulaGuard = false,
  ) {
    super(limits);
    this.parser = parseCsv({
      bom: true,
      skip_empty_lines: true,
      // A stray quote inside an unquoted cell (a hand-edited file) is kept as text.
      relax_quotes: true,
      // Report bad rows and go on, rather than fail the whole file. (csv-parse's max_record_size
      // would stop parsing at the first long row even with this, so length is checked per row.)
      skip_records_with_error: true,
      on_skip: (error) => {
        this.take({ error });
        return undefined;
      },
      // Rows are taken here and never queued in the stream.
      on_record: (row: string[]) => {
        this.take({ row });
        return undefined;
      },
    });
  }

  push(chunk: Buffer): boolean {
    if (this.full || chunk.length === 0) return !this.full;
    this.lastByte = chunk[chunk.length - 1]!;
    this.parser.write(chunk);
    return !this.full;
  }

  async end(cut: boolean): Promise<void> {
    const done = finished(this.parser.resume());
    this.parser.end();
    await done;
    const last = this.held;
    this.held = undefined;
    if (this.full || !last) return;
    const lineEnded = this.lastByte === 0x0a || this.lastByte === 0x0d;
    if ('row' in last) {
      if (lineEnded || !cut) this.commit(last);
    } else if (cut) {
      // Where the byte limit fell: nothing to report.
    } else if (!lineEnded || last.error?.code === 'CSV_QUOTE_NOT_CLOSED') this.tornLastLine = true;
    else this.invalidLines++;
  }

  private take(outcome: CsvOutcome): void {
    const previous = this.held;
    this.held = outcome;
    if (previous && !this.full) this.commit(previous);
  }

  private commit(outcome: CsvOutcome): void {
    if ('error' in outcome) {
      this.invalidLines++;
      return;
    }
    const row = outcome.row;
    if (!this.header) {
      this.header = row;
      return;
    }
    let chars = 0;
    for (const cell of row) chars += cell.length;
    if (chars > this.limits.maxLineBytes) {
      this.oversizedLines++;
      return;
    }
    this.accept(this.toRecord(this.header, row));
  }

  private toRecord(header: string[], row: string[]): JsonRecord {
    const record: JsonRecord = {};
    let source: Record<string, string> | undefined;
    header.forEach((name, i) => {
      const cell = row[i] ?? '';
      const sourceKey = CSV_SOURCE_COLUMNS[name];
      if (sourceKey !== undefined) (source ??= {})[sourceKey] = cell;
      else record[name] = restoreCell(cell, this.types?.[name], this.formulaGuard);
    });
    if (source) record[SOURCE_KEY] = source;
    return record;
  }
}

/**
 * The file to read for a run's `records` file. A Parquet run builds records.parquet from the
 * JSON Lines it appends to, which stays beside it with the same records: that is read instead,
 * with a note saying so.
 */
export function recordsFileToRead(recordsFile: string): { file: string; note?: string } {
  const working = join(dirname(recordsFile), 'records.jsonl');
  if (!recordsFile.endsWith('.parquet') || !existsSync(working)) return { file: recordsFile };
  return { file: working, note: `Read from ${basename(working)}, the JSON Lines this run built ${basename(recordsFile)} from (the same records).` };
}

/** The format of a records file by its name; undefined for one the view cannot read. */
export function recordsFormatOf(path: string): RecordsFormat | undefined {
  if (/\.(jsonl|ndjson)$/i.test(path)) return 'jsonl';
  if (/\.csv$/i.test(path)) return 'csv';
  return undefined;
}

// A Croissant file larger than this is not one a run wrote.
const MAX_CROISSANT_BYTES = 8 * 1024 * 1024;

/** Croissant `dataType`s (schema.org terms, engine/output/croissant.ts) and what a cell becomes. */
const CROISSANT_TYPES: Record<string, ColumnType> = { Float: 'number', Integer: 'integer', Boolean: 'boolean', Text: 'string', Date: 'string', URL: 'string' };

/**
 * The column types a run's `croissant.json` declares for its records: the `dataType` of each
 * field of the record set. Undefined when the file is missing (a run still going, or one that
 * stopped before the end) or is not a Croissant description.
 */
export async function readColumnTypes(croissantPath: string): Promise<ColumnTypes | undefined> {
  try {
    const info = await stat(croissantPath);
    if (!info.isFile() || info.size > MAX_CROISSANT_BYTES) return undefined;
    const doc = JSON.parse(await readFile(croissantPath, 'utf8')) as { recordSet?: unknown };
    const sets = Array.isArray(doc.recordSet) ? (doc.recordSet as Record<string, unknown>[]) : [];
    const set = sets.find((r) => r?.['@id'] === 'records') ?? sets[0];
    if (!set || !Array.isArray(set.field)) return undefined;
    const types: ColumnTypes = {};
    for (const field of set.field as Record<string, unknown>[]) {
      const name = field?.name;
      const dataType = field?.dataType;
      if (typeof name !== 'string' || typeof dataType !== 'string') continue;
      // `sc:Float`, `schema:Float` or the full `https://schema.org/Float`.
      const type = CROISSANT_TYPES[dataType.slice(Math.max(dataType.lastIndexOf(':'), dataType.lastIndexOf('/')) + 1)];
      if (type) types[name] = type;
    }
    return types;
  } catch {
    // Unreadable or half-written: the records are shown untyped, and the view says so.
    return undefined;
  }
}

/** Parses one line; the object, or undefined for anything else (arrays, scalars, bad JSON). */
function parseObject(text: string): JsonRecord | undefined {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as JsonRecord) : undefined;
  } catch {
    // A line that is not JSON is counted by the caller and shown as a note, never thrown.
    return undefined;
  }
}

/** How to read a records file. */
export interface ReadOptions {
  /** Default: from the file name (`.csv` is CSV, anything else JSON Lines). */
  format?: RecordsFormat;
  /** CSV: the types to restore cells to (see {@link readColumnTypes}). */
  columnTypes?: ColumnTypes;
  /** CSV: the run wrote formula guards, which text cells then lose (see {@link restoreCell}). */
  formulaGuard?: boolean;
}

/**
 * Reads a JSON Lines or CSV records file, streaming, within `limits`: at most `maxBytes` from the
 * start and `maxRecords` records. Rejects only when the file cannot be opened.
 */
export async function readRecordsFile(path: string, limits: ReadLimits = DEFAULT_READ_LIMITS, options: ReadOptions = {}): Promise<RecordsLoad> {
  const { size } = await stat(path);
  const format = options.format ?? recordsFormatOf(path) ?? 'jsonl';
  const collector: RecordCollector = format === 'csv' ? new CsvCollector(limits, options.columnTypes, options.formulaGuard) : new JsonlCollector(limits);
  const cut = size > limits.maxBytes;
  let bytesRead = 0;
  const stream = createReadStream(path, { start: 0, end: Math.max(0, Math.min(size, limits.maxBytes) - 1), highWaterMark: 256 * 1024 });
  try {
    if (Math.min(size, limits.maxBytes) > 0) {
      for await (const chunk of stream) {
        const bytes = chunk as Buffer;
        bytesRead += bytes.length;
        if (!collector.push(bytes)) break;
      }
    }
  } finally {
    stream.destroy();
  }
  await collector.end(cut);
  return {
    format,
    ...(format === 'csv' && options.columnTypes === undefined ? { untyped: true } : {}),
    records: collector.records,
    fields: collector.fields,
    bytesRead,
    fileBytes: size,
    truncated: collector.stoppedAt ?? (cut ? 'bytes' : undefined),
    invalidLines: collector.invalidLines,
    oversizedLines: collector.oversizedLines,
    tornLastLine: collector.tornLastLine,
    fieldsCapped: collector.fieldsCapped,
  };
}

/** The sentences the view shows about a load: what was left out and why. */
export function loadNotes(load: RecordsLoad, limits: ReadLimits = DEFAULT_READ_LIMITS): string[] {
  const notes: string[] = [];
  if (load.truncated === 'records') notes.push(`Showing the first ${load.records.length.toLocaleString('en-US')} records only; the file holds more.`);
  if (load.truncated === 'bytes') {
    notes.push(`Read the first ${formatBytes(limits.maxBytes)} of ${formatBytes(load.fileBytes)}: showing the ${load.records.length.toLocaleString('en-US')} records in that part.`);
  }
  const csv = load.format === 'csv';
  const unit = csv ? 'row' : 'line';
  if (load.invalidLines > 0) notes.push(`${plural(load.invalidLines, unit)} skipped: ${csv ? 'not a CSV row with one cell per column' : 'not a JSON object'}.`);
  if (load.oversizedLines > 0) notes.push(`${plural(load.oversizedLines, unit)} skipped: longer than ${formatBytes(limits.maxLineBytes)}.`);
  if (load.tornLastLine) notes.push(`The last ${unit} is incomplete (a run still writing, or one that stopped mid-write) and is not shown.`);
  if (load.untyped) notes.push('The run has no croissant.json (yet) saying what type each column is, so every value is shown as the text of its cell.');
  if (load.fieldsCapped) notes.push(`Only the first ${limits.maxFields} fields are shown as columns.`);
  return notes;
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** Bytes as a short human string (binary units). */
export function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(bytes % (1024 * 1024) === 0 ? 0 : 1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

/** The JSON type of `record[field]`. */
export function typeOf(record: JsonRecord, field: string): ValueType {
  if (!Object.prototype.hasOwnProperty.call(record, field)) return 'missing';
  const value = record[field];
  if (value === null || value === undefined) return 'null';
  if (Array.isArray(value)) return 'array';
  const t = typeof value;
  return t === 'string' || t === 'number' || t === 'boolean' ? t : 'object';
}

/** A value as text: strings as written, everything else as JSON; `''` for a missing key. */
export function valueText(record: JsonRecord, field: string): string {
  const type = typeOf(record, field);
  if (type === 'missing') return '';
  const value = record[field];
  if (type === 'string') return value as string;
  if (type === 'null') return 'null';
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    // JSON.parse output cannot be cyclic, but pushed records may be; show something rather than fail.
    return String(value);
  }
}

/** Shortens `text` to `max` characters, marking the cut. */
export function shorten(text: string, max: number = MAX_CELL_CHARS): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

/** The table cell for `record[field]`. */
export function cellOf(record: JsonRecord, field: string): RecordCell {
  return { text: shorten(valueText(record, field)), type: typeOf(record, field) };
}

/**
 * The URL a link may open: an absolute http(s) URL without credentials, normalised; undefined for
 * anything else (`javascript:`, `file:`, `command:`, relative or malformed URLs, `user:pass@`).
 */
export function safeHttpUrl(value: unknown): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URL_CHARS) return undefined;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    // Not an absolute URL: nothing to open.
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // Credentials in a link are a classic disguise (`https://bank.example@evil.example/`).
  if (url.username !== '' || url.password !== '') return undefined;
  return url.href;
}

/** The record's `_source.url` when it is safe to open, else undefined. */
export function sourceUrlOf(record: JsonRecord): string | undefined {
  const source = record[SOURCE_KEY];
  if (typeof source !== 'object' || source === null || Array.isArray(source)) return undefined;
  return safeHttpUrl((source as Record<string, unknown>).url);
}

/** Splits a query into lower-case terms; a record matches when it contains every term. */
export function queryTerms(query: string): string[] {
  return query.toLowerCase().split(/\s+/).filter((t) => t.length > 0);
}

/** The lower-cased text a record is searched in: every field's value and its source URL. */
export function searchTextOf(record: JsonRecord, fields: readonly string[]): string {
  const parts = fields.map((f) => valueText(record, f));
  const source = record[SOURCE_KEY];
  if (typeof source === 'object' && source !== null && typeof (source as Record<string, unknown>).url === 'string') {
    parts.push((source as Record<string, unknown>).url as string);
  }
  return parts.join('\n').toLowerCase();
}

/** The per-field summary of `records`: non-null and null counts, types seen, distinct values up to `cap`. */
export function summarizeFields(records: readonly JsonRecord[], fields: readonly string[], cap: number = DISTINCT_CAP): FieldSummary[] {
  return fields.map((name) => {
    const types: Partial<Record<ValueType, number>> = {};
    const distinct = new Set<string>();
    let capped = false;
    let nonNull = 0;
    for (const record of records) {
      const type = typeOf(record, name);
      types[type] = (types[type] ?? 0) + 1;
      if (type === 'null' || type === 'missing') continue;
      nonNull++;
      if (capped) continue;
      // The type prefix keeps the string "1" and the number 1 apart.
      distinct.add(`${type}:${valueText(record, name)}`);
      if (distinct.size >= cap) capped = true;
    }
    return { name, nonNull, nulls: records.length - nonNull, types, distinct: distinct.size, distinctCapped: capped };
  });
}

/** The class balance of `field` over `records`: the largest `maxClasses` classes, the rest summed. */
export function labelDistribution(records: readonly JsonRecord[], field: string, maxClasses: number = MAX_LABEL_CLASSES): LabelDistribution {
  const counts = new Map<string, number>();
  let missing = 0;
  for (const record of records) {
    const type = typeOf(record, field);
    if (type === 'null' || type === 'missing') {
      missing++;
      continue;
    }
    const value = valueText(record, field);
    counts.set(value, (counts.get(value) ?? 0) + 1);
  }
  // Biggest first; ties in a stable, readable order.
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  const listed = sorted.slice(0, maxClasses);
  const rest = sorted.slice(maxClasses);
  return {
    field,
    classes: listed.map(([value, count]) => ({ value: shorten(value, 200), count })),
    otherCount: rest.reduce((sum, [, count]) => sum + count, 0),
    otherClasses: rest.length,
    missing,
    total: records.length,
  };
}

// Names that usually hold a class label, most likely first.
const LABEL_NAMES = ['label', 'labels', 'class', 'target', 'sentiment', 'category', 'rating', 'stars', 'tag', 'genre', 'language'];

/**
 * The field most likely to be a class label, to pre-select in the picker: a field with 2 to 50
 * distinct scalar values, each used twice on average, present in at least half the records, preferring label-like names, then
 * fewer classes. Undefined when no field qualifies.
 */
export function suggestLabelField(summaries: readonly FieldSummary[], recordCount: number): string | undefined {
  const candidates = summaries.filter((s) => {
    if (s.distinctCapped || s.distinct < 2 || s.distinct > 50) return false;
    if (s.nonNull * 2 < recordCount) return false;
    // A label repeats: a field whose values are mostly unique (ids, titles) is not a class.
    if (s.distinct * 2 > s.nonNull) return false;
    return (s.types.object ?? 0) === 0 && (s.types.array ?? 0) === 0;
  });
  const rank = (name: string): number => {
    const i = LABEL_NAMES.indexOf(name.toLowerCase());
    return i < 0 ? LABEL_NAMES.length : i;
  };
  candidates.sort((a, b) => rank(a.name) - rank(b.name) || a.distinct - b.distinct || a.name.localeCompare(b.name));
  return candidates[0]?.name;
}

/**
 * Loaded records with what the view asks of them: pages of a search, the summary, a label's
 * distribution. Search texts are built once, on the first search, and the last search's matches
 * are kept so paging through them costs nothing.
 */
export class RecordsIndex {
  private searchTexts: string[] | undefined;
  private lastQuery: { key: string; matches: number[] } | undefined;
  private sourceUrls: Set<string> | undefined;

  constructor(
    readonly records: readonly JsonRecord[],
    readonly fields: readonly string[],
  ) {}

  /** Indices of the records matching `query` (all records for an empty query). */
  search(query: string): number[] {
    const terms = queryTerms(query);
    const key = terms.join(' ');
    if (this.lastQuery?.key === key) return this.lastQuery.matches;
    let matches: number[];
    if (terms.length === 0) {
      matches = this.records.map((_, i) => i);
    } else {
      this.searchTexts ??= this.records.map((r) => searchTextOf(r, this.fields));
      const texts = this.searchTexts;
      matches = [];
      for (let i = 0; i < texts.length; i++) {
        if (terms.every((t) => texts[i].includes(t))) matches.push(i);
      }
    }
    this.lastQuery = { key, matches };
    return matches;
  }

  /** One page of the records matching `query`; a page past the end gives the last page. */
  page(query: string, page: number, seq = 0, pageSize: number = PAGE_SIZE): RecordsPage {
    const matches = this.search(query);
    const pageCount = Math.max(1, Math.ceil(matches.length / pageSize));
    const current = Math.min(Math.max(0, Math.floor(page)), pageCount - 1);
    const rows: RecordRow[] = matches.slice(current * pageSize, (current + 1) * pageSize).map((index) => {
      const record = this.records[index];
      const url = sourceUrlOf(record);
      return { index, cells: this.fields.map((f) => cellOf(record, f)), ...(url ? { url } : {}) };
    });
    return { seq, query, page: current, pageCount, pageSize, matching: matches.length, rows };
  }

  /** True when `url` is the (safe) source URL of some loaded record: the only URLs the view opens. */
  hasSourceUrl(url: string): boolean {
    if (!this.sourceUrls) {
      this.sourceUrls = new Set();
      for (const record of this.records) {
        const u = sourceUrlOf(record);
        if (u) this.sourceUrls.add(u);
      }
    }
    return this.sourceUrls.has(url);
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isPageNumber(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 0 && value <= 10_000_000;
}

function isShortString(value: unknown, max: number): value is string {
  return typeof value === 'string' && value.length <= max;
}

function parseSavedState(value: unknown): RecordsSavedState | undefined {
  if (!isObject(value)) return undefined;
  const { key, query, page, labelField } = value;
  if (!isShortString(key, 4096) || !isShortString(query, MAX_QUERY_CHARS) || !isPageNumber(page)) return undefined;
  if (labelField !== undefined && !isShortString(labelField, 1000)) return undefined;
  return { key, query, page, ...(labelField !== undefined ? { labelField } : {}) };
}

/**
 * Checks a message from the webview against the allowlist of message shapes and bounds; returns
 * it rebuilt from the checked fields only, or undefined when it is not one the host accepts.
 */
export function parseRecordsViewMessage(raw: unknown): RecordsWebviewMessage | undefined {
  if (!isObject(raw) || typeof raw.type !== 'string') return undefined;
  switch (raw.type) {
    case 'ready': {
      // A saved state that does not check out is dropped; the view then starts afresh.
      const restore = raw.restore === undefined ? undefined : parseSavedState(raw.restore);
      return restore ? { type: 'ready', restore } : { type: 'ready' };
    }
    case 'query':
      if (!isPageNumber(raw.page) || !isShortString(raw.query, MAX_QUERY_CHARS)) return undefined;
      if (typeof raw.seq !== 'number' || !Number.isSafeInteger(raw.seq) || raw.seq < 0) return undefined;
      return { type: 'query', seq: raw.seq, query: raw.query, page: raw.page };
    case 'labelField':
      return isShortString(raw.field, 1000) ? { type: 'labelField', field: raw.field } : undefined;
    case 'openUrl':
      return isShortString(raw.url, MAX_URL_CHARS) ? { type: 'openUrl', url: raw.url } : undefined;
    default:
      return undefined;
  }
}
