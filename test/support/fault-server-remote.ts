/**
 * The fault server in a child process (see fault-server-process.ts for why), for tests that
 * measure time from the server's side. Its log's `t` and `end` are CLOCK_MONOTONIC milliseconds
 * ({@link monotonicMs}), so the test can compare them with times it takes itself.
 */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import type { FaultLogEntry } from './fault-server';
import type { ChildMessage, ParentMessage, RemoteRouteConfig } from './fault-server-process';

export { monotonicMs } from './fault-server';
export type { RemoteRouteConfig } from './fault-server-process';

/** A fault server running in a child process. */
export interface FaultServerProcess {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `http://127.0.0.2:<port>`: the same routes, another host. */
  origin2: string;
  /** A copy of the server's request log, as it is now. */
  log(): Promise<FaultLogEntry[]>;
  /** Requests whose path (before `?`) is `path`, optionally only those to `host`. */
  requestsTo(path: string, host?: string): Promise<FaultLogEntry[]>;
  /** Closes the server and waits for the process to exit; kills it if it does not in time. */
  close(): Promise<void>;
}

const ENTRY = join(__dirname, 'fault-server-process.ts');
const REPLY_TIMEOUT_MS = 5000;

/**
 * Forks the fault server (loading TypeScript through tsx) and resolves once it listens. Rejects,
 * killing the child, when it fails, exits, or is not ready within `startTimeoutMs` (generous:
 * on a loaded machine compiling the server takes a while).
 */
export async function startFaultServerProcess(routes: RemoteRouteConfig = {}, startTimeoutMs = 20_000): Promise<FaultServerProcess> {
  const child = fork(ENTRY, [JSON.stringify(routes)], {
    execArgv: ['--import', 'tsx'],
    cwd: join(__dirname, '..', '..'),
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  let ready: { origin: string; origin2: string };
  try {
    ready = await new Promise((resolve, reject) => {
      const timer = setTimeout(() => fail(new Error(`fault server process: not ready within ${startTimeoutMs} ms`)), startTimeoutMs);
      const onMessage = (message: ChildMessage): void => {
        if (message.type === 'ready') done(() => resolve({ origin: message.origin, origin2: message.origin2 }));
        else if (message.type === 'error') fail(new Error(`fault server process failed: ${message.message}`));
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null): void => fail(new Error(`fault server process exited before it was ready (${code ?? signal})`));
      const onError = (error: Error): void => fail(error);
      const done = (then: () => void): void => {
        clearTimeout(timer);
        child.off('message', onMessage).off('exit', onExit).off('error', onError);
        then();
      };
      const fail = (error: Error): void => done(() => reject(error));
      child.on('message', onMessage).once('exit', onExit).once('error', onError);
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }

  let nextId = 0;
  /** Sends `message` and resolves with the child's reply to it, within REPLY_TIMEOUT_MS. */
  const ask = <T extends ChildMessage['type']>(message: ParentMessage, replyType: T): Promise<Extract<ChildMessage, { type: T }>> =>
    new Promise((resolve, reject) => {
      const timer = setTimeout(() => settle(new Error(`fault server process: no '${replyType}' reply within ${REPLY_TIMEOUT_MS} ms`)), REPLY_TIMEOUT_MS);
      const onMessage = (reply: ChildMessage): void => {
        if (reply.type === replyType && 'id' in reply && reply.id === message.id) settle(undefined, reply as Extract<ChildMessage, { type: T }>);
      };
      const onExit = (): void => settle(new Error(`fault server process exited while waiting for '${replyType}'`));
      const settle = (error: Error | undefined, reply?: Extract<ChildMessage, { type: T }>): void => {
        clearTimeout(timer);
        child.off('message', onMessage).off('exit', onExit);
        if (error) reject(error);
        else resolve(reply as Extract<ChildMessage, { type: T }>);
      };
      child.on('message', onMessage).once('exit', onExit);
      child.send(message);
    });

  const log = async (): Promise<FaultLogEntry[]> => (await ask({ type: 'log', id: nextId++ }, 'log')).log;
  return {
    origin: ready.origin,
    origin2: ready.origin2,
    log,
    async requestsTo(path, host) {
      return (await log()).filter((entry) => entry.url.split('?')[0] === path && (host === undefined || entry.host === host));
    },
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        await ask({ type: 'close', id: nextId++ }, 'closed');
      } catch {
        // Unresponsive or already gone: the kill below ends it either way.
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), REPLY_TIMEOUT_MS);
      await exited;
      clearTimeout(timer);
    },
  };
}
