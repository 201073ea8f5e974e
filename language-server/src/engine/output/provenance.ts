/**
 * Per-record provenance: where and when a record came from, and under which spec. Stored as the
 * record's `_source` property in JSONL, as `_source_url` / `_fetched_at` columns in CSV, and as
 * one column per property in Parquet (CSV's two names first, so a script reads either file alike).
 */
import { createHash } from 'node:crypto';
import type { FieldType } from '../spec/model';

/** Where one record came from. */
export interface RecordSource {
  url: string;
  /** ISO 8601 time the response arrived. */
  fetched_at: string;
  status: number;
  etag?: string;
  last_modified?: string;
  /** SHA-256 (hex) of the response body the record was extracted from. */
  content_sha256: string;
  /** SHA-256 (hex) of the spec text that extracted it. */
  spec_sha256: string;
  source_id: string;
}

/** Hex SHA-256 of a string (UTF-8) or bytes. */
export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The provenance columns CSV output adds when provenance is on. */
export const CSV_PROVENANCE_COLUMNS = ['_source_url', '_fetched_at'] as const;

/**
 * The provenance columns Parquet output flattens `_source` into: the column, the property it
 * comes from, and the field type it is written as. Parquet stores a repeated value once per page
 * (dictionary encoding), so unlike CSV it keeps every property at next to no cost.
 */
export const PARQUET_PROVENANCE_COLUMNS: readonly { column: string; key: keyof RecordSource; type: FieldType }[] = [
  { column: '_source_url', key: 'url', type: 'url' },
  { column: '_fetched_at', key: 'fetched_at', type: 'date' },
  { column: '_source_status', key: 'status', type: 'integer' },
  { column: '_source_etag', key: 'etag', type: 'string' },
  { column: '_source_last_modified', key: 'last_modified', type: 'string' },
  { column: '_source_content_sha256', key: 'content_sha256', type: 'string' },
  { column: '_source_spec_sha256', key: 'spec_sha256', type: 'string' },
  { column: '_source_id', key: 'source_id', type: 'string' },
];
