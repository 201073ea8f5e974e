/**
 * Reading the CLI's `--json` output: one JSON event per line. No vscode import, so it can be
 * tested under plain Node. The shapes mirror `language-server/src/engine/crawl/events.ts`, which
 * the extension may not import; only the fields the editor uses are declared.
 */

/** Running totals (`progress`). */
export interface ProgressEvent {
  type: 'progress';
  pages: number;
  records: number;
  failed: number;
  skipped: number;
  errors: number;
  retries: number;
}

/** What a finished run produced (`done.summary`). */
export interface RunSummary {
  runId?: string;
  runDir: string;
  status: string;
  reason?: string;
  durationMs?: number;
  counts?: { records?: number; failed?: number; pages_fetched?: number; errors?: number };
  files?: Partial<Record<'records' | 'failed' | 'manifest' | 'datasheet' | 'croissant' | 'checkpoint', string>>;
}

/** The events the editor reacts to; the others are logged as they come. */
export type RunEvent =
  | { type: 'start'; runId?: string; runDir: string; resumed?: boolean }
  | ProgressEvent
  | { type: 'warning'; message: string; url?: string }
  | { type: 'skip'; url: string; reason: string; detail?: string }
  | { type: 'retry'; url: string; attempt: number; reason: string }
  | { type: 'done'; status: string; reason?: string; summary: RunSummary }
  | { type: 'other'; raw: Record<string, unknown> };

const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/** Parses one line; undefined when it is not a JSON object with a `type`. */
export function parseRunEvent(line: string): RunEvent | undefined {
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
      return typeof o.runDir === 'string' ? { type: 'start', runId: str(o.runId), runDir: o.runDir, resumed: o.resumed === true } : undefined;
    case 'progress':
      return { type: 'progress', pages: num(o.pages), records: num(o.records), failed: num(o.failed), skipped: num(o.skipped), errors: num(o.errors), retries: num(o.retries) };
    case 'warning':
      return { type: 'warning', message: str(o.message) ?? '', url: str(o.url) };
    case 'skip':
      return { type: 'skip', url: str(o.url) ?? '', reason: str(o.reason) ?? '', detail: str(o.detail) };
    case 'retry':
      return { type: 'retry', url: str(o.url) ?? '', attempt: num(o.attempt), reason: str(o.reason) ?? '' };
    case 'done': {
      const s = (typeof o.summary === 'object' && o.summary !== null ? o.summary : {}) as Record<string, unknown>;
      const summary: RunSummary = { ...(s as Partial<RunSummary>), runDir: str(s.runDir) ?? '', status: str(s.status) ?? str(o.status) ?? 'unknown' };
      return { type: 'done', status: str(o.status) ?? summary.status, reason: str(o.reason) ?? summary.reason, summary };
    }
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
