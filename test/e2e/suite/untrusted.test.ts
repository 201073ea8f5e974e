/**
 * Tests for Restricted Mode: the same extension in a workspace that is NOT trusted. Gleaner must
 * still check specs, but refuse runs and previews, even when the commands are invoked directly.
 */
import * as assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return vscode.Uri.joinPath(folder.uri, name);
}

function codeOf(d: vscode.Diagnostic): string {
  return String(typeof d.code === 'object' ? d.code.value : d.code);
}

suite('Gleaner in an untrusted workspace', () => {
  test('the workspace is untrusted and the extension still activates', async () => {
    assert.equal(vscode.workspace.isTrusted, false);
    const extension = vscode.extensions.getExtension('gleaner.gleaner');
    assert.ok(extension);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  test('specs are still checked', async () => {
    const uri = workspaceFile('broken.collect.yaml');
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const codes = await new Promise<string[]>((resolve, reject) => {
      const read = (): string[] | undefined => {
        const found = vscode.languages.getDiagnostics(uri).map(codeOf);
        return found.includes('unknown-key') && found.includes('invalid-selector') ? found : undefined;
      };
      const first = read();
      if (first) return resolve(first);
      const timer = setTimeout(() => {
        sub.dispose();
        reject(new Error('timed out after 45000 ms waiting for diagnostics'));
      }, 45_000);
      const sub = vscode.languages.onDidChangeDiagnostics(() => {
        const found = read();
        if (!found) return;
        clearTimeout(timer);
        sub.dispose();
        resolve(found);
      });
    });
    assert.ok(codes.includes('licence-unknown-id'));
  });

  test('Run Collection invoked directly is refused: no run directory appears', async () => {
    const uri = workspaceFile('books.collect.yaml');
    await vscode.commands.executeCommand('gleaner.runCollection', uri.toString(), 'catalogue');
    assert.equal(existsSync(join(uri.fsPath, '..', 'runs')), false);
  });

  test('Check robots.txt invoked directly answers network-disabled without a request', async () => {
    const origin = process.env.GLEANER_E2E_DEMO_ORIGIN;
    assert.ok(origin, 'GLEANER_E2E_DEMO_ORIGIN is set');
    // The valid spec names the demo site's URLs: opened in a trusted workspace, the server would
    // check their robots.txt. The demo site's request log (read by run.mjs after this session)
    // proves that no request left.
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(workspaceFile('books.collect.yaml')));
    const result = await vscode.commands.executeCommand<{ allowed: boolean; basis: string } | undefined>('gleaner.checkRobots', `${origin}/catalogue/page-1.html`, 'GleanerBot');
    assert.ok(result, 'the server answered');
    assert.equal(result.basis, 'network-disabled');
  });

  test('Preview Source invoked directly is refused: no webview opens', async () => {
    const uri = workspaceFile('books.collect.yaml');
    await vscode.commands.executeCommand('gleaner.previewSource', uri.toString(), 'catalogue');
    const webviews = vscode.window.tabGroups.all.flatMap((g) => g.tabs).filter((t) => t.input instanceof vscode.TabInputWebview);
    assert.deepEqual(webviews.map((t) => t.label), []);
  });
});
