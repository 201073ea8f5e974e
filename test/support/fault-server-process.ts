/**
 * The child-process side of {@link startFaultServerProcess} (fault-server-remote.ts): runs the
 * fault server alone in its own process and answers the parent over IPC.
 *
 * Why a separate process: a server in the crawler's own process timestamps a request only when
 * that process's event loop gets to it, so any stall of the crawler (garbage collection, a busy
 * machine) delays the timestamp of one request and makes the next gap look short although the
 * requests were spaced correctly. Here the server has an event loop of its own that does nothing
 * else, so it reads each request as soon as the kernel delivers it.
 *
 * Protocol (all messages are plain objects):
 *   argv[2]: JSON of {@link RemoteRouteConfig}
 *   child → parent: { type: 'ready', origin, origin2 } once both listeners are up
 *   parent → child: { type: 'log', id } → child → parent: { type: 'log', id, log }
 *   parent → child: { type: 'close', id } → the server closes, { type: 'closed', id }, exit
 * The child also exits when the IPC channel goes away, so it never outlives its parent.
 */
import os from 'node:os';
import { monotonicMs, robotsRoute, startFaultServer, type FaultRoute, type FaultServer, type RobotsMode } from './fault-server';

/** Routes a parent can ask for by configuration, since functions cannot cross the IPC channel. */
export type RemoteRouteConfig = Record<string, { robots: RobotsMode; body?: string }>;

/** A message from the parent. */
export type ParentMessage = { type: 'log'; id: number } | { type: 'close'; id: number };

/** A message from the child. */
export type ChildMessage =
  | { type: 'ready'; origin: string; origin2: string }
  | { type: 'log'; id: number; log: FaultServer['log'] }
  | { type: 'closed'; id: number }
  | { type: 'error'; message: string };

function routesFrom(config: RemoteRouteConfig): Record<string, FaultRoute> {
  const routes: Record<string, FaultRoute> = {};
  for (const [path, route] of Object.entries(config)) routes[path] = robotsRoute(route.robots, route.body);
  return routes;
}

function send(message: ChildMessage): void {
  if (process.connected) process.send?.(message);
}

async function main(): Promise<void> {
  if (!process.send) throw new Error('fault-server-process must be started with an IPC channel');
  const config = JSON.parse(process.argv[2] ?? '{}') as RemoteRouteConfig;
  // The log is only as accurate as the scheduler is quick to wake this process when a request
  // comes in. Where the test may raise its priority (root, or CAP_SYS_NICE), do so: the server
  // then preempts busy processes at once instead of waiting out their time slice. Elsewhere the
  // tests' tolerance must cover that wait (see DELAY_MS in politeness.test.ts).
  try {
    os.setPriority(-10);
  } catch {
    // Not permitted: run at normal priority.
  }
  const server = await startFaultServer(routesFrom(config), { now: monotonicMs });
  let closing: Promise<void> | undefined;
  const shutDown = (): Promise<void> => {
    closing ??= server.close();
    return closing;
  };
  process.on('message', (message: ParentMessage) => {
    if (message.type === 'log') send({ type: 'log', id: message.id, log: server.log });
    else if (message.type === 'close') {
      void shutDown().then(() => {
        send({ type: 'closed', id: message.id });
        process.disconnect();
      });
    }
  });
  process.on('disconnect', () => {
    void shutDown().then(() => process.exit(0));
  });
  send({ type: 'ready', origin: server.origin, origin2: server.origin2 });
}

main().catch((error: unknown) => {
  send({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
