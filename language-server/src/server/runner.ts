/**
 * Guards for request handlers: every handler runs through `runSafe`, so a bug in one feature
 * answers with an empty result and a log line instead of an error popup or a dead server.
 */
import { LSPErrorCodes, ResponseError, type CancellationToken } from 'vscode-languageserver';
import type { Logger } from '../engine/index';

/** Where the server's own log lines go: `connection.console`, never stdout. */
export interface ServerLog {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
  log(message: string): void;
}

/**
 * The engine's Logger port over the server log. Debug lines are dropped: the engine's per-request
 * chatter would flood the Gleaner output channel.
 */
export function engineLogger(log: ServerLog): Logger {
  return { debug: () => undefined, info: (m) => log.info(m), warn: (m) => log.warn(m), error: (m) => log.error(m) };
}

/** The error a cancelled request answers with, as LSP 3.17 asks (`RequestCancelled`). */
function cancelled(): ResponseError<void> {
  return new ResponseError<void>(LSPErrorCodes.RequestCancelled, 'Request cancelled');
}

/**
 * Runs `fn` for a request. A request the client cancelled before or during the work answers
 * `RequestCancelled` (the client has stopped waiting, and a late result could be applied to a
 * newer document). Any exception is logged with `name` and turned into `fallback`, because an
 * editor feature failing for one document must not take the others down.
 */
export async function runSafe<T>(
  log: ServerLog,
  name: string,
  fn: () => T | Promise<T>,
  fallback: T,
  token?: CancellationToken,
): Promise<T | ResponseError<void>> {
  if (token?.isCancellationRequested) return cancelled();
  try {
    const result = await fn();
    if (token?.isCancellationRequested) return cancelled();
    return result;
  } catch (error) {
    log.error(`${name} failed: ${describeError(error)}`);
    return fallback;
  }
}

/** A one-line description of a thrown value, with the stack when there is one. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.stack ?? `${error.name}: ${error.message}`;
  return String(error);
}
