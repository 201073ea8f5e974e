// A small JSON-RPC LSP client for the benchmark (plain JavaScript, so the bench runs with bare
// node): spawns a server over stdio, answers workspace/configuration from a callback, and lets
// callers await the next publishDiagnostics for a URI/version.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node.js';

export async function startServer({ command, args, initializationOptions, configuration, capabilities }) {
  const child = spawn(command, args, { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c) => {
    stderr += c;
  });
  const exited = once(child, 'exit');
  const connection = createMessageConnection(new StreamMessageReader(child.stdout), new StreamMessageWriter(child.stdin));
  const waiters = new Set();
  const published = [];
  connection.onNotification('textDocument/publishDiagnostics', (params) => {
    const at = performance.now();
    published.push({ at, params });
    for (const w of [...waiters]) {
      if (w.uri === params.uri && w.predicate(params)) {
        waiters.delete(w);
        w.resolve({ at, params });
      }
    }
  });
  connection.onNotification('window/logMessage', () => undefined);
  connection.onNotification('telemetry/event', () => undefined);
  connection.onRequest('workspace/configuration', (params) => params.items.map((item) => configuration(item.section)));
  connection.onRequest('client/registerCapability', () => null);
  connection.onRequest('window/workDoneProgress/create', () => null);
  connection.listen();
  const initialize = await withTimeout(
    connection.sendRequest('initialize', { processId: process.pid, rootUri: null, capabilities, initializationOptions }),
    30_000,
    'initialize',
  );
  await connection.sendNotification('initialized', {});

  return {
    initialize,
    published,
    get stderr() {
      return stderr;
    },
    notify: (method, params) => connection.sendNotification(method, params),
    request: (method, params, timeoutMs = 60_000) => withTimeout(connection.sendRequest(method, params), timeoutMs, method),
    nextDiagnostics(uri, predicate = () => true, timeoutMs = 60_000) {
      return withTimeout(
        new Promise((resolve) => waiters.add({ uri, predicate, resolve })),
        timeoutMs,
        `publishDiagnostics for ${uri}`,
      );
    },
    async stop() {
      try {
        await withTimeout(connection.sendRequest('shutdown'), 5_000, 'shutdown');
        await connection.sendNotification('exit');
      } catch {
        child.kill('SIGKILL');
      }
      const killer = setTimeout(() => child.kill('SIGKILL'), 3_000);
      await exited;
      clearTimeout(killer);
      connection.dispose();
    },
  };
}

export function withTimeout(promise, ms, what) {
  let timer;
  return Promise.race([
    promise,
    new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
}
