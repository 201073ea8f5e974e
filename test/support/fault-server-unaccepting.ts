/**
 * A loopback port where connecting hangs: a listening socket that never accepts, with its accept
 * queue filled, so the kernel drops every further SYN and a client's connect neither succeeds nor
 * fails until its own connect timeout fires. (A closed port answers with a reset at once, which
 * is a refused connection, not a timeout.)
 *
 * How: the socket listens in a worker thread with a backlog of 1, and the worker then blocks its
 * event loop in `Atomics.wait`, so nothing ever calls accept(). Linux completes handshakes into
 * the accept queue until it is full (backlog + 1 connections) and then drops SYNs (with
 * `tcp_abort_on_overflow` 0, the default, rather than resetting). The helper fills the queue with
 * connections of its own until one stays pending, so it does not depend on how many the kernel
 * admits, and it refuses to start if the queue never fills: a test built on it then fails loudly
 * instead of passing without ever exercising the timeout.
 */
import net from 'node:net';
import { Worker } from 'node:worker_threads';

/** A port on 127.0.0.1 where a connect hangs; `close()` releases it. */
export interface UnacceptingListener {
  origin: string;
  port: number;
  close(): Promise<void>;
}

/** How long a filler connection may take before the queue counts as full. */
const PENDING_AFTER_MS = 300;
/** More than any kernel admits for a backlog of 1; reaching it means SYNs are not being dropped. */
const MAX_FILLERS = 16;
/** The worker gives up waiting (and lets the port go) after this long, should close() never come. */
const WORKER_WAIT_MS = 120_000;

// CommonJS source, evaluated by the worker: listen, report the port, then block until released.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const net = require('node:net');
const server = net.createServer((socket) => socket.destroy());
server.on('error', (error) => parentPort.postMessage({ error: String(error) }));
server.listen({ host: '127.0.0.1', port: 0, backlog: 1 }, () => {
  parentPort.postMessage({ port: server.address().port });
  Atomics.wait(new Int32Array(workerData.flag), 0, 0, workerData.waitMs);
  server.close();
});
`;

/** Connects once: true when connected within PENDING_AFTER_MS, false when still pending. */
function tryConnect(port: number, sockets: net.Socket[]): Promise<boolean> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: '127.0.0.1', port });
    sockets.push(socket);
    const timer = setTimeout(() => resolve(false), PENDING_AFTER_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      resolve(true);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** Starts a listener on 127.0.0.1 whose connects hang (see the module comment). */
export async function startUnacceptingListener(): Promise<UnacceptingListener> {
  const flag = new SharedArrayBuffer(4);
  const worker = new Worker(WORKER_SOURCE, { eval: true, workerData: { flag, waitMs: WORKER_WAIT_MS } });
  const sockets: net.Socket[] = [];
  const close = async (): Promise<void> => {
    for (const socket of sockets) socket.destroy();
    const view = new Int32Array(flag);
    Atomics.store(view, 0, 1);
    Atomics.notify(view, 0);
    await worker.terminate();
  };
  try {
    const port = await new Promise<number>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('the unaccepting listener did not start within 10 s')), 10_000);
      worker.once('message', (message: { port?: number; error?: string }) => {
        clearTimeout(timer);
        if (message.port !== undefined) resolve(message.port);
        else reject(new Error(`the unaccepting listener failed: ${message.error ?? 'unknown error'}`));
      });
      worker.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
    for (let i = 0; ; i++) {
      if (i === MAX_FILLERS) throw new Error(`${MAX_FILLERS} connections to a socket that never accepts all succeeded: this kernel does not drop SYNs on a full accept queue`);
      if (!(await tryConnect(port, sockets))) break;
    }
    // The last, pending connection would complete as soon as a slot frees; it must not take one.
    sockets.pop()?.destroy();
    return { origin: `http://127.0.0.1:${port}`, port, close };
  } catch (error) {
    await close();
    throw error;
  }
}
