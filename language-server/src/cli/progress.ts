/**
 * The progress line on stderr (only when stderr is a terminal): pages, records, rate, errors,
 * retries and ETA, redrawn in place at most every 100 ms.
 */
import type { ProgressEvent } from '../engine/index';

/** Formats milliseconds as `1h02m`, `3m05s` or `12s`. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

/** The text of one progress line. */
export function progressLine(p: ProgressEvent, width = 20): string {
  const total = p.pages + p.pending;
  const ratio = total > 0 ? p.pages / total : 0;
  const filled = Math.round(ratio * width);
  const bar = `[${'#'.repeat(filled)}${'-'.repeat(width - filled)}]`;
  const eta = p.etaMs !== undefined ? ` eta ${formatDuration(p.etaMs)}` : '';
  return `${bar} ${p.pages} pages, ${p.records} records, ${p.failed} failed, ${p.rate.toFixed(1)} p/s, ${p.errors} errors, ${p.retries} retries${eta}`;
}

/** Draws progress on a TTY stream; a no-op elsewhere. */
export class ProgressBar {
  private last = 0;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    private readonly now: () => number = () => Date.now(),
  ) {}

  /** Whether the bar draws at all. */
  get enabled(): boolean {
    return this.stream.isTTY === true;
  }

  /** Redraws the line (throttled). */
  update(p: ProgressEvent): void {
    if (!this.enabled) return;
    const t = this.now();
    if (t - this.last < 100) return;
    this.last = t;
    const cols = this.stream.columns ?? 100;
    this.stream.write(`\r${progressLine(p).slice(0, cols - 1)}\x1b[K`);
    this.drawn = true;
  }

  /** Clears the line, so the next message starts clean. */
  clear(): void {
    if (this.enabled && this.drawn) this.stream.write('\r\x1b[K');
    this.drawn = false;
  }
}
