/**
 * Runs the demo site for humans: `node --import tsx language-server/src/demo-site/serve.ts [port]`.
 * Prints the origin and the demo credentials, and stops on Ctrl-C.
 */
import { DEMO_CREDENTIALS, DEMO_DEFAULT_PORT, startDemoSite } from './index';

async function main(): Promise<void> {
  const arg = process.argv[2];
  const port = arg === undefined ? DEMO_DEFAULT_PORT : Number(arg);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    process.stderr.write(`usage: serve.ts [port]   (port must be 0 … 65535, got "${arg}")\n`);
    process.exitCode = 2;
    return;
  }
  const site = await startDemoSite({ port });
  process.stdout.write(`${site.origin}\n`);
  process.stderr.write(
    `demo shop running at ${site.origin} (Ctrl-C to stop)\n` +
      `  API key ${DEMO_CREDENTIALS.apiKey}, bearer token ${DEMO_CREDENTIALS.token}, ` +
      `OAuth2 client ${DEMO_CREDENTIALS.clientId} / ${DEMO_CREDENTIALS.clientSecret}\n`,
  );
  const stop = (): void => {
    site.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
