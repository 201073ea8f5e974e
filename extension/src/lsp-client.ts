/**
 * The part of the language client that needs vscode-languageclient. esbuild bundles this module
 * on its own as `dist/lsp-client.js` (most of the extension's code by size), and
 * language-client.ts loads it only when the server is first needed, so that VS Code's activation
 * of the extension (loading `dist/extension.js` and calling `activate()`) never pays for it.
 */
import type * as vscode from 'vscode';
import {
  CloseAction,
  LanguageClient,
  State,
  TransportKind,
  type ErrorHandler,
  type LanguageClientOptions,
  type ServerOptions,
} from 'vscode-languageclient/node';
import { SETTINGS_SECTION, type GleanerInitializationOptions } from '../../language-server/src/protocol';

/** The language id contributed for `*.collect.yaml` / `*.collect.yml`. */
export const SPEC_LANGUAGE_ID = 'collection-spec';

/**
 * The client id. vscode-languageclient reads the `<id>.trace.server` setting by this id, so it
 * must stay `gleaner` for `gleaner.trace.server` to work.
 */
export const CLIENT_ID = 'gleaner';

/** How many crashes in 3 minutes the client restarts the server after (then it gives up). */
const MAX_RESTARTS = 4;

/** What the client reports back to the extension. */
export interface ClientHooks {
  /** The channel the client logs to (and traces to, with `gleaner.trace.server`). */
  outputChannel: vscode.OutputChannel;
  /** One line for the output channel. */
  log(line: string): void;
  /** The client's state changed. */
  onState(state: 'starting' | 'running' | 'stopped'): void;
  /** The server stopped and the client will not restart it. */
  onGaveUp(): void;
}

/**
 * Creates (does not start) the client for the server at `serverModule`, over IPC. It restarts a
 * crashed server itself (up to 4 times in 3 minutes); when it gives up, `hooks.onGaveUp` is called.
 */
export function createLanguageClient(serverModule: string, trusted: boolean, hooks: ClientHooks): { client: LanguageClient; subscription: vscode.Disposable } {
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6009'] } },
  };
  const initializationOptions: GleanerInitializationOptions = { trusted };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: SPEC_LANGUAGE_ID },
      { scheme: 'untitled', language: SPEC_LANGUAGE_ID },
    ],
    initializationOptions,
    // Sends workspace/didChangeConfiguration for the `gleaner` section; the server then pulls
    // the settings with workspace/configuration.
    synchronize: { configurationSection: SETTINGS_SECTION },
    outputChannel: hooks.outputChannel,
    // The default handler needs the client; it exists by the time an error can arrive.
    errorHandler: errorHandler(() => client, hooks),
  };
  const client = new LanguageClient(CLIENT_ID, 'Gleaner Language Server', serverOptions, clientOptions);
  const subscription = client.onDidChangeState(({ newState }) => {
    if (newState === State.Starting) hooks.onState('starting');
    else if (newState === State.Running) hooks.onState('running');
    else hooks.onState('stopped');
  });
  return { client, subscription };
}

/** Wraps the default handler so that giving up is reported, and each error logged. */
function errorHandler(client: () => LanguageClient, hooks: ClientHooks): ErrorHandler {
  let fallback: ErrorHandler | undefined;
  const defaults = (): ErrorHandler => {
    fallback ??= client().createDefaultErrorHandler(MAX_RESTARTS);
    return fallback;
  };
  return {
    error: (error, message, count) => {
      hooks.log(`Connection error (${count ?? 0}): ${error.message}`);
      return defaults().error(error, message, count);
    },
    closed: async () => {
      const result = await defaults().closed();
      if (result.action === CloseAction.DoNotRestart) hooks.onGaveUp();
      else hooks.log('The language server stopped unexpectedly; restarting it.');
      return result;
    },
  };
}
