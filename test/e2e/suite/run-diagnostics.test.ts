/**
 * Run diagnostics in a real VS Code: a spec with a valid but misspelt selector runs against the
 * demo site, and when the run ends a `gleaner run` Warning sits on that selector's line, saying on
 * how many pages it matched nothing; editing the line clears it.
 */
import * as assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';

const EXTENSION_ID = 'gleaner.gleaner';
const WRONG_SELECTOR = 'p.price_colour';

function specText(origin: string): string {
  return `gleaner: 1
name: run-diagnostics
description: A valid spec with a misspelt price selector, for the run's diagnostics.
user_agent: "GleanerBot/1.0 (+mailto:e2e@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [research]
  attribution: Demo Bookshop
politeness:
  delay: 100ms
  allow_private_network: true
  budget:
    pages: 7
sources:
  - id: listing
    kind: scrape
    start_urls:
      - ${origin}/catalogue/page-1.html
    follow:
      - selector: article.product_pod h3 a
        source: book
  - id: book
    kind: scrape
    records:
      fields:
        title:
          selector: div.product_main h1
        price:
          selector: ${WRONG_SELECTOR}
output:
  format: jsonl
`;
}

/** Resolves with the first value `check` returns, re-checking on each diagnostics change; rejects after `ms`. */
function waitForDiagnostics<T>(check: () => T | undefined, ms: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const first = check();
    if (first !== undefined) return resolve(first);
    const timer = setTimeout(() => {
      sub.dispose();
      reject(new Error(`timed out after ${ms} ms waiting for ${what}`));
    }, ms);
    const sub = vscode.languages.onDidChangeDiagnostics(() => {
      const value = check();
      if (value === undefined) return;
      clearTimeout(timer);
      sub.dispose();
      resolve(value);
    });
  });
}

suite('Run diagnostics on the spec', () => {
  test('a misspelt selector gets a `gleaner run` warning on its line after a run; editing the line clears it', async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension);
    await extension.activate();
    const origin = process.env.GLEANER_E2E_DEMO_ORIGIN;
    assert.ok(origin, 'GLEANER_E2E_DEMO_ORIGIN is set');
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the test workspace is open');
    const uri = vscode.Uri.joinPath(folder.uri, 'run-diagnostics.collect.yaml');
    const text = specText(origin);
    writeFileSync(uri.fsPath, text);
    const expectedLine = text.split('\n').findIndex((l) => l.includes(WRONG_SELECTOR));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc);

    const fromRun = (): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri).filter((d) => d.source === 'gleaner run');
    // Resolves when the CLI has exited; the diagnostics follow the run's last events.
    await vscode.commands.executeCommand('gleaner.runCollection', uri.toString());
    const diagnostics = await waitForDiagnostics(() => (fromRun().length > 0 ? fromRun() : undefined), 30_000, 'the run\'s diagnostics on the spec');
    assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics.map((d) => d.message)));
    const [d] = diagnostics;
    assert.equal(d.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(d.range.start.line, expectedLine, `on the price selector's line (${expectedLine + 1})`);
    assert.equal(doc.getText(d.range), WRONG_SELECTOR);
    const m = /^Run \S+: `price` matched nothing on (\d+) of (\d+) pages \(100 %\)$/.exec(d.message);
    assert.ok(m, d.message);
    assert.equal(m[1], m[2]);
    assert.ok(Number(m[2]) >= 5, d.message);
    assert.equal(String(typeof d.code === 'object' ? d.code.value : d.code), 'field-unmatched');

    // The user fixes the selector: the run's diagnostic on that line goes.
    const edit = new vscode.WorkspaceEdit();
    const line = doc.lineAt(expectedLine);
    edit.replace(uri, line.range, line.text.replace(WRONG_SELECTOR, 'p.price_color'));
    assert.ok(await vscode.workspace.applyEdit(edit));
    await waitForDiagnostics(() => (fromRun().length === 0 ? true : undefined), 10_000, 'the run\'s diagnostic to clear after the edit');
    await doc.save();
  });
});
