/**
 * The real implementations of the engine's time, randomness and secret ports. Engine logic never
 * imports this file: only composition roots (the CLI, the language server) do, and hand the
 * ports in, so that tests can hand in a fake clock instead.
 */
import { randomInt } from 'node:crypto';
import type { Clock, SecretResolver, Sleep } from './ports';

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
 * `${env:NAME}` reads the environment; `${secret:NAME}` (VS Code SecretStorage in the editor,
 * passed to child processes as `GLEANER_SECRET_<NAME>`) reads that variable, then `NAME`.
 */
export function envSecrets(env: Record<string, string | undefined> = process.env): SecretResolver {
  return {
    resolve(kind, name) {
      if (kind === 'env') return env[name];
      return env[`GLEANER_SECRET_${name}`] ?? env[name];
    },
  };
}
