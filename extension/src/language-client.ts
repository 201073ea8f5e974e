/**
 * Starts the Gleaner language server (`dist/server.js`, over IPC) the first time a collection
 * spec opens, keeps the status bar in step with its state, and tells it when Workspace Trust is
 * granted. vscode-languageclient restarts a crashed server itself (up to 4 times in 3 minutes);
 * when it gives up, or the server cannot start, the user is told and offered the output.
 *
 * This module is part of the activation bundle, so it imports nothing of vscode-languageclient
 * but its types and `State` (lsp-state.ts). The client itself (lsp-client.ts) is the separate
 * bundle `dist/lsp-client.js`, required when the server is first needed: after `activate()` has
 * returned, so VS Code's activation time does not include loading it.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import {
  listSources,
  robotsCheck,
  setTrusted,
  type RobotsCheckParams,
  type RobotsCheckResult,
  type SourceSummary,
} from '../../language-server/src/protocol';
import type * as LspClientModule from './lsp-client';
import { State } from './lsp-state';
import type { LazyOutputChannel } from './output-channel';
import type { StatusBar } from './status-bar';

/** The language id contributed for `*.collect.yaml` / `*.collect.yml`. */
export const SPEC_LANGUAGE_ID = 'collection-spec';

/**
 * Loads the language-client bundle. esbuild.mjs turns this `require` into one of
 * `./lsp-client.js` beside `dist/extension.js` (a bundle of its own, not inlined), so the code is
 * read and evaluated only when this runs.
 */
function loadLspClient(): typeof LspClientModule {
  // A static import would be evaluated with the activation bundle, which is what this avoids.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./lsp-client') as typeof LspClientModule;
}

/** The language server as the rest of the extension sees it. */
export class GleanerLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private disposed = false;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: LazyOutputChannel,
    private readonly status: StatusBar,
  ) {}

  /**
   * Starts the server as soon as `activate()` has returned if a spec is already open, and
   * otherwise when the first one opens.
   */
  startWhenSpecOpens(): void {
    const isSpec = (doc: vscode.TextDocument): boolean => doc.languageId === SPEC_LANGUAGE_ID;
    if (vscode.workspace.textDocuments.some(isSpec)) {
      // setImmediate, not a microtask: VS Code stops its activation clock when activate()
      // returns, and the extension host should finish that bookkeeping before the client loads.
      const timer = setImmediate(() => void this.start());
      this.disposables.push({ dispose: () => clearImmediate(timer) });
      return;
    }
    const listener = vscode.workspace.onDidOpenTextDocument((doc) => {
      if (!isSpec(doc)) return;
      listener.dispose();
      void this.start();
    });
    this.disposables.push(listener);
  }

  /** True when the server is up and answering. */
  get isRunning(): boolean {
    return this.client?.state === State.Running;
  }

  /** Starts the server (once); resolves to the client, or undefined when it could not start. */
  start(): Promise<LanguageClient | undefined> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  /** Stops and starts the server again, or starts it if it never ran (or could not start). */
  async restart(): Promise<void> {
    if (!this.client) {
      this.starting = undefined;
      await this.start();
      return;
    }
    this.status.setServerState('starting');
    try {
      await this.client.restart();
    } catch (error) {
      this.reportFailure('The Gleaner language server could not be restarted', error);
    }
  }

  /** The sources of an open spec from the server, or undefined when the server cannot answer. */
  async listSources(uri: vscode.Uri): Promise<{ version: number; sources: SourceSummary[] } | undefined> {
    const client = this.client;
    if (!client || client.state !== State.Running) return undefined;
    try {
      const result = await client.sendRequest(listSources.type, { uri: client.code2ProtocolConverter.asUri(uri) });
      return result.version < 0 ? undefined : result;
    } catch (error) {
      this.output.appendLine(`gleaner/listSources failed: ${describe(error)}`);
      return undefined;
    }
  }

  /** Asks the server for a robots.txt verdict, starting the server if it is not up yet. */
  async robotsCheck(params: RobotsCheckParams): Promise<RobotsCheckResult | undefined> {
    const client = await this.start();
    if (!client) return undefined;
    return client.sendRequest(robotsCheck.type, params);
  }

  private async doStart(): Promise<LanguageClient | undefined> {
    if (this.disposed) return undefined;
    this.status.setServerState('starting');
    let lsp: typeof LspClientModule;
    try {
      lsp = loadLspClient();
    } catch (error) {
      // A broken install (dist/lsp-client.js missing or unreadable) is shown like a failed start.
      this.reportFailure('The Gleaner language client could not be loaded', error);
      return undefined;
    }
    const { client, subscription } = lsp.createLanguageClient(this.context.asAbsolutePath('dist/server.js'), vscode.workspace.isTrusted, {
      outputChannel: this.output.get(),
      log: (line) => this.output.appendLine(line),
      onState: (state) => this.status.setServerState(state),
      onGaveUp: () => this.reportFailure('The Gleaner language server stopped and will not be restarted', undefined),
    });
    this.client = client;
    this.disposables.push(
      subscription,
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        if (client.state === State.Running) void client.sendNotification(setTrusted.type, { trusted: true });
      }),
    );
    try {
      await client.start();
      return client;
    } catch (error) {
      this.reportFailure('The Gleaner language server could not start', error);
      return undefined;
    }
  }

  private reportFailure(what: string, error: unknown): void {
    const detail = error === undefined ? '' : `: ${describe(error)}`;
    this.output.appendLine(`${what}${detail}`);
    this.status.setServerState('failed', `${what}${detail}`);
    void vscode.window.showErrorMessage(`${what}${detail}`, 'Show Output', 'Restart').then((choice) => {
      if (choice === 'Show Output') this.output.show();
      else if (choice === 'Restart') void this.restart();
    });
  }

  async dispose(): Promise<void> {
    this.disposed = true;
    for (const d of this.disposables.splice(0)) d.dispose();
    const client = this.client;
    this.client = undefined;
    if (!client || client.state === State.Stopped) return;
    try {
      await client.stop(2000);
    } catch (error) {
      // The window is closing; the server process dies with the extension host anyway.
      this.output.appendLine(`Stopping the language server failed: ${describe(error)}`);
    }
  }
}

/** The message of an error, or its string form. */
export function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
