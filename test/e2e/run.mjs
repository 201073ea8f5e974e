// The real-VS-Code end-to-end run, following /work/shared/vscode-e2e.md: code-server 4.139.1
// (installed by scripts/e2e/install.sh into .tools/vscode-e2e) driven by Debian chromium through
// playwright-core. Two sessions against one server:
//   1. the extension-host mocha suite (test/e2e/suite), loaded through the workbench URL's
//      `payload`; pass/fail from window.codeAutomationExit plus the suite's own results file;
//   2. a UI smoke test: open the broken spec, check the status bar, the Problems panel rows and
//      the source-preview webview; Set Secret / Clear Secret and the run summary's actions
//      (test/e2e/ui-runs.mjs); screenshots go to test/e2e/screenshots/.
// The suite's set-up (workspace copy, demo site, environment) is test/e2e/suite-setup.mjs,
// shared with scripts/e2e/test-electron.mjs.
// Prints one line per check and `N passed, N failed` last; exits 1 when anything failed.
// Every wait is bounded; the server's whole process group is killed in a `finally`.
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { buildSuite, prepareSuiteSession, readSuiteResults, SUITE_ENTRY } from './suite-setup.mjs';
import { secretAndSummaryChecks, SECRET_SPEC, secretSpec } from './ui-runs.mjs';
import { freePort, launchBrowser, missingTools, quickOpen, ROOT, runPalette, startCodeServer, stopCodeServer, withTimeout } from './harness.mjs';

const PORT = Number(process.env.GLEANER_E2E_PORT ?? (await freePort()));
const SCREENSHOTS = join(ROOT, 'test/e2e/screenshots');
const README_SCREENSHOTS = join(ROOT, 'media/screenshots');
const HOST = `127.0.0.1:${PORT}`;

const started = Date.now();
const results = [];
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const log = (line) => console.log(`[e2e ${elapsed()}] ${line}`);

function record(title, ok, detail) {
  results.push({ title, ok });
  console.log(`${ok ? 'ok' : 'not ok'} - ${title}${ok || !detail ? '' : `\n    ${String(detail).split('\n').join('\n    ')}`}`);
}

/** Runs `fn` as one check; a thrown error fails it with the message. */
async function check(title, fn) {
  try {
    await fn();
    record(title, true);
  } catch (error) {
    record(title, false, error instanceof Error ? error.message : error);
  }
}

function preflight() {
  const missing = missingTools();
  if (!existsSync(join(ROOT, 'dist/extension.js'))) missing.push('dist/extension.js (run node esbuild.mjs)');
  if (!existsSync(join(ROOT, 'dist/lsp-client.js'))) missing.push('dist/lsp-client.js (run node esbuild.mjs)');
  if (!existsSync(join(ROOT, 'dist/server.js'))) missing.push('dist/server.js (run node esbuild.mjs)');
  if (!existsSync(join(ROOT, 'dist/webview/preview.js'))) missing.push('dist/webview/preview.js (run node esbuild.mjs)');
  if (missing.length > 0) throw new Error(`missing:\n  ${missing.join('\n  ')}`);
}

/**
 * A page built to misbehave if it were ever rendered as HTML: scripts, event handlers,
 * `javascript:` URLs, an `<iframe srcdoc>`, SVG `onload`, a meta refresh and sub-resources that
 * would each make a request back to this server. The preview must show it as text only.
 */
const HOSTILE_PAGE = `<!DOCTYPE html>
<html><head>
<meta http-equiv="refresh" content="0; url=/probe/meta-refresh">
<link rel="stylesheet" href="/probe/stylesheet.css">
<script>alert('script')</script>
<script src="/probe/script.js"></script>
<base href="/probe/base/">
</head>
<body onload="alert('body onload')">
<img src="/probe/img.png" onerror="alert('img onerror')">
<iframe srcdoc="<script>alert('srcdoc')</script><img src='/probe/srcdoc-img.png'>"></iframe>
<iframe src="/probe/iframe.html"></iframe>
<svg onload="alert('svg onload')"><image href="/probe/svg-image.png"/></svg>
<object data="/probe/object.bin"></object>
<ul class="links">
  <li class="item"><a href="javascript:alert('link')" onclick="alert('click')">Click me</a></li>
  <li class="item"><a href="/probe/plain-link">A plain link</a></li>
  <li class="item"><a href="/probe/style" style="background:url(/probe/inline-style.png)">Styled <b onmouseover="alert('hover')">link</b></a></li>
</ul>
<form action="/probe/form"><input autofocus onfocus="alert('focus')" value="x"></form>
</body></html>
`;

/** Serves the hostile page and robots.txt on a free port, logging every request it receives. */
async function startHostileSite() {
  const { createServer } = await import('node:http');
  const requests = [];
  const server = createServer((req, res) => {
    requests.push({ path: req.url ?? '', userAgent: req.headers['user-agent'] ?? '' });
    if (req.url === '/robots.txt') {
      res.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nAllow: /\n');
    } else if (req.url === '/hostile.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(HOSTILE_PAGE);
    } else {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${server.address().port}`;
  return { origin, requests, close: () => new Promise((r) => server.close(r)) };
}

/** The spec that previews the hostile page (written into the workspace copy only). */
function hostileSpec(origin) {
  return `gleaner: 1
name: hostile-page
description: A page full of active content, to check the preview renders it as text only.
user_agent: "GleanerBot/1.0 (+mailto:e2e@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [research]
  attribution: Gleaner end-to-end tests
politeness:
  delay: 1s
  allow_private_network: true
sources:
  - id: hostile
    kind: scrape
    start_urls:
      - ${origin}/hostile.html
    records:
      selector: li.item
      fields:
        label:
          selector: a
        href:
          selector: a
          attribute: href
output:
  format: jsonl
`;
}

function workbenchUrl(workspace, payload) {
  return `http://${HOST}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

const remote = (path) => `vscode-remote://${HOST}${path}`;

/** Session 1: the mocha suite inside the extension host (`session` from prepareSuiteSession). */
async function runSuite(browser, session) {
  const { workspace, resultsFile, env } = session;
  const suiteName = env.GLEANER_E2E_SUITE;
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  let exit;
  const exited = new Promise((r) => (exit = r));
  await page.exposeFunction('codeAutomationExit', (code) => exit(code)); // before goto
  const url = workbenchUrl(workspace, [
    ['extensionDevelopmentPath', remote(ROOT)],
    ['extensionTestsPath', remote(SUITE_ENTRY)],
    ['extensionEnvironment', JSON.stringify(env)],
  ]);
  const t0 = Date.now();
  await page.goto(url);
  let code;
  try {
    code = await withTimeout(exited, 180_000, 'the extension-host suite to finish (codeAutomationExit)');
  } catch (error) {
    record('extension-host suite finished', false, error.message);
    await page.screenshot({ path: join(SCREENSHOTS, 'suite-timeout.png') }).catch(() => undefined);
    await page.close();
    return;
  }
  log(`suite finished with code ${code} in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (!existsSync(resultsFile)) {
    record('extension-host suite wrote its results', false, `no ${resultsFile}; exit code ${code}`);
  } else {
    const suite = readSuiteResults(resultsFile);
    for (const r of suite) record(`[ext host${suiteName === 'untrusted' ? ', untrusted' : ''}] ${r.title}`, r.ok, r.error);
    const failedInFile = suite.some((r) => !r.ok);
    if ((code === 0) === failedInFile) record('suite exit code agrees with its results', false, `exit code ${code}`);
  }
  await page.close();
}

/** Session 2: the UI as a user sees it. */
async function runUi(browser, workspace, origin, hostile) {
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  // Any alert/confirm/prompt from any frame (the webview's included) is a failure of the hostile check.
  const dialogs = [];
  page.on('dialog', (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss().catch(() => undefined);
  });
  const url = workbenchUrl(workspace, [['extensionDevelopmentPath', remote(ROOT)]]);
  try {
    await page.goto(url);
    await check('[ui] workbench loads with the extension under development', async () => {
      await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
      await withTimeout(page.evaluate(() => window.driver.whenWorkbenchRestored()), 60_000, 'workbench restored');
      // The title gains its prefix once the development extension is registered.
      await page.waitForFunction(() => document.title.includes('Extension Development Host'), undefined, { timeout: 30_000 });
    });
    await check('[ui] broken.collect.yaml opens with the collection-spec language', async () => {
      await quickOpen(page, 'broken.collect.yaml');
      await page.waitForSelector('.statusbar-item:has-text("Gleaner Collection Spec")', { timeout: 20_000 });
    });
    await check('[ui] the Gleaner status bar item shows the server running', async () => {
      await page.waitForSelector('.statusbar-item[aria-label*="Gleaner"] .codicon-pass, .statusbar-item:has-text("Gleaner") .codicon-pass', { timeout: 45_000 });
    });
    const expected = [
      ['unknown key', 'Unknown key `politness`. Did you mean `politeness`?'],
      ['invalid selector', 'Invalid CSS selector'],
      ['SPDX licence', '`Apache 2.0` is not an SPDX licence id'],
    ];
    await page.keyboard.press('Control+Shift+M');
    for (const [what, text] of expected) {
      await check(`[ui] Problems panel shows the ${what} diagnostic`, async () => {
        const row = page.locator('.markers-panel .monaco-list-row', { hasText: text }).first();
        await row.waitFor({ timeout: 45_000 });
        const inner = await row.innerText();
        if (!inner.includes(text)) throw new Error(`row text: ${inner}`);
      });
    }
    await page.screenshot({ path: join(SCREENSHOTS, 'diagnostics.png') });
    await check('[ui] the Gleaner sidebar lists the specs and, under a spec, its sources', async () => {
      await runPalette(page, 'Gleaner: Focus on Collection Specs View');
      const tree = page.locator('.sidebar .pane:has(.pane-header:has-text("Collection Specs")) .monaco-list');
      const spec = tree.locator('.monaco-list-row:has-text("books.collect.yaml")').first();
      await spec.waitFor({ timeout: 20_000 });
      await tree.locator('.monaco-list-row:has-text("broken.collect.yaml")').first().waitFor({ timeout: 5_000 });
      await spec.locator('.monaco-tl-twistie').click();
      await tree.locator('.monaco-list-row:has-text("catalogue")').first().waitFor({ timeout: 20_000 });
      await tree.locator('.monaco-list-row:has-text("api-books")').first().waitFor({ timeout: 5_000 });
      // The extension-host suite ran the catalogue source in this workspace, so its manifest is listed.
      await tree.locator('.monaco-list-row:has-text("Recent runs")').first().waitFor({ timeout: 10_000 });
      const specRows = await tree.locator('.monaco-list-row:has-text(".collect.yaml")').allInnerTexts();
      if (specRows.some((t) => t.includes('spec.collect.yaml'))) throw new Error(`a run's spec copy is listed: ${specRows.join(' | ')}`);
    });
    await page.screenshot({ path: join(SCREENSHOTS, 'sidebar.png') });
    const frame = page.frameLocator('iframe.webview.ready').frameLocator('iframe#active-frame');
    // Hide the Problems panel so the preview gets the window's height (and the screenshot shows it).
    await page.keyboard.press('Control+J');
    await check('[ui] Preview Source from the palette shows the source in a webview', async () => {
      await quickOpen(page, 'books.collect.yaml');
      await runPalette(page, 'Gleaner: Preview Source');
      // books.collect.yaml has two sources, so the command asks which one.
      await page.waitForSelector('.quick-input-list .monaco-list-row:has-text("catalogue")', { timeout: 15_000 });
      await page.keyboard.type('catalogue');
      await page.keyboard.press('Enter');
      const heading = frame.locator('h1');
      await heading.waitFor({ timeout: 20_000 });
      const text = await heading.innerText();
      if (text !== 'Source catalogue') throw new Error(`heading is "${text}"`);
      await frame.locator('#run-source').waitFor({ timeout: 5_000 });
    });
    await check('[ui] the preview shows the demo page\'s response, 20 records and the match counts', async () => {
      await frame.locator('#records tbody tr').nth(19).waitFor({ timeout: 30_000 });
      const rows = await frame.locator('#records tbody tr').count();
      if (rows !== 20) throw new Error(`${rows} rows`);
      const url = await frame.locator('#facts code.url').first().innerText();
      if (url !== `${origin}/catalogue/page-1.html`) throw new Error(`URL is "${url}"`);
      const status = await frame.locator('#status').innerText();
      if (status.trim() !== '200') throw new Error(`status is "${status}"`);
      const first = await frame.locator('#records tbody tr').first().innerText();
      if (!first.includes('A Light in the Attic') && !/\d+\.\d{2}/.test(first)) throw new Error(`first row: ${first}`);
      const title = await frame.locator('#fields .field[data-field="title"] .count').innerText();
      if (title !== '20/20') throw new Error(`title count ${title}`);
      const marks = await frame.locator('#page-source mark').count();
      if (marks !== 20) throw new Error(`${marks} marked title elements in the page source`);
    });
    await page.screenshot({ path: join(SCREENSHOTS, 'preview.png') });
    await check('[ui] editing a selector in the editor updates the table from the cached response', async () => {
      // Focus the spec's editor group and go to the title field's selector (line 24: `selector: h3 a`).
      await page.keyboard.press('Control+1');
      await page.keyboard.press('Control+G');
      await page.waitForSelector('.quick-input-widget input:focus', { timeout: 10_000 });
      await page.keyboard.type('24');
      await page.keyboard.press('Enter');
      await page.keyboard.press('End');
      await page.keyboard.press('Backspace');
      await page.keyboard.type('em');
      const zero = frame.locator('#fields .field.zero[data-field="title"]');
      await zero.waitFor({ timeout: 15_000 });
      const count = await zero.locator('.count').innerText();
      if (count !== '0/20') throw new Error(`title count after the edit: ${count}`);
      // Back to `h3 a`: the counts return without a refresh.
      await page.keyboard.press('Backspace');
      await page.keyboard.press('Backspace');
      await page.keyboard.type('a');
      await frame.locator('#fields .field[data-field="title"]:not(.zero)').waitFor({ timeout: 15_000 });
      const after = await frame.locator('#records tbody tr').count();
      if (after !== 20) throw new Error(`${after} rows after the edit was undone`);
    });
    await check('[ui] the preview follows the cursor to the source under it', async () => {
      // The editor still has focus after the edit above; line 31 is inside the api-books source.
      await page.keyboard.press('Control+G');
      await page.waitForSelector('.quick-input-widget input:focus', { timeout: 10_000 });
      await page.keyboard.type('31');
      await page.keyboard.press('Enter');
      await frame.locator('h1:has-text("Source api-books")').waitFor({ timeout: 15_000 });
      await page.keyboard.press('Control+G');
      await page.waitForSelector('.quick-input-widget input:focus', { timeout: 10_000 });
      await page.keyboard.type('24');
      await page.keyboard.press('Enter');
      await frame.locator('h1:has-text("Source catalogue")').waitFor({ timeout: 15_000 });
      await frame.locator('#records tbody tr').nth(19).waitFor({ timeout: 15_000 });
    });
    await check('[ui] a hostile page previews as text: nothing runs, nothing loads', async () => {
      const before = hostile.requests.length;
      await quickOpen(page, 'hostile.collect.yaml');
      await runPalette(page, 'Gleaner: Preview Source');
      await frame.locator('h1:has-text("Source hostile")').waitFor({ timeout: 20_000 });
      await frame.locator('#records tbody tr').nth(2).waitFor({ timeout: 30_000 });
      const source = await frame.locator('#page-source').innerText();
      if (!source.includes("<script>alert('script')</script>")) throw new Error('the page source is not shown as text');
      const marks = await frame.locator('#page-source mark').count();
      if (marks < 3) throw new Error(`${marks} marks`);
      // Only what VS Code and the panel put there: VS Code's API script, the panel's CSP and its
      // module script. No script, iframe, img, svg, object, meta or base from the page exists.
      const found = await frame
        .locator('script, iframe, img, svg, object, embed, meta[http-equiv], base, link:not([rel="stylesheet"])')
        .evaluateAll((els) => els.map((e) => ({ tag: e.tagName.toLowerCase(), id: e.id, src: e.getAttribute('src') ?? '', equiv: e.getAttribute('http-equiv') ?? '', content: e.getAttribute('content') ?? '', html: e.outerHTML.slice(0, 120) })));
      const ours = (e) =>
        (e.tag === 'script' && e.id === '_vscodeApiScript') ||
        (e.tag === 'script' && /\/dist\/webview\/preview\.js$/.test(e.src)) ||
        (e.tag === 'meta' && e.equiv === 'Content-Security-Policy' && e.content.startsWith("default-src 'none'; script-src 'nonce-"));
      const foreign = found.filter((e) => !ours(e));
      if (foreign.length > 0) throw new Error(`elements from the page in the webview DOM: ${foreign.map((e) => e.html).join(' | ')}`);
      // Hover and click the rendered link text: with live HTML these would fire handlers.
      await frame.locator('#records tbody tr').first().click();
      await page.screenshot({ path: join(SCREENSHOTS, 'preview-hostile.png') });
      if (dialogs.length > 0) throw new Error(`dialogs opened: ${dialogs.join(', ')}`);
      const made = hostile.requests.slice(before);
      const paths = made.map((r) => r.path).sort();
      if (JSON.stringify(paths) !== JSON.stringify(['/hostile.html', '/robots.txt'])) throw new Error(`requests to the hostile site: ${JSON.stringify(made)}`);
      for (const r of made) if (!r.userAgent.startsWith('GleanerBot/1.0')) throw new Error(`a request without the spec's user agent: ${JSON.stringify(r)}`);
    });
    await check('[ui] the preview survives a reload of the webview, from its saved state and the server\'s cache', async () => {
      const before = hostile.requests.length;
      await runPalette(page, 'Developer: Reload Webviews');
      // The reloaded page renders the state it saved, then asks the host, which answers from the cache.
      await frame.locator('h1:has-text("Source hostile")').waitFor({ timeout: 20_000 });
      await frame.locator('#records tbody tr').nth(2).waitFor({ timeout: 20_000 });
      await frame.locator('#facts dd:has-text("cached")').waitFor({ timeout: 20_000 });
      if (hostile.requests.length !== before) throw new Error(`the reload fetched again: ${JSON.stringify(hostile.requests.slice(before))}`);
      if (dialogs.length > 0) throw new Error(`dialogs opened: ${dialogs.join(', ')}`);
    });
    await secretAndSummaryChecks(page, workspace, check, join(SCREENSHOTS, 'failure-runs.png'));
  } catch (error) {
    record('[ui] session', false, error instanceof Error ? error.message : error);
    await page.screenshot({ path: join(SCREENSHOTS, 'failure.png') }).catch(() => undefined);
  } finally {
    await page.close();
  }
}

async function main() {
  let trusted;
  let untrusted;
  let hostile;
  let server;
  let browser;
  let run;
  try {
    preflight();
    if (process.env.GLEANER_E2E_SKIP_BUILD !== '1') {
      const build = spawnSync(process.execPath, ['esbuild.mjs'], { cwd: ROOT, stdio: 'inherit' });
      if (build.status !== 0) throw new Error('node esbuild.mjs failed');
    }
    await buildSuite();
    mkdirSync(SCREENSHOTS, { recursive: true });
    run = mkdtempSync(join(tmpdir(), 'gleaner-e2e-'));
    // The suite's set-up (workspace copy, demo site, environment), as scripts/e2e/test-electron.mjs
    // does it; the UI session then uses the same workspace, with two specs more.
    trusted = await prepareSuiteSession(run, { suite: 'trusted' });
    const { workspace, demo } = trusted;
    hostile = await startHostileSite();
    writeFileSync(join(workspace, 'hostile.collect.yaml'), hostileSpec(hostile.origin));
    writeFileSync(join(workspace, SECRET_SPEC), secretSpec(demo.origin));
    log(`run directory ${run}, port ${PORT}, demo site ${demo.origin}`);
    server = await startCodeServer(join(run, 'trusted'), { host: HOST, workspace, trusted: true, smokeTestDriver: true });
    log('code-server ready');
    browser = await launchBrowser();
    await runSuite(browser, trusted);
    await runUi(browser, workspace, demo.origin, hostile);
    await stopCodeServer(server);
    // Restricted Mode needs a server started without --disable-workspace-trust, and a fresh
    // copy of the workspace (no runs/ from the trusted suite), with a demo site of its own, so
    // that its request log covers exactly the untrusted session.
    untrusted = await prepareSuiteSession(run, { suite: 'untrusted' });
    server = await startCodeServer(join(run, 'untrusted'), { host: HOST, workspace: untrusted.workspace, trusted: false, smokeTestDriver: true });
    log(`code-server (workspace trust on) ready; demo site for it at ${untrusted.demo.origin}`);
    await runSuite(browser, untrusted);
    // Stop the server first: anything still in flight (the language server's robots.txt checks
    // of the open specs) would then have arrived.
    await stopCodeServer(server);
    await check('[untrusted] no request reached the demo site during the whole session (open spec, Run, Preview, robots check)', async () => {
      const made = untrusted.demo.requests.map((r) => `${r.method} ${r.path} (${r.userAgent})`);
      if (made.length !== 0) throw new Error(`${made.length} request(s): ${made.join(', ')}`);
    });
    if (existsSync(join(SCREENSHOTS, 'diagnostics.png'))) {
      mkdirSync(README_SCREENSHOTS, { recursive: true });
      copyFileSync(join(SCREENSHOTS, 'diagnostics.png'), join(README_SCREENSHOTS, 'diagnostics.png'));
    }
    if (existsSync(join(SCREENSHOTS, 'preview.png'))) {
      mkdirSync(README_SCREENSHOTS, { recursive: true });
      copyFileSync(join(SCREENSHOTS, 'preview.png'), join(README_SCREENSHOTS, 'preview.png'));
    }
  } catch (error) {
    record('e2e harness', false, error instanceof Error ? error.message : error);
  } finally {
    await browser?.close().catch(() => undefined);
    await stopCodeServer(server);
    await trusted?.close().catch(() => undefined);
    await untrusted?.close().catch(() => undefined);
    await hostile?.close();
    const failed = results.filter((r) => !r.ok).length;
    if (run && failed === 0 && process.env.GLEANER_E2E_KEEP !== '1') rmSync(run, { recursive: true, force: true });
    else if (run) log(`kept ${run} (server.log, suite-results.json) for inspection`);
    log(`wall time ${elapsed()}`);
    console.log(`${results.length - failed} passed, ${failed} failed`);
    process.exitCode = failed === 0 && results.length > 0 ? 0 : 1;
  }
}

await main();
