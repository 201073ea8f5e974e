/**
 * The wire format of a run: what `gleaner run … --json` prints, one JSON object per line, and
 * what the extension reads. Type-only, and in the protocol room so that both sides share it: the
 * CLI checks at compile time that the engine's events are assignable to these types, and the
 * extension's reader returns them, so changing an event is a compile error on both sides.
 *
 * The engine's own types (`engine/crawl/events.ts`) stay the engine's: the protocol may not import
 * the engine. Optional engine fields that `JSON.stringify` drops when undefined are optional here.
 */

/** How a run ended (or that it is still running, in a checkpoint). */
export type RunStatus = 'running' | 'completed' | 'stopped' | 'failed';

/** The run's counters, as in the manifest. */
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

/** The run started (or resumed). */
export interface StartEvent {
  type: 'start';
  runId: string;
  runDir: string;
  spec: string;
  sources: string[];
  resumed: boolean;
  /** Pages waiting in the frontier when the run (re)started. */
  pending: number;
}

/** One page or API response was fetched and processed. */
export interface PageEvent {
  type: 'page';
  sourceId: string;
  url: string;
  status: number;
  notModified: boolean;
  records: number;
  failed: number;
  duplicates: number;
  bytes: number;
  ms: number;
}

/** Records were committed (written, fsynced and checkpointed). */
export interface RecordBatchEvent {
  type: 'record-batch';
  sourceId: string;
  url: string;
  count: number;
  failed: number;
  /** Records committed in the whole run so far. */
  total: number;
}

/** A URL was not fetched or not used, and why. */
export interface SkipEvent {
  type: 'skip';
  url: string;
  reason: string;
  sourceId?: string;
  detail?: string;
}

/** A request is being retried. */
export interface RetryEvent {
  type: 'retry';
  url: string;
  attempt: number;
  reason: string;
}

/** Something the user should know that did not stop the run. */
export interface WarningEvent {
  type: 'warning';
  message: string;
  url?: string;
  sourceId?: string;
  /** Set when the warning is about one place in the spec, e.g. `sources[1].records.fields.price.selector`. */
  specPath?: string;
  /** `field-unmatched` or `follow-no-links` for the run's diagnostics; absent otherwise. */
  code?: string;
  /** With `field-unmatched`: the field and its counts. */
  field?: string;
  pages?: number;
  unmatched?: number;
}

/** How one field fared over a run. */
export interface FieldStat {
  sourceId: string;
  field: string;
  /** Pages (or API responses) that yielded at least one record candidate. */
  pages: number;
  /** Of those, pages where the field matched in no record. */
  unmatched: number;
  records: number;
  matched: number;
  specPath: string;
}

/** Per source and field, how often the field matched nothing; sent once, before `done`. */
export interface FieldStatsEvent {
  type: 'field-stats';
  stats: FieldStat[];
}

/** Running totals, sent after every page. */
export interface ProgressEvent {
  type: 'progress';
  pages: number;
  records: number;
  failed: number;
  skipped: number;
  errors: number;
  retries: number;
  /** Pages per second since this session started. */
  rate: number;
  /** Pages still queued. */
  pending: number;
  etaMs?: number;
}

/** What a finished (or stopped) run produced. */
export interface RunSummary {
  runId: string;
  runDir: string;
  status: RunStatus;
  reason?: string;
  counts: RunCounts;
  fieldStats?: FieldStat[];
  durationMs: number;
  files: {
    records: string;
    failed: string;
    manifest: string;
    datasheet: string;
    croissant: string;
    checkpoint: string;
  };
}

/** The run ended. */
export interface DoneEvent {
  type: 'done';
  status: RunStatus;
  reason?: string;
  summary: RunSummary;
}

/** Every event a run prints. */
export type RunEvent = StartEvent | PageEvent | RecordBatchEvent | SkipEvent | RetryEvent | WarningEvent | FieldStatsEvent | ProgressEvent | DoneEvent;
