/**
 * A loopback HTTP server for robots.txt tests: serves a configurable robots.txt (or a status)
 * on 127.0.0.1 at a free port and logs every request it receives.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A running loopback site. */
export interface RobotsSite {
  origin: string;
  /** Every request received, as `METHOD path user-agent`. */
  requests: { method: string; path: string; userAgent: string }[];
  close(): Promise<void>;
}

/**
 * Starts a site whose `/robots.txt` answers `status` with `body`, and `/.well-known/tdmrep.json`
 * answers `tdmrep` (404 when absent); other paths answer 200 HTML.
 */
export async function startRobotsSite(options: { status?: number; body?: string; tdmrep?: string }): Promise<RobotsSite> {
  const requests: RobotsSite['requests'] = [];
  const server: Server = createServer((req, res) => {
    requests.push({ method: req.method ?? '', path: req.url ?? '', userAgent: String(req.headers['user-agent'] ?? '') });
    if (req.url === '/robots.txt') {
      res.writeHead(options.status ?? 200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(options.body ?? '');
      return;
    }
    if (req.url === '/.well-known/tdmrep.json') {
      res.writeHead(options.tdmrep === undefined ? 404 : 200, { 'content-type': 'application/json' });
      res.end(options.tdmrep ?? '');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end('<html><body>ok</body></html>');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The robots.txt the tests serve; `Disallow: /private/` for GleanerBot is on line 7. */
export const ROBOTS_TXT = [
  'User-agent: *',
  'Disallow: /cart',
  'Content-Signal: search=yes, ai-train=no',
  'Crawl-delay: 2',
  '',
  'User-agent: GleanerBot',
  'Disallow: /private/',
  'Allow: /',
  'Crawl-delay: 2',
  'Content-Signal: search=yes, ai-train=no',
  '',
].join('\n');
