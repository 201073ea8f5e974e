// The crawl benchmark's site server, run in its own process so that its CPU is not counted
// against the crawler. Serves the precomputed shop of site-data.mjs from memory on 127.0.0.1.
//
//   node bench/crawl/site.mjs [--pages 5000] [--port 0]
//
// Prints one JSON line on stdout once listening: {"origin","pages","bytes","routes"}. Exits when
// its stdin closes (the parent went away) or on SIGTERM. `GET /__bench/stats` (not linked, so no
// crawler finds it) returns request counts since the last `GET /__bench/stats?reset=1`.
import { createServer } from 'node:http';
import { buildSite } from './site-data.mjs';

const argv = process.argv.slice(2);
const arg = (name, fallback) => (argv.includes(name) ? argv[argv.indexOf(name) + 1] : fallback);
const pages = Number(arg('--pages', '5000'));
const port = Number(arg('--port', '0'));

const routes = buildSite(pages);
let bytes = 0;
for (const r of routes.values()) bytes += r.body.length;

const fresh = () => ({ requests: 0, robots: 0, listing: 0, product: 0, disallowed: 0, notFound: 0, bytes: 0, connections: 0, firstMs: 0, firstPageMs: 0, lastMs: 0, userAgents: {} });
let stats = fresh();
const CART = Buffer.from('<!DOCTYPE html><html><body><h1>Your cart is empty</h1></body></html>');
const NOT_FOUND = Buffer.from('<!DOCTYPE html><html><body><h1>Not found</h1></body></html>');

const server = createServer((req, res) => {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  if (path === '/__bench/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify(stats));
    if (url.includes('reset=1')) stats = fresh();
    return;
  }
  stats.requests += 1;
  // When the crawler's requests arrived, for the polite-mode check (ms on this process's clock).
  const now = performance.now();
  if (stats.requests === 1) stats.firstMs = now;
  if (path !== '/robots.txt' && stats.firstPageMs === 0) stats.firstPageMs = now;
  stats.lastMs = now;
  const ua = String(req.headers['user-agent'] ?? '');
  stats.userAgents[ua] = (stats.userAgents[ua] ?? 0) + 1;
  // A request under a disallowed prefix means a crawler ignored robots.txt; counted, not hidden.
  if (path.startsWith('/cart/') || path.startsWith('/product/archive/')) stats.disallowed += 1;
  const route = routes.get(path);
  if (route && !path.startsWith('/product/archive/')) {
    if (path === '/robots.txt') stats.robots += 1;
    else if (path.startsWith('/catalogue/')) stats.listing += 1;
    else if (path.startsWith('/product/')) stats.product += 1;
    stats.bytes += route.body.length;
    res.writeHead(200, { 'content-type': route.type, 'content-length': route.body.length });
    res.end(route.body);
  } else if (path.startsWith('/cart/') || route) {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'content-length': CART.length });
    res.end(path.startsWith('/cart/') ? CART : route.body);
  } else {
    stats.notFound += 1;
    res.writeHead(404, { 'content-type': 'text/html; charset=utf-8', 'content-length': NOT_FOUND.length });
    res.end(NOT_FOUND);
  }
});
// New connections per crawl show whether a crawler reuses them (keep-alive) or pays a handshake
// per page.
server.on('connection', () => {
  stats.connections += 1;
});
server.keepAliveTimeout = 30_000;
server.headersTimeout = 35_000;

server.listen(port, '127.0.0.1', () => {
  const { port: bound } = server.address();
  process.stdout.write(`${JSON.stringify({ origin: `http://127.0.0.1:${bound}`, pages, bytes, routes: routes.size })}\n`);
});

const stop = () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
// The parent holds our stdin open; when it exits (even by a crash) stdin ends and so do we.
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
