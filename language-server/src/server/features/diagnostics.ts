/**
 * Diagnostics: validate each spec when it opens and, debounced, after edits. Typing produces a
 * burst of versions; only the last one in a quiet period is parsed, and the publisher drops any
 * result that is no longer the latest.
 *
 * The quiet period grows with the document, as the cost of validating it does (about 5 µs a
 * line once warm): waiting 150 ms to save a 25 ms validation of a 5,000-line spec only delays
 * the squiggles, while for a 50,000-line spec the wait saves real work. So the delay is one
 * millisecond per LINES_PER_MS lines, between MIN_DELAY_MS and the configured maximum. It
 * follows the size rather than measured times, which swing with the JIT and the machine's load.
 * Validation runs on a worker and at most one more version waits behind a running one, so a
 * short delay never piles work up or blocks a request.
 */
import type { Connection } from 'vscode-languageserver';
import { combine, type Disposable, type ServerDeps } from '../deps';
import { describeError } from '../runner';

/** The shortest quiet period after an edit, however small the document. */
export const MIN_DELAY_MS = 40;
/** Lines of spec per millisecond of quiet period. */
export const LINES_PER_MS = 200;

/** The quiet period before validating an edit of a document of `lineCount` lines. */
export function editDelay(lineCount: number, maxMs: number): number {
  return Math.round(Math.min(maxMs, Math.max(MIN_DELAY_MS, lineCount / LINES_PER_MS)));
}

/** Wires document events to validation. */
export function register(_connection: Connection, deps: ServerDeps): Disposable {
  const timers = new Map<string, NodeJS.Timeout>();
  const validateNow = (uri: string): void => {
    timers.delete(uri);
    deps.publisher.validate(uri).catch((error: unknown) => deps.log.error(`validation of ${uri} failed: ${describeError(error)}`));
  };

  const schedule = (uri: string, delayMs: number): void => {
    const pending = timers.get(uri);
    if (pending) clearTimeout(pending);
    timers.set(uri, setTimeout(() => validateNow(uri), delayMs));
  };

  const opened = new Set<string>();
  const subscriptions = [
    deps.documents.onDidOpen((event) => {
      // A newly opened spec is validated at once (no debounce): the user is not typing yet, and
      // the first squiggles should appear as fast as the parse allows. The timer of 0 lets the
      // open notification's handler return before the parse runs.
      opened.add(event.document.uri);
      schedule(event.document.uri, 0);
    }),
    deps.documents.onDidChangeContent((event) => {
      // TextDocuments also fires this right after onDidOpen; that first one is already scheduled.
      if (opened.delete(event.document.uri)) return;
      schedule(event.document.uri, editDelay(event.document.lineCount, deps.validationDelayMs));
    }),
    deps.documents.onDidClose((event) => {
      const uri = event.document.uri;
      const pending = timers.get(uri);
      if (pending) clearTimeout(pending);
      timers.delete(uri);
      opened.delete(uri);
      deps.specs.delete(uri);
      deps.publisher.clear(uri);
    }),
  ];

  return combine(...subscriptions, () => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
  });
}
