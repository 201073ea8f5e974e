/**
 * What a run reports while it runs and when it ends. Events are plain JSON (the CLI's `--json`
 * prints one per line; the editor shows them as progress), discriminated by `type`.
 */
import type { RunCounts, RunStatus } from '../output/index';
import type { FieldStat } from './field-stats';

export type { FieldStat } from './field-stats';

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

/** Records were committed (written, fsynced and checkpointed): a crash now cannot lose them. */
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
  /** Set when the warning is about one place in the spec (the editor puts it there). */
  specPath?: string;
  /** What kind of finding: `field-unmatched` or `follow-no-links` for the run's diagnostics. */
  code?: string;
  /** The field a `field-unmatched` warning is about, with its counts. */
  field?: string;
  pages?: number;
  unmatched?: number;
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

/** The run ended. */
export interface DoneEvent {
  type: 'done';
  status: RunStatus;
  reason?: string;
  summary: RunSummary;
}

/** Every event a run emits. */
export type RunEvent = StartEvent | PageEvent | RecordBatchEvent | SkipEvent | RetryEvent | WarningEvent | FieldStatsEvent | ProgressEvent | DoneEvent;

/** What a finished (or stopped) run produced. */
export interface RunSummary {
  runId: string;
  runDir: string;
  status: RunStatus;
  /** Why the run stopped or failed. */
  reason?: string;
  counts: RunCounts;
  /** Per source and field: pages where the field matched nothing (this session's pages). */
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
