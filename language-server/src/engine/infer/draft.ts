/**
 * The intermediate result of inference, between reading a response and writing the YAML: what
 * the JSON and HTML inferrers produce and what yaml-writer.ts renders.
 */
import type { FieldType } from '../spec/model';

/** One proposed record field. */
export interface DraftField {
  name: string;
  /** CSS selector relative to the record (scrape) or JSONPath relative to it (api). */
  locator: string;
  /** Up to five values as the spec would extract them from the first records. */
  sample: string[];
  type: FieldType;
  /** Scrape: the attribute read instead of the text. */
  attribute?: string;
  regex?: string;
  all?: boolean;
  /** A short explanation written next to the field in the YAML. */
  comment?: string;
}

/** A proposed `pagination` mapping for an API source, with why it was chosen. */
export interface DraftPagination {
  /** The mapping as written in the spec (snake_case keys). */
  value: Record<string, unknown>;
  comment: string;
  /** Query parameters removed from the request URL because pagination sets them. */
  removeParams: string[];
}

/** What the JSON inferrer proposes. */
export interface ApiDraft {
  kind: 'api';
  requestUrl: string;
  recordPath: string;
  recordCount: number;
  fields: DraftField[];
  pagination: DraftPagination;
  confidence: number;
  notes: string[];
}

/** What the HTML inferrer proposes. */
export interface ScrapeDraft {
  kind: 'scrape';
  startUrl: string;
  /** Absent: the page is one record. */
  recordSelector?: string;
  recordCount: number;
  fields: DraftField[];
  follow?: { selector: string; comment: string };
  hasCanonical: boolean;
  title?: string;
  confidence: number;
  notes: string[];
}

/** Either draft. */
export type Draft = ApiDraft | ScrapeDraft;

const ISO_DATE = /^\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$/;
const HTTP_URL = /^https?:\/\/[^\s]+$/i;

/** Guesses a field type from sample JSON values (nulls ignored); `string` when mixed or empty. */
export function guessType(values: readonly unknown[]): FieldType {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return 'string';
  if (present.every((v) => typeof v === 'boolean')) return 'boolean';
  if (present.every((v) => typeof v === 'number' && Number.isFinite(v))) {
    return present.every((v) => Number.isInteger(v)) ? 'integer' : 'number';
  }
  if (present.every((v) => typeof v === 'string')) {
    const strings = present as string[];
    if (strings.every((s) => HTTP_URL.test(s))) return 'url';
    if (strings.every((s) => ISO_DATE.test(s) && !Number.isNaN(Date.parse(s)))) return 'date';
  }
  return 'string';
}
