/**
 * Per-record provenance: where and when a record came from, and under which spec. Stored as the
 * record's `_source` property in JSONL, and as `_source_url` / `_fetched_at` columns in CSV.
 */
import { createHash } from 'node:crypto';

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
