// The set-up of the extension-host mocha suite (test/e2e/suite), shared by its two runners:
// test/e2e/run.mjs (code-server + Chromium, here and in CI) and scripts/e2e/test-electron.mjs
// (@vscode/test-electron, where VS Code can be downloaded). Both compile the suite, copy the
// workspace fixture, start a demo site, point the copy at it and hand the suite the same
// environment; only the way VS Code is started differs. Every wait is bounded.
import { spawn } from 'node:child_process';
import { cpSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

import { ROOT, withTimeout } from './harness.mjs';

/** Where the compiled suite goes; its `index.js` is the `extensionTestsPath`. */
export const SUITE_OUT = join(ROOT, 'out/e2e/suite');
export const SUITE_ENTRY = join(SUITE_OUT, 'index.js');
/** The origin written in the workspace fixture; each copy is retargeted at a running demo site. */
export const FIXTURE_ORIGIN = 'http://127.0.0.1:8917';
const SUITE_FILES = ['index.ts', 'extension.test.ts', 'records.test.ts', 'new-spec.test.ts', 'run-diagnostics.test.ts', 'untrusted.test.ts'];

/** Compiles the extension-host suite (TypeScript → CommonJS, vscode external, mocha bundled). */
export async function buildSuite() {
  const esbuild = await import('esbuild');
  await esbuild.build({
    entryPoints: SUITE_FILES.map((f) => join(ROOT, 'test/e2e/suite', f)),
    outdir: SUITE_OUT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['vscode'],
    logLevel: 'warning',
    // Mocha's parallel mode resolves worker files at run time; the suite runs serially.
    logOverride: { 'require-resolve-not-external': 'silent' },
  });
}

/**
 * Starts the demo bookshop on a free port in a child process (the suite's runs collect from it)
 * and resolves with its origin, read from the first line the server prints.
 */
export async function startDemoSite(logDir) {
  const err = openSync(join(logDir, 'demo-site.log'), 'w');
  const child = spawn(process.execPath, ['--import', 'tsx', join(ROOT, 'language-server/src/demo-site/serve.ts'), '0'], { cwd: ROOT, stdio: ['ignore', 'pipe', err] });
  const origin = await withTimeout(
    new Promise((resolveOrigin, reject) => {
      let buffer = '';
      child.stdout.setEncoding('utf8').on('data', (chunk) => {
        buffer += chunk;
        const line = buffer.split('\n')[0];
        if (buffer.includes('\n') && /^http:\/\/127\.0\.0\.1:\d+$/.test(line.trim())) resolveOrigin(line.trim());
      });
      child.once('exit', (code) => reject(new Error(`the demo site exited with code ${code}; see demo-site.log`)));
    }),
    30_000,
    'the demo site to start',
  );
  return {
    origin,
    requests: undefined,
    async close() {
      if (child.exitCode !== null) return;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      try {
        await withTimeout(gone, 5_000, 'the demo site to stop');
      } catch {
        child.kill('SIGKILL');
      }
    },
  };
}

/**
 * Starts a fresh demo site in this process (through tsx), for the untrusted session: its request
 * log is then read on the server's side of the socket, and holds only that session's requests.
 */
export async function startLoggedDemoSite() {
  const { tsImport } = await import('tsx/esm/api');
  const mod = await tsImport(join(ROOT, 'language-server/src/demo-site/index.ts'), import.meta.url);
  const start = mod.startDemoSite ?? mod.default?.startDemoSite;
  if (typeof start !== 'function') throw new Error('language-server/src/demo-site/index.ts exports no startDemoSite');
  return start({ port: 0 });
}

/**
 * Points a workspace copy's valid spec at the demo site's actual origin. The broken spec keeps
 * the fixture's origin: nothing fetches from it, and the README screenshot stays the same.
 */
export function retargetWorkspace(workspace, origin) {
  for (const name of ['books.collect.yaml']) {
    const file = join(workspace, name);
    writeFileSync(file, readFileSync(file, 'utf8').replaceAll(FIXTURE_ORIGIN, origin));
  }
}

/**
 * Prepares one session of the suite under `run` (a scratch folder): a fresh copy of the workspace
 * fixture at `<run>/<folder>`, retargeted at a demo site started for it, and the environment
 * the suite reads (`RESULTS_FILE`, `GLEANER_E2E_SUITE`, `GLEANER_E2E_DEMO_ORIGIN`). The trusted
 * suite gets a demo site in a child process; the untrusted one an in-process site whose
 * `requests` log the caller checks for silence. `close()` stops the site.
 */
export async function prepareSuiteSession(run, { suite, folder = suite === 'untrusted' ? 'untrusted-workspace' : 'workspace' }) {
  const workspace = join(run, folder);
  cpSync(join(ROOT, 'test/e2e/workspace'), workspace, { recursive: true });
  const demo = suite === 'untrusted' ? await startLoggedDemoSite() : await startDemoSite(run);
  retargetWorkspace(workspace, demo.origin);
  const resultsFile = join(run, `${suite}-results.json`);
  return {
    workspace,
    demo,
    resultsFile,
    env: { RESULTS_FILE: resultsFile, GLEANER_E2E_SUITE: suite, GLEANER_E2E_DEMO_ORIGIN: demo.origin },
    close: () => demo.close(),
  };
}

/** The suite's results file: `{ results: [{ title, ok, ms, error? }] }`. */
export function readSuiteResults(resultsFile) {
  return JSON.parse(readFileSync(resultsFile, 'utf8')).results;
}
