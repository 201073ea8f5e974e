/**
 * Reading the CLI's `--json` output: one JSON event per line. No vscode import, so it can be
 * tested under plain Node. The event types are the wire format declared in the protocol room
 * (`language-server/src/protocol/run-events.ts`), which the CLI checks the engine's events
 * against; this reader only checks what the editor relies on and normalises it.
 */
import type { DoneEvent, ProgressEvent, RunEvent, RunSummary, WarningEvent } from '../../language-server/src/protocol/run-events';

export type { FieldStat, RunEvent, RunSummary, WarningEvent } from '../../language-server/src/protocol/run-events';

/** An event as read: a wire event, or a line with an unknown `type` (a newer CLI), kept raw. */
export type ReadRunEvent = RunEvent | { type: 'other'; raw: Record<string, unknown> };

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const optNum = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/**
 * Parses one line; undefined when it is not a JSON object with a `type`. The fields the editor
 * reads are checked and given safe values; the rest is passed on as the CLI printed it.
 */
export function parseRunEvent(line: string): ReadRunEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return undefined;
  const o = value as Record<string, unknown>;
  switch (o.type) {
    case 'start':
      if (typeof o.runDir !== 'string') return undefined;
      return { type: 'start', runId: str(o.runId) ?? '', runDir: o.runDir, spec: str(o.spec) ?? '', sources: Array.isArray(o.sources) ? o.sources.filter((s): s is string => typeof s === 'string') : [], resumed: o.resumed === true, pending: num(o.pending) };
    case 'progress': {
      const p: ProgressEvent = { type: 'progress', pages: num(o.pages), records: num(o.records), failed: num(o.failed), skipped: num(o.skipped), errors: num(o.errors), retries: num(o.retries), rate: num(o.rate), pending: num(o.pending) };
      const eta = optNum(o.etaMs);
      return eta === undefined ? p : { ...p, etaMs: eta };
    }
    case 'warning': {
      const w: WarningEvent = { type: 'warning', message: str(o.message) ?? '' };
      for (const key of ['url', 'sourceId', 'specPath', 'code', 'field'] as const) {
        const v = str(o[key]);
        if (v !== undefined) w[key] = v;
      }
      for (const key of ['pages', 'unmatched'] as const) {
        const v = optNum(o[key]);
        if (v !== undefined) w[key] = v;
      }
      return w;
    }
    case 'skip':
      return { type: 'skip', url: str(o.url) ?? '', reason: str(o.reason) ?? '', ...(str(o.sourceId) ? { sourceId: str(o.sourceId) } : {}), ...(str(o.detail) ? { detail: str(o.detail) } : {}) };
    case 'retry':
      return { type: 'retry', url: str(o.url) ?? '', attempt: num(o.attempt), reason: str(o.reason) ?? '' };
    case 'field-stats':
      return {
        type: 'field-stats',
        stats: (Array.isArray(o.stats) ? o.stats : []).map(obj).map((s) => ({ sourceId: str(s.sourceId) ?? '', field: str(s.field) ?? '', pages: num(s.pages), unmatched: num(s.unmatched), records: num(s.records), matched: num(s.matched), specPath: str(s.specPath) ?? '' })),
      };
    case 'done': {
      const s = obj(o.summary);
      const status = (str(o.status) ?? str(s.status) ?? 'failed') as DoneEvent['status'];
      // Counts and files are read with fallbacks (run.json, the run directory) by the caller.
      const summary: RunSummary = { ...(s as unknown as RunSummary), runId: str(s.runId) ?? '', runDir: str(s.runDir) ?? '', status: (str(s.status) as RunSummary['status'] | undefined) ?? status, counts: obj(s.counts) as unknown as RunSummary['counts'], files: obj(s.files) as unknown as RunSummary['files'] };
      const reason = str(o.reason) ?? summary.reason;
      return { type: 'done', status, ...(reason !== undefined ? { reason } : {}), summary };
    }
    case 'page':
    case 'record-batch':
      // Not read by the editor beyond logging; passed on as printed.
      return o as unknown as RunEvent;
    default:
      return typeof o.type === 'string' ? { type: 'other', raw: o } : undefined;
  }
}

/**
 * Splits a byte stream into lines, holding at most `maxLineLength` characters of an unfinished
 * line: a longer line is dropped (and reported through `onOverflow`) rather than growing the
 * buffer without bound.
 */
export class LineSplitter {
  private buffer = '';
  private overflowing = false;

  constructor(
    private readonly onLine: (line: string) => void,
    private readonly maxLineLength = 1024 * 1024,
    private readonly onOverflow: (length: number) => void = () => undefined,
  ) {}

  /** Feeds a chunk of text. */
  push(chunk: string): void {
    let start = 0;
    for (let nl = chunk.indexOf('\n', start); nl !== -1; nl = chunk.indexOf('\n', start)) {
      const piece = chunk.slice(start, nl);
      start = nl + 1;
      if (this.overflowing) {
        this.overflowing = false;
        this.buffer = '';
        continue;
      }
      const line = this.buffer + piece;
      this.buffer = '';
      if (line.length > this.maxLineLength) this.onOverflow(line.length);
      else this.emit(line);
    }
    if (this.overflowing) return;
    this.buffer += chunk.slice(start);
    if (this.buffer.length > this.maxLineLength) {
      this.onOverflow(this.buffer.length);
      this.buffer = '';
      this.overflowing = true;
    }
  }

  /** Emits what is left at the end of the stream. */
  end(): void {
    if (!this.overflowing && this.buffer.length > 0) this.emit(this.buffer);
    this.buffer = '';
    this.overflowing = false;
  }

  private emit(line: string): void {
    const trimmed = line.endsWith('\r') ? line.slice(0, -1) : line;
    if (trimmed.length > 0) this.onLine(trimmed);
  }
}
