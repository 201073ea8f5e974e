/**
 * Starts the Gleaner language server (`dist/server.js`, over IPC) the first time a collection
 * spec opens, keeps the status bar in step with its state, and tells it when Workspace Trust is
 * granted. vscode-languageclient restarts a crashed server itself (up to 4 times in 3 minutes);
 * when it gives up, or the server cannot start, the user is told and offered the output.
 */
import * as vscode from 'vscode';
import {
  CloseAction,
  LanguageClient,
  State,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import {
  listSources,
  robotsCheck,
  setTrusted,
  SETTINGS_SECTION,
  type GleanerInitializationOptions,
  type RobotsCheckParams,
  type RobotsCheckResult,
  type SourceSummary,
} from '../../language-server/src/protocol';
import type { LazyOutputChannel } from './output-channel';
import type { StatusBar } from './status-bar';

/** The language id contributed for `*.collect.yaml` / `*.collect.yml`. */
export const SPEC_LANGUAGE_ID = 'collection-spec';

/**
 * The client id. vscode-languageclient reads the `<id>.trace.server` setting by this id, so it
 * must stay `gleaner` for `gleaner.trace.server` to work.
 */
export const CLIENT_ID = 'gleaner';

/** The language server as the rest of the extension sees it. */
export class GleanerLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient | undefined> | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: LazyOutputChannel,
    private readonly status: StatusBar,
  ) {}

  /** Starts the server now if a spec is already open, and otherwise when the first one opens. */
  startWhenSpecOpens(): void {
    const isSpec = (doc: vscode.TextDocument): boolean => doc.languageId === SPEC_LANGUAGE_ID;
    if (vscode.workspace.textDocuments.some(isSpec)) {
      void this.start();
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

  /** Stops and starts the server again, or starts it if it never ran. */
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
    const module = this.context.asAbsolutePath('dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: { module, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
    };
    const initializationOptions: GleanerInitializationOptions = { trusted: vscode.workspace.isTrusted };
    const clientOptions: LanguageClientOptions = {
      documentSelector: [
        { scheme: 'file', language: SPEC_LANGUAGE_ID },
        { scheme: 'untitled', language: SPEC_LANGUAGE_ID },
      ],
      initializationOptions,
      // Sends workspace/didChangeConfiguration for the `gleaner` section; the server then pulls
      // the settings with workspace/configuration.
      synchronize: { configurationSection: SETTINGS_SECTION },
      outputChannel: this.output.get(),
      errorHandler: this.errorHandler(),
    };
    const client = new LanguageClient(CLIENT_ID, 'Gleaner Language Server', serverOptions, clientOptions);
    this.client = client;
    this.disposables.push(
      client.onDidChangeState(({ newState }) => {
        if (newState === State.Starting) this.status.setServerState('starting');
        else if (newState === State.Running) this.status.setServerState('running');
        else this.status.setServerState('stopped');
      }),
      vscode.workspace.onDidGrantWorkspaceTrust(() => {
        if (client.state === State.Running) void client.sendNotification(setTrusted.type, { trusted: true });
      }),
    );
    this.status.setServerState('starting');
    try {
      await client.start();
      return client;
    } catch (error) {
      this.reportFailure('The Gleaner language server could not start', error);
      return undefined;
    }
  }

  /** Wraps the default handler so that giving up is shown in the status bar and to the user. */
  private errorHandler(): ErrorHandler {
    let fallback: ErrorHandler | undefined;
    const defaults = (): ErrorHandler => {
      // The default handler needs the client; it exists by the time an error can arrive.
      fallback ??= this.client!.createDefaultErrorHandler(4);
      return fallback;
    };
    return {
      error: (error, message, count) => {
        this.output.appendLine(`Connection error (${count ?? 0}): ${error.message}`);
        return defaults().error(error, message, count);
      },
      closed: async () => {
        const result = await defaults().closed();
        if (result.action === CloseAction.DoNotRestart) {
          this.reportFailure('The Gleaner language server stopped and will not be restarted', undefined);
        } else {
          this.output.appendLine('The language server stopped unexpectedly; restarting it.');
        }
        return result;
      },
    };
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
