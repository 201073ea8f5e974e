/**
 * The wire format of a run: what `gleaner run … --json` prints, one JSON object per line, and
 * what the extension reads. The engine declares these events (`engine/crawl/events.ts`); they are
 * re-exported here type-only, so the extension reads exactly what the CLI writes without a copy
 * to keep in step and without importing any engine code (type exports vanish at build time, and
 * lint allows only type imports from the engine in this room).
 */
export type {
  DoneEvent,
  FieldStat,
  FieldStatsEvent,
  PageEvent,
  ProgressEvent,
  RecordBatchEvent,
  RetryEvent,
  RunEvent,
  RunSummary,
  SkipEvent,
  StartEvent,
  WarningEvent,
} from '../engine/crawl/events';
export type { RunCounts, RunStatus } from '../engine/output/index';
