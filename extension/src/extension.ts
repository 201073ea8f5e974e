/**
 * The extension's composition root. Activation only wires things together: no network, no
 * process, no file scan. The language server starts when the first collection spec opens
 * (language-client.ts); everything else waits for a command or the sidebar.
 */
import * as vscode from 'vscode';
import { registerCommands } from './commands';
import { GleanerLanguageClient } from './language-client';
import { LazyOutputChannel } from './output-channel';
import { PreviewPanels } from './preview-panel';
import { registerRecordsView } from './records-view';
import { RunDiagnostics } from './run-diagnostics';
import { RunManager } from './runs';
import { SecretStore } from './secrets';
import { registerSpecsTree, SpecsTreeProvider } from './specs-tree';
import { StatusBar } from './status-bar';

/** Called by VS Code on the first activation event (a spec opens, a command runs, the view shows). */
export function activate(context: vscode.ExtensionContext): void {
  const output = new LazyOutputChannel('Gleaner');
  try {
    const status = new StatusBar();
    const client = new GleanerLanguageClient(context, output, status);
    const secrets = new SecretStore(context);
    const runs = new RunManager(context, output, status, secrets);
    const runDiagnostics = new RunDiagnostics();
    const tree = new SpecsTreeProvider(client);
    const preview = new PreviewPanels(context, {
      isRunActive: () => runs.isActive,
      onDidChangeRunActive: runs.onDidChangeActive,
      languageClient: () => client.start(),
      run: (uri, sourceId) => vscode.commands.executeCommand('gleaner.runCollection', uri.toString(), sourceId),
    });
    context.subscriptions.push(
      output,
      status,
      client,
      runs,
      preview,
      registerSpecsTree(tree),
      registerRecordsView(context, runs),
      runs.onDidFinish(() => tree.refreshSoon()),
      runDiagnostics,
      runs.onDidStartSpecRun((spec) => runDiagnostics.clear(spec)),
      runs.onDidEndSpecRun((end) => void runDiagnostics.publish(end.specUri, end.runId, end.warnings)),
      ...registerCommands({ client, runs, secrets, tree, preview, output }),
    );
    client.startWhenSpecOpens();
  } catch (error) {
    // Activation failures would otherwise only reach the developer console.
    const message = error instanceof Error ? error.message : String(error);
    output.appendLine(`Activation failed: ${message}`);
    void vscode.window.showErrorMessage(`Gleaner could not start: ${message}`, 'Show Output').then((c) => c && output.show());
    throw error;
  }
}

/** Called by VS Code on shutdown; the subscriptions stop the server and any run. */
export function deactivate(): void {
  // Everything is disposed through context.subscriptions.
}
