// UI checks of Set Secret / Clear Secret and of the end-of-run notification, driven through the
// palette, the quick input and the notification center of a real workbench (test/e2e/run.mjs
// calls them in its UI session). The spec they use reads the demo API, which answers 401 without
// the right X-API-Key, through `${secret:GLEANER_E2E_API_KEY}`: a completed run with records is
// the proof that the stored secret reached the run. With the smoke-test driver on, toasts are
// hidden, so notifications are read (and their buttons clicked) in the notification center.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';

import { quickOpen, runPalette } from './harness.mjs';

export const SECRET_NAME = 'GLEANER_E2E_API_KEY';
export const SECRET_SPEC = 'secret-api.collect.yaml';
// The demo API's key (language-server/src/demo-site/api.ts, DEMO_CREDENTIALS.apiKey).
const DEMO_API_KEY = 'demo-key';
// What the demo API's first page gives under the spec's rule `price ≤ 20` (its data is seeded).
const EXPECTED = { records: 6, failed: 14 };

/**
 * One page of the demo API, its key from a stored secret. The `max: 20` price rule sends some
 * records to the failed-records file, so the summary offers all four of its actions.
 */
export function secretSpec(origin) {
  return `gleaner: 1
name: secret-api
description: The demo API's first page of books, with its API key from a stored secret.
user_agent: "GleanerBot/1.0 (+mailto:e2e@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: research
  attribution: Demo Bookshop
politeness:
  delay: 0.1s
  allow_private_network: true
  budget:
    pages: 1
sources:
  - id: api-books
    kind: api
    request:
      url: ${origin}/api/v1/books
      headers:
        X-API-Key: \${secret:${SECRET_NAME}}
    records:
      path: $.items[*]
      fields:
        title:
          path: $.title
        price:
          path: $.price
records:
  fields:
    price:
      type: number
      max: 20
output:
  format: jsonl
`;
}

/** The run folders of the secret spec, oldest first. */
function runFolders(workspace) {
  const dir = join(workspace, 'runs');
  return existsSync(dir) ? readdirSync(dir).filter((d) => d.startsWith('secret-api-')).sort() : [];
}

/** Shows the notification center (unless it is showing) and returns the first item with `text`. */
async function notification(page, text, timeout) {
  if ((await page.locator('.notifications-center.visible').count()) === 0) await page.click('[id="status.notifications"]', { timeout: 5_000 });
  const item = page.locator('.notifications-center .notification-list-item', { hasText: text }).first();
  await item.waitFor({ timeout });
  return item;
}

/** Hides the notification center, so that it does not cover the editor or take the keyboard. */
async function hideNotifications(page) {
  if ((await page.locator('.notifications-center.visible').count()) > 0) await page.click('[id="status.notifications"]', { timeout: 5_000 });
}

/** Clicks the button `label` of a notification-center item, expanding the item when needed. */
async function clickAction(item, label) {
  const button = item.locator('.notification-list-item-buttons-container .monaco-button', { hasText: label }).first();
  if (!(await button.isVisible())) await item.locator('.codicon-notifications-expand').first().click({ timeout: 5_000 });
  await button.click({ timeout: 5_000 });
}

/**
 * Waits (at most `timeout` ms) until the active editor's rendered text satisfies `looksRight`; the
 * text can lag the tab by a frame or two. Returns the last text seen.
 */
async function activeEditorText(page, looksRight, timeout = 10_000) {
  const lines = page.locator('.editor-group-container.active .monaco-editor .view-lines').first();
  let text = '';
  for (const until = Date.now() + timeout; Date.now() < until; await page.waitForTimeout(100)) {
    text = await lines.innerText().catch(() => '');
    if (looksRight(text)) break;
  }
  return text;
}

/**
 * Makes the secret spec the active editor (the palette offers Run Collection only for a spec).
 * Once it is open, its tab is clicked: Quick Open left another editor active after a run file
 * had opened in the other editor group. The result is checked either way.
 */
async function focusSpec(page) {
  const tab = page.locator(`.tabs-container .tab[aria-label^="${SECRET_SPEC}"]`).first();
  if ((await tab.count()) > 0) await tab.click({ timeout: 5_000 });
  else await quickOpen(page, SECRET_SPEC);
  await page.locator(`.editor-group-container.active .tab.active[aria-label^="${SECRET_SPEC}"]`).waitFor({ timeout: 5_000 });
}

/** The active editor's file is in `runDir` (this run's, not an earlier one's): its breadcrumbs say so. */
async function expectBreadcrumbs(page, runDir) {
  const crumbs = await page.locator('.editor-group-container.active .breadcrumbs-control').first().innerText();
  if (!crumbs.includes(basename(runDir))) throw new Error(`breadcrumbs: ${crumbs.replace(/\s+/g, ' ')} (expected ${basename(runDir)})`);
}

/** Runs the secret spec from the palette and returns its notification once the run has ended. */
async function runAndAwaitSummary(page, workspace) {
  const before = runFolders(workspace);
  await focusSpec(page);
  await runPalette(page, 'Gleaner: Run Collection');
  const item = await notification(page, 'Gleaner run ', 30_000);
  const text = await item.locator('.notification-list-item-message').innerText();
  const created = runFolders(workspace).filter((d) => !before.includes(d));
  return { item, text, runDir: created.length === 1 ? join(workspace, 'runs', created[0]) : undefined, created };
}

/**
 * The checks, each through `check(title, fn)` of the caller. `workspace` is the folder the
 * workbench has open (the secret spec is written there by the caller); a failed check leaves a
 * screenshot at `failureShot`.
 */
export async function secretAndSummaryChecks(page, workspace, report, failureShot) {
  const check = (title, fn) =>
    report(title, async () => {
      try {
        await fn();
      } catch (error) {
        await page.screenshot({ path: failureShot }).catch(() => undefined);
        throw error;
      }
    });
  await check('[ui] Set Secret offers the spec\'s ${secret:NAME} and stores the value typed in a password box', async () => {
    await focusSpec(page);
    await runPalette(page, 'Gleaner: Set Secret');
    // The active spec references the name, so it is offered first, marked as not stored.
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: SECRET_NAME }).first();
    await row.waitFor({ timeout: 10_000 });
    if (!(await row.innerText()).includes('not stored')) throw new Error(`quick pick row: ${await row.innerText()}`);
    await page.keyboard.press('Enter');
    const box = page.locator('.quick-input-widget input[type="password"]');
    await box.waitFor({ timeout: 10_000 });
    await page.keyboard.type(DEMO_API_KEY);
    await page.keyboard.press('Enter');
    await notification(page, `Secret ${SECRET_NAME} stored`, 10_000);
    await hideNotifications(page);
  });

  await check('[ui] a run of the spec sends the stored secret (the demo API accepts it); the summary counts the records, and its "Failed Records" action opens the run\'s failed.jsonl', async () => {
    const { item, text, runDir, created } = await runAndAwaitSummary(page, workspace);
    if (!text.includes(`Gleaner run completed: ${EXPECTED.records} records, ${EXPECTED.failed} failed`)) throw new Error(`summary: ${text}`);
    if (!runDir) throw new Error(`run folders created: ${JSON.stringify(created)}`);
    const records = readFileSync(join(runDir, 'records.jsonl'), 'utf8').trim().split('\n');
    if (records.length !== EXPECTED.records) throw new Error(`${records.length} records in ${runDir}`);
    // The key reached the request, never a file the run wrote.
    for (const name of readdirSync(runDir)) {
      const path = join(runDir, name);
      if (name.includes('.') && readFileSync(path, 'utf8').includes(DEMO_API_KEY)) throw new Error(`${name} contains the secret's value`);
    }
    // This run's notification is used by the next check.
    await clickAction(item, 'Failed Records');
    await page.waitForSelector('.tabs-container .tab.active[aria-label^="failed.jsonl"]', { timeout: 10_000 });
    const shown = await activeEditorText(page, (t) => t.includes('price'));
    if (!shown.includes('price')) throw new Error(`failed.jsonl shows: ${shown.slice(0, 200)}`);
    await expectBreadcrumbs(page, runDir);
    await hideNotifications(page);
  });

  // Each action closes its notification, so each of the other three gets a run of its own.
  const actions = [
    ['Manifest', 'manifest.json', (t) => t.includes('"status"') && t.includes('completed')],
    ['Datasheet', 'datasheet.md', (t) => /datasheet/i.test(t)],
    ['Open Output', 'records.jsonl', (t) => t.includes('"title"') && t.includes('"price"')],
  ];
  for (const [label, file, looksRight] of actions) {
    await check(`[ui] the run summary's "${label}" action opens the run's ${file}`, async () => {
      const { item, text, runDir } = await runAndAwaitSummary(page, workspace);
      if (!text.startsWith('Gleaner run completed')) throw new Error(`summary: ${text}`);
      await clickAction(item, label);
      await page.waitForSelector(`.tabs-container .tab.active[aria-label^="${file}"]`, { timeout: 10_000 });
      const shown = await activeEditorText(page, looksRight);
      if (!looksRight(shown)) throw new Error(`${file} shows: ${shown.slice(0, 200)}`);
      if (!runDir) throw new Error('no new run folder');
      await expectBreadcrumbs(page, runDir);
      await hideNotifications(page);
    });
  }

  await check('[ui] Clear Secret deletes it; Run Collection then refuses with an error naming the missing secret', async () => {
    await runPalette(page, 'Gleaner: Clear Secret');
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: SECRET_NAME }).first();
    await row.waitFor({ timeout: 10_000 });
    await page.keyboard.press('Enter');
    await notification(page, `Secret ${SECRET_NAME} deleted`, 10_000);
    await hideNotifications(page);
    const before = runFolders(workspace);
    await focusSpec(page);
    await runPalette(page, 'Gleaner: Run Collection');
    const item = await notification(page, `\${secret:${SECRET_NAME}}`, 15_000);
    const text = await item.locator('.notification-list-item-message').innerText();
    if (!/not stored/.test(text) || !text.includes('Gleaner: Set Secret')) throw new Error(`error: ${text}`);
    const after = runFolders(workspace);
    if (after.length !== before.length) throw new Error(`a run folder was created without the secret: ${after.filter((d) => !before.includes(d)).join(', ')}`);
    await hideNotifications(page);
  });
}
