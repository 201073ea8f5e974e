/**
 * `gleaner demo`: start the demo bookshop, put its credentials in this process's environment
 * only, run the example specs against it and print what each run produced.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { DEMO_CREDENTIALS, startDemoSite } from '../demo-site/index';
import { parseSpec } from '../engine/index';
import type { CollectionSpec, RunSummary } from '../engine/index';
import type { ExecuteOptions } from './main';
import { formatSummary } from './summary';

/** The example specs the demo runs, in order. */
export const DEMO_SPECS = ['books.collect.yaml', 'books-api.collect.yaml', 'reviews-oauth.collect.yaml'];

/** The origin the examples are written against. */
export const DEMO_ORIGIN = 'http://127.0.0.1:8917';

/** The environment variables the examples reference, from the demo site's credentials. */
export function demoEnv(credentials: unknown): Record<string, string> {
  const c = (credentials ?? {}) as Record<string, unknown>;
  const pick = (...names: string[]): string | undefined => {
    for (const n of names) if (typeof c[n] === 'string') return c[n];
    return undefined;
  };
  const env: Record<string, string> = {};
  const set = (name: string, value: string | undefined): void => {
    if (value !== undefined) env[name] = value;
  };
  set('GLEANER_DEMO_API_KEY', pick('apiKey', 'api_key', 'GLEANER_DEMO_API_KEY'));
  set('GLEANER_DEMO_TOKEN', pick('token', 'bearerToken', 'bearer', 'GLEANER_DEMO_TOKEN'));
  set('GLEANER_DEMO_CLIENT_ID', pick('clientId', 'client_id', 'GLEANER_DEMO_CLIENT_ID'));
  set('GLEANER_DEMO_CLIENT_SECRET', pick('clientSecret', 'client_secret', 'GLEANER_DEMO_CLIENT_SECRET'));
  return env;
}

/** Finds the `examples/` folder from the bundled CLI (dist/) or the sources. */
export function findExamplesDir(starts: string[] = [__dirname, process.cwd()]): string | undefined {
  for (const start of starts) {
    let dir = resolve(start);
    for (let i = 0; i < 6; i++) {
      const candidate = join(dir, 'examples');
      if (existsSync(join(candidate, DEMO_SPECS[0]))) return candidate;
      const parent = dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return undefined;
}

type Execute = (
  input: { spec: CollectionSpec; specText: string; specPath: string; runDir: string; sourceIds?: string[]; resume?: boolean },
  options: ExecuteOptions,
) => Promise<RunSummary>;

/** Runs the demo; returns the exit code. */
export async function runDemo(options: { port: number; out: string; keep: boolean; json: boolean }, execute: Execute): Promise<number> {
  const examples = findExamplesDir();
  if (!examples) {
    process.stderr.write('gleaner demo: the examples/ folder was not found next to the CLI\n');
    return 2;
  }
  const site = await startDemoSite({ port: options.port });
  const env = demoEnv(DEMO_CREDENTIALS);
  // Only this process sees the demo credentials; the specs reference them as ${env:…}.
  Object.assign(process.env, env);
  let worst = 0;
  try {
    if (!options.json) process.stderr.write(`demo shop running at ${site.origin}\n`);
    for (const name of DEMO_SPECS) {
      const path = join(examples, name);
      if (!existsSync(path)) continue;
      const text = readFileSync(path, 'utf8').split(DEMO_ORIGIN).join(site.origin);
      const { model, diagnostics } = parseSpec(text);
      const errors = diagnostics.filter((d) => d.severity === 'error');
      if (errors.length > 0) {
        process.stderr.write(`${path}: ${errors.length} spec error(s); run \`gleaner check ${path}\`\n`);
        worst = Math.max(worst, 1);
        continue;
      }
      const runDir = join(options.out, `${model.metadata.name || name.replace(/\.collect\.yaml$/, '')}-${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`);
      const summary = await execute({ spec: model, specText: text, specPath: path, runDir }, { json: options.json, env });
      if (!options.json) process.stderr.write(`\n${formatSummary(model.metadata.name || name, summary)}`);
      if (summary.status === 'stopped') return 4;
      if (summary.status === 'failed') worst = Math.max(worst, 3);
    }
    if (options.keep && !options.json) {
      process.stderr.write(`\ndemo shop still running at ${site.origin} (Ctrl-C to stop)\n`);
      await new Promise<void>((res) => {
        process.once('SIGINT', () => res());
        process.once('SIGTERM', () => res());
      });
    }
    return worst;
  } finally {
    await site.close();
  }
}
