/**
 * The messages between the extension host and the Records webview view, declared once and
 * imported (as types only) by both sides: `extension/src/records-view.ts` (with the pure helpers
 * in `extension/src/records-data.ts`) and `media/src/records.ts`. Each side handles the other's
 * union with an exhaustive `switch`; the host also validates every incoming message at run time
 * (`parseRecordsViewMessage`), because a type says nothing about what actually arrives.
 *
 * Type-only on purpose: the webview bundle must not pull host code in, and the host must not pull
 * DOM code in. Every string in here may come from scraped data, so the webview renders all of it
 * with `textContent`.
 */

/** The JSON type of one value, as the per-field summary counts them. `missing`: no such key. */
export type ValueType = 'string' | 'number' | 'boolean' | 'null' | 'object' | 'array' | 'missing';

/** What one column of the summary says about a field. */
export interface FieldSummary {
  name: string;
  /** Records where the field is present and not null. */
  nonNull: number;
  /** Records where the field is null or missing. */
  nulls: number;
  /** How many records held each type (only types seen). */
  types: Partial<Record<ValueType, number>>;
  /** Distinct non-null values, counted up to the cap. */
  distinct: number;
  /** True when counting stopped at the cap: the view then says "≥ distinct". */
  distinctCapped: boolean;
}

/** One class of the label distribution. */
export interface LabelClass {
  /** The value as shown (strings as written, other values as JSON). */
  value: string;
  count: number;
}

/** The class balance of one field. */
export interface LabelDistribution {
  field: string;
  /** The largest classes, biggest first. */
  classes: LabelClass[];
  /** Records in classes beyond the ones listed. */
  otherCount: number;
  /** How many classes were not listed. */
  otherClasses: number;
  /** Records where the field is null or missing. */
  missing: number;
  /** All records counted. */
  total: number;
}

/** One table cell: the value as display text (shortened) and its type. */
export interface RecordCell {
  text: string;
  type: ValueType;
}

/** One row of the table. */
export interface RecordRow {
  /** The record's position in the loaded records, from 0. */
  index: number;
  cells: RecordCell[];
  /** `_source.url` when it is an http(s) URL; the only thing the row links to. */
  url?: string;
}

/** One page of (searched) records. */
export interface RecordsPage {
  /** Echo of the request's sequence number, so the webview can drop stale answers. */
  seq: number;
  query: string;
  /** From 0. */
  page: number;
  pageCount: number;
  pageSize: number;
  /** Records matching the query (all loaded records when the query is empty). */
  matching: number;
  rows: RecordRow[];
}

/** What is shown: one run's records, or records someone pushed (a preview). */
export interface RecordsSourceInfo {
  /** Identifies the source across reloads of the webview (a run directory, a preview id). */
  key: string;
  title: string;
  /** Where the records came from, as a line of text (a file path, "preview"). */
  origin: string;
  /** Records loaded and searchable. */
  loaded: number;
  /** Columns, in order of first appearance; `_source` is not a column. */
  fields: string[];
  summaries: FieldSummary[];
  /** Sentences for the user: a truncated read, skipped lines, a torn last line. */
  notes: string[];
  /** The label field the host suggests before the user picks one. */
  suggestedLabel?: string;
}

/** Host → webview. */
export type RecordsHostMessage =
  | { type: 'source'; source: RecordsSourceInfo }
  | { type: 'page'; page: RecordsPage }
  | { type: 'distribution'; distribution: LabelDistribution | undefined }
  | { type: 'empty'; message: string }
  | { type: 'loading'; title: string };

/** Webview → host. The webview sends `ready` before the host sends anything. */
export type RecordsWebviewMessage =
  | { type: 'ready'; restore?: RecordsSavedState }
  | { type: 'query'; seq: number; query: string; page: number }
  | { type: 'labelField'; field: string }
  | { type: 'openUrl'; url: string };

/** What the webview keeps with `setState`, and hands back in `ready` after it is recreated. */
export interface RecordsSavedState {
  key: string;
  query: string;
  page: number;
  labelField?: string;
}
