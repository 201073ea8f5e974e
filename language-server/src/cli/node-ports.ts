/**
 * The CLI's ports: the real clock, timers, randomness, environment and a logger on stderr.
 * The engine never touches these directly; the CLI hands them in.
 */
import { randomInt } from 'node:crypto';
import type { Clock, Logger, SecretResolver, Sleep } from '../engine/index';

/** Wall-clock time. */
export const systemClock: Clock = { now: () => Date.now() };

/** A sleep that rejects with an AbortError when `signal` aborts. */
export const systemSleep: Sleep = (ms, signal) =>
  new Promise<void>((resolve, reject) => {
    if (signal?.aborted) {
      reject(new DOMException('aborted', 'AbortError'));
      return;
    }
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(new DOMException('aborted', 'AbortError'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });

/** Uniform randomness in [0, 1) from the OS generator (used for jitter only). */
export const systemRandom = (): number => randomInt(0, 2 ** 47) / 2 ** 47; // randomInt needs max - min < 2^48

/**
 * `${env:NAME}` reads the environment; `${secret:NAME}` (VS Code SecretStorage in the editor)
 * reads `GLEANER_SECRET_<NAME>` and then `NAME` from the environment on the command line.
 */
export function envSecrets(env: NodeJS.ProcessEnv = process.env): SecretResolver {
  return {
    resolve(kind, name) {
      if (kind === 'env') return env[name];
      return env[`GLEANER_SECRET_${name}`] ?? env[name];
    },
  };
}

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
