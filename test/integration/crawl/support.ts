// Shared helpers for the crawl and CLI integration tests: load an example spec rewritten to the
// demo site's ephemeral origin with tiny delays, real ports, and JSONL readers.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { createHttpClient, parseSpec } from '../../../language-server/src/engine/index';
import type { CollectionSpec, HttpClient, Logger, RunPorts, SecretResolver } from '../../../language-server/src/engine/index';

/** Repository root (tests run from it). */
export const ROOT = join(__dirname, '..', '..', '..');

/**
 * An example spec with its origin moved to `origin` and its delays shrunk: the crawl stays
 * polite in shape (throttle, robots) but a test finishes in seconds on loopback.
 */
export function exampleSpecText(name: string, origin: string, delay = '2ms'): string {
  return readFileSync(join(ROOT, 'examples', name), 'utf8')
    .split('http://127.0.0.1:8917')
    .join(origin)
    .replace(/^(\s*)delay: \S+/m, `$1delay: ${delay}`);
}

/** Parses a spec text, failing loudly on errors. */
export function specOf(text: string): CollectionSpec {
  const { model, diagnostics } = parseSpec(text);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) throw new Error(`spec errors: ${errors.map((e) => `${e.code} ${e.message}`).join('; ')}`);
  return model;
}

const quiet: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** Real ports (real clock and timers, undici) with secrets from `env`. */
export function realPorts(env: Record<string, string> = {}, signal?: AbortSignal): RunPorts & { http: HttpClient } {
  const secrets: SecretResolver = { resolve: (_kind, name) => env[name] };
  return {
    http: createHttpClient({ proxyFromEnv: false }),
    clock: { now: () => Date.now() },
    sleep: (ms, s) =>
      new Promise<void>((resolve, reject) => {
        const t = setTimeout(resolve, ms);
        s?.addEventListener('abort', () => {
          clearTimeout(t);
          reject(new DOMException('aborted', 'AbortError'));
        });
      }),
    random: () => 0.5,
    logger: quiet,
    secrets,
    ...(signal ? { signal } : {}),
  };
}

/** Every line of a JSONL file, parsed; throws on a torn or invalid line. */
export function readJsonl(path: string): Record<string, unknown>[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return [];
  }
  if (text.length > 0 && !text.endsWith('\n')) throw new Error(`${path} ends in a torn line`);
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l, i) => {
      try {
        return JSON.parse(l) as Record<string, unknown>;
      } catch {
        throw new Error(`${path}:${i + 1} is not JSON: ${l.slice(0, 80)}`);
      }
    });
}

/** Every file under `dir`, recursively, with its text. */
export function filesUnder(dir: string): { path: string; text: string }[] {
  const out: { path: string; text: string }[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...filesUnder(p));
    else out.push({ path: p, text: readFileSync(p).toString('latin1') });
  }
  return out;
}

/** The environment variables the API examples reference. */
export function demoEnvFrom(credentials: unknown): Record<string, string> {
  const c = credentials as Record<string, string>;
  const pick = (...names: string[]): string => {
    for (const n of names) if (typeof c[n] === 'string') return c[n];
    throw new Error(`DEMO_CREDENTIALS has none of ${names.join(', ')}`);
  };
  return {
    GLEANER_DEMO_API_KEY: pick('apiKey', 'api_key', 'GLEANER_DEMO_API_KEY'),
    GLEANER_DEMO_TOKEN: pick('token', 'bearerToken', 'bearer', 'GLEANER_DEMO_TOKEN'),
    GLEANER_DEMO_CLIENT_ID: pick('clientId', 'client_id', 'GLEANER_DEMO_CLIENT_ID'),
    GLEANER_DEMO_CLIENT_SECRET: pick('clientSecret', 'client_secret', 'GLEANER_DEMO_CLIENT_SECRET'),
  };
}
