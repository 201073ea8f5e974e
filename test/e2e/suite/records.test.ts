/**
 * The Records view in a real VS Code: after a run of the demo spec, Show Records (the command the
 * sidebar's run items offer) loads that run's records into the view and resolves with what the
 * view shows; a hostile, torn records file is shown without its torn line.
 */
import * as assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

const EXTENSION_ID = 'gleaner.gleaner';

/** The Show Records command's result (see extension/src/records-view.ts, `RecordsShown`). */
interface RecordsShown {
  key: string;
  title: string;
  loaded: number;
  fields: string[];
  notes: string[];
}

function workspaceFolder(): string {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test workspace is open');
  return folder.uri.fsPath;
}

suite('Records view', () => {
  suiteSetup(async () => {
    const extension = vscode.extensions.getExtension(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is loaded`);
    await extension.activate();
  });

  test('after a run of the demo spec, Show Records reports its 20 records', async () => {
    const spec = vscode.Uri.file(join(workspaceFolder(), 'books.collect.yaml'));
    const runsDir = join(workspaceFolder(), 'runs');
    const runFolders = (): string[] => (existsSync(runsDir) ? readdirSync(runsDir).filter((d) => !d.startsWith('.') && statSync(join(runsDir, d)).isDirectory()) : []);
    const before = runFolders();
    // Resolves when the CLI has exited.
    await vscode.commands.executeCommand('gleaner.runCollection', spec.toString(), 'catalogue');
    const created = runFolders().filter((d) => !before.includes(d));
    assert.equal(created.length, 1, `one new run directory, found ${JSON.stringify(created)}`);
    const runDir = join(runsDir, created[0]);

    // No argument: the latest run (this workspace's last run, or the active spec's newest).
    const latest = await vscode.commands.executeCommand<RecordsShown | undefined>('gleaner.showRecords');
    assert.ok(latest, 'Show Records resolved with what the view shows');
    assert.equal(latest.key, `run:${runDir}`);
    assert.equal(latest.loaded, 20);
    assert.deepEqual(latest.fields, ['title', 'price']);
    assert.deepEqual(latest.notes, []);

    // The sidebar passes its run node.
    const fromTree = await vscode.commands.executeCommand<RecordsShown | undefined>('gleaner.showRecords', { kind: 'run', uri: spec, run: { dir: runDir, files: {} } });
    assert.equal(fromTree?.loaded, 20);
  });

  test('a hostile records file with a torn last line is shown without the torn line', async () => {
    const dir = join(workspaceFolder(), 'records-e2e-hostile');
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    try {
      const hostile = { title: '<img src=x onerror=alert(1)>', label: 'a', _source: { url: 'javascript:alert(1)' } };
      const fine = { title: 'ok', label: 'b', _source: { url: 'http://127.0.0.1:1/x' } };
      writeFileSync(join(dir, 'records.jsonl'), `${JSON.stringify(hostile)}\n${JSON.stringify(fine)}\nnot json\n{"title":"to`);
      const shown = await vscode.commands.executeCommand<RecordsShown | undefined>('gleaner.showRecords', dir);
      assert.ok(shown);
      assert.equal(shown.loaded, 2);
      assert.deepEqual(shown.fields, ['title', 'label']);
      assert.ok(shown.notes.some((n) => /not a JSON object/.test(n)), JSON.stringify(shown.notes));
      assert.ok(shown.notes.some((n) => /last line is incomplete/.test(n)), JSON.stringify(shown.notes));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
