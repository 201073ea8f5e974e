/**
 * Diagnostics: validate each spec when it opens and, debounced, after edits. Typing produces a
 * burst of versions; only the last one in a quiet period is parsed, and the publisher drops any
 * result that is no longer the latest.
 */
import type { Connection } from 'vscode-languageserver';
import { combine, type Disposable, type ServerDeps } from '../deps';
import { describeError } from '../runner';

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
      schedule(event.document.uri, deps.validationDelayMs);
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
