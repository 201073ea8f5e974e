/**
 * The language server's composition root: create the connection (stdio, IPC or a socket, as
 * `createConnection` reads from argv), the shared services, and register each feature. Nothing
 * else happens here, and nothing happens at import time of any feature.
 *
 * The server must never write to stdout: with `--stdio` that stream is the JSON-RPC channel and
 * one stray line corrupts it. vscode-languageserver redirects most `console` methods to the
 * client's log; `console.info` is not among them, so it is redirected here too. All logging goes
 * through `connection.console`.
 */
import { inspect } from 'node:util';
import { isMainThread, workerData } from 'node:worker_threads';
import { createConnection, ProposedFeatures, TextDocuments, TextDocumentSyncKind, CodeActionKind, type InitializeResult } from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { createHttpClient, systemClock } from '../engine/index';
import type { GleanerInitializationOptions } from '../protocol';
import type { Disposable, ServerDeps } from './deps';
import { DiagnosticsPublisher } from './diagnostics-publisher';
import { NetworkGate } from './network-gate';
import { createRobotsChecker } from './robots-checker';
import { describeError } from './runner';
import { SpecCache } from './spec-cache';
import { firstParseHere, runValidationWorker, workerValidator, WORKER_ROLE } from './validator';
import * as codeActions from './features/code-actions';
import * as codeLens from './features/code-lens';
import * as completion from './features/completion';
import * as definition from './features/definition';
import * as diagnostics from './features/diagnostics';
import * as folding from './features/folding';
import * as hover from './features/hover';
import * as inferSpec from './features/infer-spec';
import * as robots from './features/robots';
import * as sources from './features/sources';
import * as preview from './features/preview';
import * as symbols from './features/symbols';
import * as workspaceSettings from './features/workspace-settings';

/** Starts the language server on this (main) thread. */
function startServer(): void {
  const connection = createConnection(ProposedFeatures.all);
  const log = connection.console;

  // Redirect the one console method vscode-languageserver leaves on stdout.
  const sink = globalThis.console;
  sink.info = (...args: unknown[]) => log.info(args.map((a) => (typeof a === 'string' ? a : inspect(a))).join(' '));

  process.on('uncaughtException', (error) => log.error(`uncaught exception: ${describeError(error)}`));
  process.on('unhandledRejection', (reason) => log.error(`unhandled rejection: ${describeError(reason)}`));

  const specs = new SpecCache();
  // Edits pass through the spec cache so that requests can be answered from the last parse,
  // mapped through exactly the edits made since (see spec-cache.ts).
  const documents = new TextDocuments<TextDocument>({ create: TextDocument.create, update: (document, changes, version) => specs.update(document, changes, version) });
  // Untrusted until the client says otherwise in `initialize`: no request before that.
  const network = new NetworkGate(false);
  const clientSupport = { configuration: false, dynamicConfigurationRegistration: false };

  // After a document's first parse, validation runs on a worker thread started from this same
  // bundle (see validator.ts), so that typing in a huge spec never blocks a request.
  const validationWorker = workerValidator(__filename, log);
  const deps: ServerDeps = {
    documents,
    specs,
    publisher: new DiagnosticsPublisher((params) => void connection.sendDiagnostics(params), documents, firstParseHere(specs, documents, validationWorker), log),
    network,
    robots: createRobotsChecker({ gate: network, clock: systemClock, http: () => createHttpClient() }),
    log,
    validationDelayMs: 150,
  };

  connection.onInitialize((params): InitializeResult => {
    const options = (params.initializationOptions ?? {}) as GleanerInitializationOptions;
    network.setTrusted(options.trusted === true);
    clientSupport.configuration = params.capabilities.workspace?.configuration === true;
    clientSupport.dynamicConfigurationRegistration = params.capabilities.workspace?.didChangeConfiguration?.dynamicRegistration === true;
    if (clientSupport.configuration) network.expectSettings();
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: [':', ' ', '-'], resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentSymbolProvider: true,
        definitionProvider: true,
        foldingRangeProvider: true,
        codeLensProvider: { resolveProvider: false },
      },
      serverInfo: { name: 'gleaner-language-server', version: '0.1.0' },
    };
  });

  // The worker loads while the client finishes starting up, so that it is ready to parse
  // alongside the first spec that opens.
  connection.onInitialized(() => validationWorker.prepare?.());

  const features: Disposable[] = [
    diagnostics.register(connection, deps),
    robots.register(connection, deps),
    hover.register(connection, deps),
    completion.register(connection, deps),
    codeActions.register(connection, deps),
    symbols.register(connection, deps),
    definition.register(connection, deps),
    folding.register(connection, deps),
    codeLens.register(connection, deps),
    sources.register(connection, deps),
    preview.register(connection, deps),
    inferSpec.register(connection, deps),
    workspaceSettings.register(connection, deps, () => clientSupport),
  ];

  connection.onShutdown(async () => {
    for (const feature of features.splice(0)) feature.dispose();
    await deps.robots.dispose();
    await deps.publisher.dispose();
  });

  documents.listen(connection);
  connection.listen();
}

// The same bundle is the validation worker when started as one: one file to ship and to build.
if (!isMainThread && (workerData as { role?: string } | null)?.role === WORKER_ROLE) runValidationWorker();
else startServer();
