/**
 * Tests that run inside a real VS Code extension host (code-server), against the workspace copied
 * from test/e2e/workspace. Every wait is on a VS Code event, bounded by a timeout.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'gleaner.gleaner';

/** Resolves with the first value `check` returns, re-checking on each `event`; rejects after `ms`. */
function waitFor<T>(event: vscode.Event<unknown>, check: () => T | undefined, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const first = check();
    if (first !== undefined) return resolve(first);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const sub = event(() => {
      const value = check();
      if (value === undefined) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(value);
    });
  });
}

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

suite('Gleaner in a real VS Code', () => {
  test('the extension is present and activates', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded`);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  test('every contributed command is registered', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    await extension.activate();
    const contributed = (extension.packageJSON.contributes.commands as { command: string }[]).map((c) => c.command);
    assert.ok(contributed.length >= 12, `at least 12 commands contributed, found ${contributed.length}`);
    const registered = new Set(await vscode.commands.getCommands(true));
    const missing = contributed.filter((id) => !registered.has(id));
    assert.deepEqual(missing, [], `commands without a handler: ${missing.join(', ')}`);
  });

  test('a *.collect.yaml file gets the collection-spec language', async () => {
    const doc = await vscode.workspace.openTextDocument(workspaceFile('books.collect.yaml'));
    assert.equal(doc.languageId, 'collection-spec');
  });

  test('the language server reports the broken spec\'s mistakes', async () => {
    const uri = workspaceFile('broken.collect.yaml');
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);
    const expected = ['unknown-key', 'invalid-selector', 'licence-unknown-id'];
    const diagnostics = await waitFor(
      vscode.languages.onDidChangeDiagnostics,
      () => {
        const all = vscode.languages.getDiagnostics(uri);
        const codes = new Set(all.map((d) => String(typeof d.code === 'object' ? d.code.value : d.code)));
        return expected.every((c) => codes.has(c)) ? all : undefined;
      },
      45_000,
      'the three diagnostics of broken.collect.yaml',
    );
    const byCode = (code: string): vscode.Diagnostic => {
      const found = diagnostics.find((d) => String(typeof d.code === 'object' ? d.code.value : d.code) === code);
      assert.ok(found, `a ${code} diagnostic`);
      return found;
    };
    const key = byCode('unknown-key');
    assert.match(key.message, /Unknown key `politness`\. Did you mean `politeness`\?/);
    assert.equal(key.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(key.range.start.line, 9);
    const selector = byCode('invalid-selector');
    assert.match(selector.message, /Invalid CSS selector/);
    assert.equal(selector.range.start.line, 17);
    const licence = byCode('licence-unknown-id');
    assert.match(licence.message, /`Apache 2\.0` is not an SPDX licence id; did you mean `Apache-2\.0`\?/);
    assert.equal(licence.range.start.line, 7);
  });

  test('the server\'s CodeLens offer Preview and Run for each source', async () => {
    const uri = workspaceFile('books.collect.yaml');
    await vscode.workspace.openTextDocument(uri);
    const lenses = (await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', uri)) ?? [];
    const commands = lenses.map((l) => `${l.command?.command} ${JSON.stringify(l.command?.arguments?.slice(1))}`).sort();
    assert.deepEqual(commands, [
      'gleaner.previewSource ["api-books"]',
      'gleaner.previewSource ["catalogue"]',
      'gleaner.runCollection ["api-books"]',
      'gleaner.runCollection ["catalogue"]',
    ]);
  });

  test('Preview Source opens a webview panel for the source', async () => {
    const uri = workspaceFile('books.collect.yaml');
    await vscode.commands.executeCommand('gleaner.previewSource', uri.toString(), 'catalogue');
    const tab = await waitFor(
      vscode.window.tabGroups.onDidChangeTabs,
      () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Preview: catalogue'),
      15_000,
      'the preview tab',
    );
    assert.ok(tab);
  });

  test('the preview panel can be restored after a reload: its view type activates the extension', () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    const events = extension.packageJSON.activationEvents as string[];
    assert.ok(events.includes('onWebviewPanel:gleaner.preview'), `activationEvents: ${events.join(', ')}`);
  });

  test('Preview Source for another source reuses the one preview panel', async () => {
    const uri = workspaceFile('books.collect.yaml');
    await vscode.commands.executeCommand('gleaner.previewSource', uri.toString(), 'api-books');
    const tab = await waitFor(
      vscode.window.tabGroups.onDidChangeTabs,
      () => vscode.window.tabGroups.all.flatMap((g) => g.tabs).find((t) => t.input instanceof vscode.TabInputWebview && t.label === 'Preview: api-books'),
      15_000,
      'the preview tab retitled for api-books',
    );
    assert.ok(tab);
    const previews = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview && t.label.startsWith('Preview: '));
    assert.equal(previews.length, 1, 'one preview panel');
    // Back to the catalogue, which the UI session checks.
    await vscode.commands.executeCommand('gleaner.previewSource', uri.toString(), 'catalogue');
  });

  test('Run Collection runs the CLI on the demo site and leaves a completed run with its manifest', async () => {
    const uri = workspaceFile('books.collect.yaml');
    const runsDir = join(uri.fsPath, '..', 'runs');
    // Run folders only: the output directory also holds dot-folders such as the HTTP cache.
    const runFolders = (): string[] => (existsSync(runsDir) ? readdirSync(runsDir).filter((d) => !d.startsWith('.')) : []);
    const before = runFolders();
    // The command resolves when the CLI has exited (the progress notification is then closed).
    await vscode.commands.executeCommand('gleaner.runCollection', uri.toString(), 'catalogue');
    assert.ok(existsSync(runsDir), `${runsDir} was created`);
    const created = runFolders().filter((d) => !before.includes(d));
    assert.equal(created.length, 1, `one new run directory, found ${JSON.stringify(created)}`);
    const manifest = JSON.parse(readFileSync(join(runsDir, created[0], 'manifest.json'), 'utf8')) as {
      status: string;
      counts: { records: number; pages_fetched: number };
      sources: { id: string }[];
      skips: unknown[];
    };
    assert.equal(manifest.status, 'completed');
    assert.equal(manifest.counts.pages_fetched, 1, `one page fetched; the manifest's skips: ${JSON.stringify(manifest.skips)}`);
    assert.equal(manifest.counts.records, 20);
    assert.deepEqual(manifest.sources.map((s) => s.id), ['catalogue']);
    const records = readFileSync(join(runsDir, created[0], 'records.jsonl'), 'utf8').trim().split('\n');
    assert.equal(records.length, 20);
  });

  test('Check robots.txt asks the language server, which reads the demo site\'s robots.txt', async () => {
    const origin = process.env.GLEANER_E2E_DEMO_ORIGIN;
    assert.ok(origin, 'GLEANER_E2E_DEMO_ORIGIN is set by run.mjs');
    const blocked = await vscode.commands.executeCommand<{ allowed: boolean; basis: string; rule?: { line: number; text: string } }>('gleaner.checkRobots', `${origin}/private/staff.html`, 'GleanerBot/1.0');
    assert.ok(blocked, 'a verdict');
    assert.equal(blocked.allowed, false);
    assert.equal(blocked.basis, 'rule');
    assert.match(blocked.rule?.text ?? '', /^Disallow:\s*\/private\//);
    const allowed = await vscode.commands.executeCommand<{ allowed: boolean }>('gleaner.checkRobots', `${origin}/catalogue/page-1.html`, 'GleanerBot/1.0');
    assert.equal(allowed?.allowed, true);
    const bad = await vscode.commands.executeCommand<{ allowed: boolean }>('gleaner.checkRobots', `${origin}/catalogue/page-1.html`, 'BadBot');
    assert.equal(bad?.allowed, false);
  });
  test('a crashed language server is restarted: a new process answers and republishes diagnostics', async () => {
    // The server is a child of this extension host (IPC transport), started from dist/server.js.
    const serverPids = (): number[] =>
      execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' })
        .split('\n')
        .filter((line) => line.includes('dist/server.js'))
        .map((line) => Number(line.trim().split(/\s+/)[0]));
    const before = serverPids();
    assert.equal(before.length, 1, `one language server process, found ${JSON.stringify(before)}`);
    const uri = workspaceFile('broken.collect.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    process.kill(before[0], 'SIGKILL');
    // vscode-languageclient restarts it (the error handler allows 4 crashes in 3 minutes).
    const deadline = Date.now() + 30_000;
    let after: number[] = [];
    while (Date.now() < deadline) {
      after = serverPids().filter((pid) => pid !== before[0]);
      if (after.length === 1) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(after.length, 1, 'a new language server process within 30 s');
    // The new server validates the spec again and answers requests (through the shared message types).
    await waitFor(
      vscode.languages.onDidChangeDiagnostics,
      () => (vscode.languages.getDiagnostics(uri).some((d) => String(typeof d.code === 'object' ? d.code.value : d.code) === 'unknown-key') ? true : undefined),
      30_000,
      'the restarted server\'s diagnostics of broken.collect.yaml',
    );
    // Its network gate stays closed (basis `network-disabled`) until it has pulled the settings,
    // so the verdict is asked for until it is a real one, for at most 15 s.
    const origin = process.env.GLEANER_E2E_DEMO_ORIGIN;
    let verdict: { allowed: boolean; basis: string } | undefined;
    for (const until = Date.now() + 15_000; Date.now() < until; await new Promise((r) => setTimeout(r, 250))) {
      verdict = await vscode.commands.executeCommand<{ allowed: boolean; basis: string }>('gleaner.checkRobots', `${origin}/catalogue/page-1.html`, 'GleanerBot/1.0');
      if (verdict && verdict.basis !== 'network-disabled') break;
    }
    assert.equal(verdict?.allowed, true, `verdict of the restarted server: ${JSON.stringify(verdict)}`);
  });
});
