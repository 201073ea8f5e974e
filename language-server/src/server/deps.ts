/**
 * What every feature module receives from `main.ts`: the shared state of one server instance.
 * Features never create their own parse caches, gates or robots caches, so that one document is
 * parsed once per version and one origin's robots.txt is fetched once per day.
 */
import type { Connection, TextDocuments } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import type { DiagnosticsPublisher } from './diagnostics-publisher';
import type { NetworkGate } from './network-gate';
import type { RobotsChecker } from './robots-checker';
import type { ServerLog } from './runner';
import type { SpecCache } from './spec-cache';

/** The shared services of one server instance. */
export interface ServerDeps {
  documents: TextDocuments<TextDocument>;
  specs: SpecCache;
  publisher: DiagnosticsPublisher;
  network: NetworkGate;
  robots: RobotsChecker;
  log: ServerLog;
  /** Milliseconds to wait after an edit before validating (the debounce). */
  validationDelayMs: number;
}

/** Something a feature registered, to be undone when the server shuts down. */
export interface Disposable {
  dispose(): void;
}

/** The signature every feature module exports. */
export type RegisterFeature = (connection: Connection, deps: ServerDeps) => Disposable;

/** One Disposable that disposes all of `parts`. */
export function combine(...parts: (Disposable | (() => void))[]): Disposable {
  return {
    dispose() {
      for (const part of parts) {
        if (typeof part === 'function') part();
        else part.dispose();
      }
    },
  };
}
