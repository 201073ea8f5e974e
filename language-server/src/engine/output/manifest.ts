/**
 * `manifest.json`: what a run fetched, skipped and why, under which spec, user agent and licence,
 * and the files it produced with their hashes. Written (redacted) at the start with status
 * `running` and replaced at the end.
 */
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write';
import type { Redactor } from './redact';
import type { RunStatus } from './run-output';

/** One URL the run did not fetch or could not use, and why. */
export interface SkipEntry {
  url: string;
  /** Stable reason code, e.g. `robots`, `out-of-scope`, `budget-pages`, `http-404`. */
  reason: string;
  source_id?: string;
  detail?: string;
}

/** The robots.txt verdict for one origin as the run saw it. */
export interface RobotsEntry {
  origin: string;
  robots_url: string;
  /** `allowed` when every URL checked was allowed, `blocked` when none was, else `partial`. */
  verdict: 'allowed' | 'blocked' | 'partial' | 'ignored';
  /** Why (e.g. `rules`, `4xx-allow-all`, `unreachable-disallow-all`). */
  basis: string;
  crawl_delay_ms?: number;
  content_signal?: string;
  allowed_urls: number;
  blocked_urls: number;
  /** The robots.txt lines that blocked something, e.g. `Disallow: /cart (line 4)`. */
  blocking_rules: string[];
}

/** The media type the manifest and Croissant give a Parquet file (the one Croissant's own tools write). */
export const PARQUET_MEDIA_TYPE = 'application/x-parquet';

/** A file the run produced. */
export interface OutputFileEntry {
  path: string;
  /** `working-records`: the JSON Lines file a Parquet run appends to and builds `records.parquet` from. */
  role: 'records' | 'working-records' | 'failed' | 'datasheet' | 'croissant' | 'checkpoint' | 'log';
  bytes: number;
  sha256: string;
  encoding_format: string;
  /**
   * CSV records only: whether cells that a spreadsheet would run as a formula were written with a
   * leading apostrophe (`output.neutralize_formulas`), so that a reader can take the guard off.
   */
  formula_guard?: boolean;
}

/** Counters of a run. */
export interface RunCounts {
  pages_fetched: number;
  not_modified: number;
  records: number;
  failed: number;
  duplicates: Record<string, number>;
  skipped: Record<string, number>;
  retries: number;
  errors: number;
  bytes: number;
  requests: number;
}

/** The manifest of one run. */
export interface RunManifest {
  manifest_version: 1;
  run_id: string;
  generator: string;
  spec: { name: string; description: string; path: string; sha256: string; owner?: string };
  user_agent: string;
  licence: { spdx?: string; intended_use: string[]; attribution?: string; terms_url?: string };
  sources: { id: string; kind: 'scrape' | 'api'; urls: string[] }[];
  status: RunStatus;
  /** Why a run stopped or failed. */
  status_reason?: string;
  started_at: string;
  ended_at?: string;
  /** How many times the run was resumed. */
  resumes: number;
  counts: RunCounts;
  skips: SkipEntry[];
  robots: RobotsEntry[];
  timings: {
    duration_ms: number;
    fetch_ms_total: number;
    pages_per_second: number;
    /** Checkpoints written this session and the time they took (fsyncs included). */
    checkpoints: number;
    checkpoint_ms_total: number;
  };
  /** The conditional-request cache this run read and wrote. */
  http_cache?: { path: string; hits_304: number };
  /**
   * How each record field fared over the whole run (resumes included): pages that yielded
   * records, those where the field matched in no record, and records with a value for it.
   */
  field_stats?: ManifestFieldStat[];
  files: OutputFileEntry[];
}

/** One field's coverage over a run (see RunManifest.field_stats). */
export interface ManifestFieldStat {
  source: string;
  field: string;
  pages: number;
  pages_unmatched: number;
  records: number;
  records_with_value: number;
  /** Where the field's selector or JSONPath is in the spec. */
  spec_path: string;
}

/** An empty set of counters. */
export function emptyCounts(): RunCounts {
  return { pages_fetched: 0, not_modified: 0, records: 0, failed: 0, duplicates: {}, skipped: {}, retries: 0, errors: 0, bytes: 0, requests: 0 };
}

/** Hashes a file by streaming it; returns its size and hex SHA-256. */
export async function hashFile(path: string): Promise<{ bytes: number; sha256: string }> {
  const hash = createHash('sha256');
  let bytes = 0;
  for await (const chunk of createReadStream(path)) {
    const buf = chunk as Buffer;
    bytes += buf.length;
    hash.update(buf);
  }
  return { bytes, sha256: hash.digest('hex') };
}

/** Describes the files in `runDir` named in `files` (missing ones are left out). */
export async function describeFiles(
  runDir: string,
  files: Omit<OutputFileEntry, 'bytes' | 'sha256'>[],
): Promise<OutputFileEntry[]> {
  const out: OutputFileEntry[] = [];
  for (const f of files) {
    const full = join(runDir, f.path);
    const exists = await fs.stat(full).then(() => true, () => false);
    if (!exists) continue;
    const { bytes, sha256 } = await hashFile(full);
    out.push({ ...f, bytes, sha256 });
  }
  return out;
}

/** Writes the manifest atomically, redacted. */
export async function writeManifest(runDir: string, manifest: RunManifest, redactor: Redactor, fileName = 'manifest.json'): Promise<void> {
  await writeFileAtomic(join(runDir, fileName), `${JSON.stringify(redactor.redactDeep(manifest), null, 2)}\n`);
}
