/**
 * The CLI's own port: a logger on stderr. The clock, timers, randomness and secrets come from the
 * engine's system ports, shared with the language server.
 */
import type { Logger } from '../engine/index';

/** A logger writing `level: message` lines to stderr; debug and info only when verbose. */
export function stderrLogger(verbose: boolean, write: (line: string) => void = (l) => process.stderr.write(l)): Logger {
  return {
    debug: (m) => {
      if (verbose) write(`debug: ${m}\n`);
    },
    info: (m) => {
      if (verbose) write(`info: ${m}\n`);
    },
    warn: (m) => {
      if (verbose) write(`warning: ${m}\n`);
    },
    error: (m) => write(`error: ${m}\n`),
  };
}
