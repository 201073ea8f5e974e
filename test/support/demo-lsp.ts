/**
 * The set-up the network-facing protocol tests share: the built server, one demo shop on a free
 * loopback port for the whole file, and language servers started per test and stopped after it,
 * with the demo site's request log cleared between tests so each test sees only its own requests.
 *
 * Call {@link useDemoSiteAndServer} inside a `describe`: it registers the node:test hooks there.
 */
import { after, afterEach, before } from 'node:test';
import { startDemoSite, type DemoSite } from '../../language-server/src/demo-site';
import { buildServer, LspClient } from './lsp-client';

/** How a test wants its language server. */
export interface ServerOptions {
  /** `initializationOptions.trusted`: Workspace Trust as the extension reports it. */
  trusted: boolean;
  /** The `gleaner` settings section; default `{ network: { enabled: true } }`. */
  settings?: unknown;
  /**
   * Wait until the server has read the settings (default true). The server holds the network
   * closed until then; a test of that very wait passes false and sends its request at once.
   */
  waitForSettings?: boolean;
}

/** What the hooks provide; `site` is valid from the first test on. */
export interface DemoHarness {
  readonly site: DemoSite;
  /** Starts a server that is stopped after the current test. */
  start(options: ServerOptions): Promise<LspClient>;
}

/**
 * Registers `before` (build the server, start the demo site), `afterEach` (stop this test's
 * servers, clear the request log) and `after` (close the site) in the calling `describe`.
 * `beforeAll` runs first, so a test file can put what the spawned servers inherit (environment
 * variables) in place before any server starts.
 */
export function useDemoSiteAndServer(beforeAll?: () => void | Promise<void>): DemoHarness {
  let site: DemoSite | undefined;
  const clients: LspClient[] = [];

  before(async () => {
    await beforeAll?.();
    await buildServer();
    site = await startDemoSite({ port: 0 });
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.stop();
    site?.requests.splice(0);
  });

  after(async () => {
    await site?.close();
  });

  return {
    get site(): DemoSite {
      if (!site) throw new Error('the demo site starts in the before hook; use it inside a test');
      return site;
    },
    async start({ trusted, settings, waitForSettings = true }: ServerOptions): Promise<LspClient> {
      const client = await LspClient.start({ initializationOptions: { trusted }, ...(settings !== undefined ? { settings } : {}) });
      clients.push(client);
      if (waitForSettings) await client.settingsServed();
      return client;
    },
  };
}
