/**
 * A minimal LSP client for protocol tests and the benchmark: spawns the built server
 * (`dist/server.js --stdio`), speaks JSON-RPC to it with vscode-jsonrpc, answers
 * `workspace/configuration`, and records every `textDocument/publishDiagnostics` so tests can wait
 * on the notification itself rather than on time.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { once } from 'node:events';
import { rename } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter, type MessageConnection } from 'vscode-jsonrpc/node';
import type { InitializeResult, PublishDiagnosticsParams } from 'vscode-languageserver-protocol';

/** The repository root (this file is test/support/lsp-client.ts). */
export const REPO_ROOT = resolve(dirname(__filename), '..', '..');
/** The server bundle the tests run, exactly as the extension ships it. */
export const SERVER_JS = join(REPO_ROOT, 'dist', 'server.js');

let building: Promise<void> | undefined;

/**
 * Builds `dist/server.js` from `language-server/src/server/main.ts` with the options of
 * `esbuild.mjs`'s server target. Only the server is built (not the extension, CLI and webviews):
 * protocol tests must not fail because another room is mid-edit. The bundle is written to a
 * temporary file and renamed into place, so test files building in parallel never spawn a
 * half-written bundle.
 */
export function buildServer(): Promise<void> {
  building ??= (async () => {
    const esbuild = await import('esbuild');
    // The same targets as `npm run build` (esbuild.mjs), so tests run the bundle users get.
    const { serverTargets } = (await import(pathToFileURL(join(REPO_ROOT, 'esbuild.mjs')).href)) as { serverTargets: { outfile: string }[] };
    for (const target of serverTargets) {
      const final = join(REPO_ROOT, target.outfile);
      const temp = `${final}.${process.pid}.tmp`;
      await esbuild.build({ ...target, absWorkingDir: REPO_ROOT, outfile: temp, sourcemap: false, logLevel: 'silent' });
      await rename(temp, final);
    }
  })();
  return building;
}

/** Options for {@link LspClient.start}. */
export interface StartOptions {
  /** Sent as `initializationOptions` (e.g. `{ trusted: true }`). */
  initializationOptions?: unknown;
  /** What `workspace/configuration` answers for the `gleaner` section. */
  settings?: unknown;
  /** The server script; default `dist/server.js`. */
  serverPath?: string;
  /** Extra arguments after the script (default `--stdio`). */
  args?: string[];
  /** Client capabilities; a VS Code-like set by default. */
  capabilities?: Record<string, unknown>;
}

/** A VS Code-like set of client capabilities. */
export const DEFAULT_CAPABILITIES = {
  workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false } },
  textDocument: {
    synchronization: { dynamicRegistration: false, didSave: false },
    publishDiagnostics: { relatedInformation: true, versionSupport: true, codeDescriptionSupport: true, dataSupport: true },
    completion: { completionItem: { snippetSupport: true, documentationFormat: ['markdown', 'plaintext'] } },
    hover: { contentFormat: ['markdown', 'plaintext'] },
    codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } }, isPreferredSupport: true },
    documentSymbol: { hierarchicalDocumentSymbolSupport: true },
    foldingRange: { lineFoldingOnly: true },
    definition: { linkSupport: false },
    codeLens: {},
  },
};

type Waiter = { uri: string; predicate: (p: PublishDiagnosticsParams) => boolean; resolve: (p: PublishDiagnosticsParams) => void };

/** A running server and the JSON-RPC connection to it. */
export class LspClient {
  /** Every publishDiagnostics received, in arrival order. */
  readonly published: PublishDiagnosticsParams[] = [];
  /** `window/logMessage` texts, for failure messages. */
  readonly logs: string[] = [];
  /** JSON-RPC read/write errors: anything but protocol messages on the server's stdout lands here. */
  readonly protocolErrors: string[] = [];
  /** What the server wrote to stderr. */
  stderr = '';
  /** The settings `workspace/configuration` answers with; tests may change them. */
  settings: unknown;
  initializeResult!: InitializeResult;
  /** How many `workspace/configuration` requests the server made. */
  configurationRequests = 0;
  private readonly configurationWaiters: (() => void)[] = [];
  private readonly waiters = new Set<Waiter>();
  private exited = false;
  private readonly exit: Promise<unknown>;

  private constructor(
    readonly child: ChildProcessWithoutNullStreams,
    readonly connection: MessageConnection,
    settings: unknown,
  ) {
    this.settings = settings;
    this.exit = once(child, 'exit').then(() => {
      this.exited = true;
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderr += chunk;
    });
    connection.onNotification('textDocument/publishDiagnostics', (params: PublishDiagnosticsParams) => {
      this.published.push(params);
      for (const waiter of [...this.waiters]) {
        if (waiter.uri === params.uri && waiter.predicate(params)) {
          this.waiters.delete(waiter);
          waiter.resolve(params);
        }
      }
    });
    connection.onError(([error]) => {
      this.protocolErrors.push(String(error));
    });
    connection.onNotification('window/logMessage', (params: { message: string }) => {
      this.logs.push(params.message);
    });
    connection.onRequest('workspace/configuration', (params: { items: { section?: string }[] }) => {
      this.configurationRequests++;
      // Resolve after this answer is written: the server reads it before anything sent later.
      setImmediate(() => {
        for (const resolveWaiter of this.configurationWaiters.splice(0)) resolveWaiter();
      });
      return params.items.map((item) => (item.section === 'gleaner' || item.section === undefined ? this.settings : null));
    });
    connection.onRequest('client/registerCapability', () => null);
    connection.onRequest('window/workDoneProgress/create', () => null);
  }

  /** Spawns the server and completes the `initialize` / `initialized` handshake. */
  static async start(options: StartOptions = {}): Promise<LspClient> {
    const child = spawn(process.execPath, [options.serverPath ?? SERVER_JS, ...(options.args ?? ['--stdio'])], { stdio: 'pipe' });
    const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
    const client = new LspClient(child, connection, options.settings ?? { network: { enabled: true } });
    connection.listen();
    client.initializeResult = await client.withTimeout(
      connection.sendRequest<InitializeResult>('initialize', {
        processId: process.pid,
        rootUri: null,
        capabilities: options.capabilities ?? DEFAULT_CAPABILITIES,
        initializationOptions: options.initializationOptions,
      }),
      10_000,
      'initialize',
    );
    await connection.sendNotification('initialized', {});
    return client;
  }

  /** `textDocument/didOpen` with language `gleaner-spec`. */
  async open(uri: string, text: string, version = 1): Promise<void> {
    await this.connection.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'gleaner-spec', version, text } });
  }

  /** `textDocument/didChange` replacing the whole text. */
  async change(uri: string, version: number, text: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ text }] });
  }

  /** `textDocument/didChange` with one incremental edit. */
  async edit(uri: string, version: number, range: { start: { line: number; character: number }; end: { line: number; character: number } }, text: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [{ range, text }] });
  }

  /** `textDocument/didClose`. */
  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  /** Sends a request, failing after `timeoutMs`. */
  request<R>(method: string, params: unknown, timeoutMs = 10_000): Promise<R> {
    return this.withTimeout(this.connection.sendRequest<R>(method, params), timeoutMs, method);
  }

  /**
   * The first publishDiagnostics for `uri` (already received, or arriving within `timeoutMs`)
   * that satisfies `predicate`. Waits on the notification itself; the timeout only bounds it.
   */
  waitForDiagnostics(uri: string, predicate: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    const seen = this.published.find((p) => p.uri === uri && predicate(p));
    if (seen) return Promise.resolve(seen);
    return this.nextDiagnostics(uri, predicate, timeoutMs);
  }

  /** Like waitForDiagnostics, but only publishes that arrive after this call count. */
  nextDiagnostics(uri: string, predicate: (p: PublishDiagnosticsParams) => boolean = () => true, timeoutMs = 10_000): Promise<PublishDiagnosticsParams> {
    return new Promise((resolvePromise, reject) => {
      const waiter: Waiter = {
        uri,
        predicate,
        resolve: (p) => {
          clearTimeout(timer);
          resolvePromise(p);
        },
      };
      const timer = setTimeout(() => {
        this.waiters.delete(waiter);
        const mine = this.published.filter((p) => p.uri === uri);
        reject(new Error(`no matching publishDiagnostics for ${uri} within ${timeoutMs} ms; received ${mine.length}: ${JSON.stringify(mine.slice(-3))}\nstderr: ${this.stderr.slice(-2000)}\nlogs: ${this.logs.slice(-10).join('\n')}`));
      }, timeoutMs);
      this.waiters.add(waiter);
    });
  }

  /** Resolves once the server has asked for (and been sent) the settings `count` times in all. */
  settingsServed(count = 1, timeoutMs = 10_000): Promise<void> {
    if (this.configurationRequests >= count) return Promise.resolve();
    const waitOne = (): Promise<void> => new Promise((resolveWaiter) => this.configurationWaiters.push(resolveWaiter));
    const loop = async (): Promise<void> => {
      // Bounded: one wake-up per configuration request, up to `count` of them.
      for (let i = 0; i < count && this.configurationRequests < count; i++) await waitOne();
    };
    return this.withTimeout(loop(), timeoutMs, 'workspace/configuration');
  }

  /** Changes the settings and tells the server (`workspace/didChangeConfiguration`). */
  async changeSettings(settings: unknown): Promise<void> {
    this.settings = settings;
    await this.connection.sendNotification('workspace/didChangeConfiguration', { settings: null });
  }

  /** Shuts the server down politely, then makes sure the process is gone. Safe to call twice. */
  async stop(): Promise<void> {
    if (!this.exited) {
      try {
        await this.withTimeout(this.connection.sendRequest('shutdown'), 2_000, 'shutdown');
        await this.connection.sendNotification('exit');
      } catch {
        // The server is unresponsive or already gone; the kill below ends it either way.
        this.child.kill('SIGKILL');
      }
      const killer = setTimeout(() => this.child.kill('SIGKILL'), 2_000);
      await this.exit;
      clearTimeout(killer);
    }
    this.connection.dispose();
  }

  private withTimeout<T>(promise: Promise<T>, timeoutMs: number, what: string): Promise<T> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${timeoutMs} ms\nstderr: ${this.stderr.slice(-2000)}`)), timeoutMs);
    });
    return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
  }
}
