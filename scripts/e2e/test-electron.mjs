// @ts-check
// Runs the extension-host mocha suite (test/e2e/suite) in a desktop VS Code that
// @vscode/test-electron downloads: for machines that can download VS Code. Where they cannot
// (these build machines, and so CI), the same suite runs through code-server with
// `bash scripts/e2e/run.sh`. The set-up is shared (test/e2e/suite-setup.mjs): the same compiled
// suite, a copy of the workspace fixture pointed at a demo site started for the run, and the same
// environment (RESULTS_FILE, GLEANER_E2E_SUITE, GLEANER_E2E_DEMO_ORIGIN).
//
//   node scripts/e2e/test-electron.mjs [--version stable|insiders|1.90.0] [--suite trusted|untrusted|all]
//
// On Linux without a display, run it under a virtual one: `xvfb-run -a node scripts/e2e/test-electron.mjs`.
// GLEANER_VSCODE_EXECUTABLE=/path/to/code uses an installed VS Code instead of downloading one;
// downloads are cached in .tools/vscode-test. GLEANER_E2E_SKIP_BUILD=1 skips `node esbuild.mjs`.
// Fails fast, with a message saying so, when VS Code cannot be downloaded (no cached copy and
// update.code.visualstudio.com unreachable) or there is no display. Prints one line per test and
// `N passed, N failed` last; exits 1 when a test failed, 2 when the suite could not run.
import { spawn, spawnSync } from 'node:child_process';
import { lookup } from 'node:dns/promises';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { ROOT, SETTINGS, withTimeout } from '../../test/e2e/harness.mjs';
import { buildSuite, prepareSuiteSession, readSuiteResults, SUITE_ENTRY } from '../../test/e2e/suite-setup.mjs';

const CACHE = join(ROOT, '.tools/vscode-test');
const UPDATE_HOST = 'update.code.visualstudio.com';
// The whole suite takes under a minute in code-server; VS Code's start-up is added to it.
const SUITE_TIMEOUT_MS = 5 * 60_000;

const argv = process.argv.slice(2);
const option = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const version = option('--version', 'stable');
const suites = option('--suite', 'all') === 'all' ? ['trusted', 'untrusted'] : [option('--suite', 'all')];

/** A failure that means the suite could not run at all (exit 2), with what to do about it. */
class CannotRun extends Error {}

/**
 * The VS Code to test in: GLEANER_VSCODE_EXECUTABLE, else a download (or the cached one). Throws
 * CannotRun at once when no download is possible, instead of letting the download time out.
 */
async function vscodeExecutable() {
  const given = process.env.GLEANER_VSCODE_EXECUTABLE;
  if (given) {
    if (!existsSync(given)) throw new CannotRun(`GLEANER_VSCODE_EXECUTABLE=${given} does not exist.`);
    return given;
  }
  const { downloadAndUnzipVSCode } = await import('@vscode/test-electron');
  const cached = existsSync(CACHE) && readdirSync(CACHE).some((d) => d.startsWith('vscode-'));
  if (!cached) {
    // With no cached copy, a download is the only way: find out now whether one can happen.
    try {
      await withTimeout(lookup(UPDATE_HOST), 10_000, `resolving ${UPDATE_HOST}`);
    } catch (error) {
      throw new CannotRun(
        `VS Code cannot be downloaded here (${UPDATE_HOST}: ${error instanceof Error ? error.message : error}).\n` +
          'Run this on a machine with internet access, or set GLEANER_VSCODE_EXECUTABLE to an installed VS Code.\n' +
          'On this machine the same suite runs through code-server: bash scripts/e2e/install.sh && bash scripts/e2e/run.sh',
      );
    }
  }
  try {
    // `timeout` is the download's idle timeout: a stalled connection fails instead of hanging.
    return await downloadAndUnzipVSCode({ version, cachePath: CACHE, timeout: 30_000 });
  } catch (error) {
    throw new CannotRun(`Downloading VS Code ${version} failed: ${error instanceof Error ? error.message : error}`);
  }
}

/**
 * The arguments runTests() gives VS Code (@vscode/test-electron's runTest.js), for the untrusted
 * suite, which runTests() cannot run: it always adds --disable-workspace-trust.
 */
function testArgs(session, profile) {
  return [
    session.workspace,
    '--no-sandbox',
    '--disable-gpu-sandbox',
    '--disable-updates',
    '--skip-welcome',
    '--skip-release-notes',
    '--disable-extensions',
    `--user-data-dir=${join(profile, 'user')}`,
    `--extensions-dir=${join(profile, 'exts')}`,
    `--extensionTestsPath=${SUITE_ENTRY}`,
    `--extensionDevelopmentPath=${ROOT}`,
  ];
}

/** A fresh profile with the harness's settings (trust on or off as the suite needs). */
function makeProfile(run, suite) {
  const profile = join(run, `${suite}-profile`);
  mkdirSync(join(profile, 'user/User'), { recursive: true });
  const settings = suite === 'untrusted' ? { ...SETTINGS, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' } : SETTINGS;
  writeFileSync(join(profile, 'user/User/settings.json'), JSON.stringify(settings, null, 2));
  return profile;
}

/** Starts VS Code with `args` and `env`; resolves with its exit code, killing it after the timeout. */
async function launch(executable, args, env) {
  const child = spawn(executable, args, { env: { ...process.env, ...env }, stdio: 'inherit', detached: true });
  const exited = new Promise((resolve, reject) => {
    child.once('exit', (code, signal) => resolve(code ?? (signal ? 1 : 0)));
    child.once('error', reject);
  });
  try {
    return await withTimeout(exited, SUITE_TIMEOUT_MS, 'VS Code to run the suite and exit');
  } catch (error) {
    try {
      process.kill(-(child.pid ?? 0), 'SIGKILL');
    } catch {
      // Already gone.
    }
    throw error;
  }
}

/** Runs one suite; returns its results (from the suite's own results file). */
async function runSuite(executable, run, suite) {
  const session = await prepareSuiteSession(run, { suite });
  try {
    const profile = makeProfile(run, suite);
    if (suite === 'trusted') {
      const { runTests } = await import('@vscode/test-electron');
      const [workspace, ...rest] = testArgs(session, profile);
      // runTests() adds the test flags and --disable-workspace-trust itself; it rejects when VS Code
      // exits non-zero (a failed test), which the results file below reports in detail.
      await withTimeout(
        runTests({
          vscodeExecutablePath: executable,
          extensionDevelopmentPath: ROOT,
          extensionTestsPath: SUITE_ENTRY,
          extensionTestsEnv: session.env,
          launchArgs: [workspace, ...rest.filter((a) => /^--(user-data-dir|extensions-dir|disable-extensions)/.test(a))],
        }).catch(() => undefined),
        SUITE_TIMEOUT_MS,
        'VS Code to run the trusted suite and exit',
      );
    } else {
      await launch(executable, testArgs(session, profile), session.env);
    }
    if (!existsSync(session.resultsFile)) throw new Error(`the ${suite} suite wrote no results (${session.resultsFile}); see VS Code's output above`);
    const results = readSuiteResults(session.resultsFile);
    if (suite === 'untrusted') {
      // As in the code-server run: Restricted Mode makes no request, checked on the server's side.
      const made = session.demo.requests ?? [];
      results.push({ title: 'no request reached the demo site during the session', ok: made.length === 0, ms: 0, error: made.length ? JSON.stringify(made) : undefined });
    }
    return results;
  } finally {
    await session.close().catch(() => undefined);
  }
}

async function main() {
  const results = [];
  let run;
  try {
    const executable = await vscodeExecutable();
    if (process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY) {
      throw new CannotRun('Desktop VS Code needs a display: run this under `xvfb-run -a`.');
    }
    if (process.env.GLEANER_E2E_SKIP_BUILD !== '1') {
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new CannotRun('node esbuild.mjs failed');
    }
    await buildSuite();
    run = mkdtempSync(join(tmpdir(), 'gleaner-electron-'));
    for (const suite of suites) {
      for (const r of await runSuite(executable, run, suite)) {
        results.push(r);
        console.log(`${r.ok ? 'ok' : 'not ok'} - [${suite}] ${r.title}${r.ok || !r.error ? '' : `\n    ${String(r.error).split('\n').join('\n    ')}`}`);
      }
    }
  } catch (error) {
    console.error(`test-electron: ${error instanceof Error ? error.message : error}`);
    process.exitCode = error instanceof CannotRun ? 2 : 1;
    return;
  } finally {
    if (run && process.env.GLEANER_E2E_KEEP !== '1') rmSync(run, { recursive: true, force: true });
  }
  const failed = results.filter((r) => !r.ok).length;
  console.log(`${results.length - failed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && results.length > 0 ? 0 : 1;
}

await main();
