/**
 * New Collection Spec from a URL in a real VS Code: `gleaner.createSpec` with `{ url }` (the
 * automation argument that skips the prompt) asks the language server to fetch a demo-site page
 * and propose a spec, writes it next to the workspace's specs without overwriting anything, and
 * opens it. The demo site is started by run.mjs, which passes its origin in
 * GLEANER_E2E_DEMO_ORIGIN.
 */
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'gleaner.gleaner';

suite('New Collection Spec from a URL', () => {
  const created: vscode.Uri[] = [];

  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded`);
    await extension.activate();
  });

  suiteTeardown(async () => {
    // The files must not linger: later sessions quick-open specs of this workspace by name.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    for (const uri of created) rmSync(uri.fsPath, { force: true });
  });

  test('from a listing page: writes <name>.collect.yaml with article.product_pod records and opens it; a second time adds -2', async () => {
    const origin = process.env.GLEANER_E2E_DEMO_ORIGIN;
    assert.ok(origin, 'GLEANER_E2E_DEMO_ORIGIN is set by run.mjs');
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is open');

    const first = await vscode.commands.executeCommand<vscode.Uri | undefined>('gleaner.createSpec', { url: `${origin}/catalogue/page-1.html` });
    assert.ok(first, 'createSpec resolved with the new file');
    created.push(first);
    assert.equal(dirname(first.fsPath), folder.uri.fsPath, 'written in the first workspace folder');
    assert.match(basename(first.fsPath), /^[A-Za-z0-9][\w-]*\.collect\.yaml$/);
    assert.ok(existsSync(first.fsPath));
    const text = readFileSync(first.fsPath, 'utf8');
    assert.match(text, /selector: "?article\.product_pod"?/);
    assert.ok(text.includes(`${origin}/catalogue/page-1.html`), 'the start URL is the one given');
    const name = /^name:[ \t]*"?([^"\r\n#]*?)"?[ \t]*$/m.exec(text)?.[1]?.trim();
    assert.ok(name, 'the proposal has a name');
    assert.equal(basename(first.fsPath), `${name}.collect.yaml`, 'the file is named after the spec');

    const editor = vscode.window.activeTextEditor;
    assert.ok(editor, 'an editor is open');
    assert.equal(editor.document.uri.fsPath, first.fsPath, 'the new spec is the active editor');
    assert.equal(editor.document.languageId, 'collection-spec');

    // The same URL again: a new file beside the first, which is left exactly as it was.
    const second = await vscode.commands.executeCommand<vscode.Uri | undefined>('gleaner.createSpec', { url: `${origin}/catalogue/page-1.html` });
    assert.ok(second);
    created.push(second);
    assert.notEqual(second.fsPath, first.fsPath);
    assert.equal(basename(second.fsPath), basename(first.fsPath).replace(/\.collect\.yaml$/, '-2.collect.yaml'));
    assert.equal(readFileSync(first.fsPath, 'utf8'), text, 'the first file was not overwritten');
    assert.equal(vscode.window.activeTextEditor?.document.uri.fsPath, second.fsPath);
  });

  test('a URL robots.txt disallows creates no file', async () => {
    const origin = process.env.GLEANER_E2E_DEMO_ORIGIN;
    assert.ok(origin);
    const result = await vscode.commands.executeCommand<vscode.Uri | undefined>('gleaner.createSpec', { url: `${origin}/private/staff.html` });
    assert.equal(result, undefined);
  });
});
