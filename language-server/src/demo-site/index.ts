/**
 * The demo bookshop that `gleaner demo` crawls and the integration tests use: HTML pages in the
 * style of books.toscrape.com, robots.txt, a sitemap, TDMRep, a JSON API with four pagination
 * styles and three kinds of auth, and an OAuth2 token endpoint. Node built-ins only.
 *
 * Content is deterministic. The only absolute URLs (canonical links, sitemap, robots `Sitemap:`,
 * `Link` headers, API `url` fields) are built from the request's Host, so the site works on any
 * port, including an ephemeral one.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { TokenStore, apiEndpoint, tokenEndpoint } from './api';
import type { ApiRequest, Reply } from './api';
import { CATALOGUE_LAST_MODIFIED, DEMO_BOOKS, DEMO_CATEGORIES } from './data';
import { FixedWindowBudget, SlidingWindowLimiter, entityTag, isNotModified } from './http-util';
import type { BudgetVerdict } from './http-util';
import {
  cartPage,
  categoryPage,
  detailPage,
  homePage,
  listingPage,
  notFoundPage,
  robotsTxt,
  sitemapXml,
  staffPage,
  tdmPolicyJson,
  tdmrepJson,
  termsPage,
} from './pages';

export { DEMO_CREDENTIALS, REVIEWS_PER_PAGE } from './api';
export {
  BOOKS_PER_PAGE,
  DEMO_BOOKS,
  DEMO_CATEGORIES,
  DEMO_REVIEWS,
  LISTING_PAGES,
  NEGATIVE_PRICE_BOOK_ID,
  NO_PRICE_BOOK_ID,
  UTM_DUPLICATE_BOOK_ID,
} from './data';
export type { DemoBook, DemoCategory, DemoPageFault, DemoReview, RatingWord } from './data';
export type { BudgetVerdict } from './http-util';
export { sitemapPaths } from './pages';

/** The port `gleaner demo` and the examples use. */
export const DEMO_DEFAULT_PORT = 8917;

/** Options for {@link startDemoSite}. */
export interface DemoSiteOptions {
  /** Port to listen on; default 8917; 0 picks a free port. */
  port?: number;
  /** Address to listen on; default 127.0.0.1. */
  host?: string;
  /** API requests admitted in any 1-second window; default 10. 0 turns the limit off. */
  rateLimitPerSecond?: number;
  /** The budget of `/api/v1/books/metered`: requests per window; default 5 per 2 s. */
  meteredBudget?: { limit: number; windowMs: number };
  /** Extra delay before every response, in milliseconds; default 0. */
  latencyMs?: number;
  /** Lifetime of OAuth2 access tokens in seconds; default 300. 0 makes every token expire at once. */
  tokenLifetimeSeconds?: number;
}

/** One request the site received, logged when its response was sent. */
export interface DemoRequestLog {
  /** performance.now() when the response was sent (monotonic milliseconds). */
  time: number;
  method: string;
  /** Path and query as sent, e.g. `/api/v1/books?page=2`. */
  path: string;
  /** The User-Agent header, or '' when none was sent. */
  userAgent: string;
  status: number;
  /** For `/api/v1/books/metered`: the budget after this request (windows in monotonic ms). */
  rateLimit?: BudgetVerdict;
}

/** A running demo site. */
export interface DemoSite {
  /** e.g. `http://127.0.0.1:8917`. */
  origin: string;
  port: number;
  /** Every request so far, in the order responses were sent. */
  requests: DemoRequestLog[];
  /** Stops listening and drops open connections. */
  close(): Promise<void>;
}

const HOST_HEADER = /^(?:[A-Za-z0-9.-]{1,253}|\[[0-9A-Fa-f:.]{2,45}\])(?::\d{1,5})?$/;
const MAX_BODY_BYTES = 16 * 1024;

function html(status: number, body: string): Reply {
  return { status, headers: { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-cache' }, body, conditional: status === 200 };
}

function text(body: string, contentType: string): Reply {
  return { status: 200, headers: { 'content-type': contentType, 'cache-control': 'no-cache' }, body, conditional: true };
}

/** The HTML and text side of the shop: every path that is not under /api/ or /oauth/. */
function pageFor(pathname: string, origin: string): Reply {
  if (pathname === '/' || pathname === '/index.html') return html(200, homePage());
  if (pathname === '/robots.txt') return text(robotsTxt(origin), 'text/plain; charset=utf-8');
  if (pathname === '/sitemap.xml') return text(sitemapXml(origin), 'application/xml; charset=utf-8');
  if (pathname === '/.well-known/tdmrep.json') return text(tdmrepJson(origin), 'application/json; charset=utf-8');
  if (pathname === '/tdm-policy.json') return text(tdmPolicyJson(origin), 'application/json; charset=utf-8');
  if (pathname === '/terms.html') return html(200, termsPage());
  if (pathname === '/private/staff.html') return html(200, staffPage());
  if (pathname === '/cart') return html(200, cartPage());
  const listing = /^\/catalogue\/page-(\d{1,4})\.html$/.exec(pathname);
  if (listing) {
    const body = listingPage(Number(listing[1]));
    if (body !== undefined) return html(200, body);
  }
  const category = /^\/catalogue\/category\/[a-z0-9-]+_\d+\/index\.html$/.test(pathname) ? DEMO_CATEGORIES.find((c) => c.path === pathname) : undefined;
  if (category) return html(200, categoryPage(category));
  const detail = /^\/catalogue\/([a-z0-9-]+)_(\d{1,4})\/index\.html$/.exec(pathname);
  if (detail) {
    const book = DEMO_BOOKS[Number(detail[2]) - 1];
    if (book !== undefined && book.slug === detail[1]) return html(200, detailPage(book, origin));
  }
  return html(404, notFoundPage(pathname));
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= MAX_BODY_BYTES) chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * Starts the demo site. Rejects with a clear error (code `EADDRINUSE`) when the port is taken.
 */
export function startDemoSite(options: DemoSiteOptions = {}): Promise<DemoSite> {
  const port = options.port ?? DEMO_DEFAULT_PORT;
  const host = options.host ?? '127.0.0.1';
  const latencyMs = Math.max(0, options.latencyMs ?? 0);
  const limiter = new SlidingWindowLimiter(options.rateLimitPerSecond ?? 10, 1000);
  const tokens = new TokenStore(options.tokenLifetimeSeconds ?? 300);
  const metered = new FixedWindowBudget(Math.max(1, options.meteredBudget?.limit ?? 5), Math.max(1, options.meteredBudget?.windowMs ?? 2000));
  const requests: DemoRequestLog[] = [];
  const timers = new Set<NodeJS.Timeout>();
  let listeningOrigin = '';

  const delay = (): Promise<void> =>
    latencyMs === 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const timer = setTimeout(() => {
            timers.delete(timer);
            resolve();
          }, latencyMs);
          timers.add(timer);
        });

  function send(req: IncomingMessage, res: ServerResponse, reply: Reply): void {
    let status = reply.status;
    const headers: Record<string, string> = { ...reply.headers };
    let body: Buffer | undefined = Buffer.from(reply.body, 'utf8');
    if (reply.conditional) {
      const etag = entityTag(body);
      headers.etag = etag;
      headers['last-modified'] = CATALOGUE_LAST_MODIFIED.toUTCString();
      const ifNoneMatch = req.headers['if-none-match'];
      const ifModifiedSince = req.headers['if-modified-since'];
      if (isNotModified({ ifNoneMatch, ifModifiedSince }, etag, CATALOGUE_LAST_MODIFIED)) {
        status = 304;
        delete headers['content-type'];
        body = undefined;
      }
    }
    if (body !== undefined) headers['content-length'] = String(body.length);
    // Logged before the response is written, so a client that has its answer always finds
    // the request in the log.
    requests.push({
      time: performance.now(),
      method: req.method ?? '',
      path: req.url ?? '',
      userAgent: req.headers['user-agent'] ?? '',
      status,
      ...(reply.rateLimit ? { rateLimit: reply.rateLimit } : {}),
    });
    res.writeHead(status, headers);
    res.end(req.method === 'HEAD' ? undefined : body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const hostHeader = req.headers.host ?? '';
    const origin = HOST_HEADER.test(hostHeader) ? `http://${hostHeader}` : listeningOrigin;
    const url = new URL(req.url ?? '/', 'http://demo.invalid');
    const method = req.method ?? 'GET';
    const body = method === 'POST' ? await readBody(req) : '';
    if (method !== 'POST') req.resume();
    await delay();
    const isApi = url.pathname.startsWith('/api/');
    if (isApi || url.pathname === '/oauth/token') {
      // Only the API is rate limited: the pages are for polite crawlers that already keep to
      // the robots.txt Crawl-delay. The token endpoint is exempt so a client that is backing
      // off can still renew its token.
      if (isApi && !limiter.tryAdmit(performance.now())) {
        send(req, res, {
          status: 429,
          headers: { 'content-type': 'application/json; charset=utf-8', 'retry-after': '1' },
          body: `${JSON.stringify({ error: 'rate_limited', error_description: 'More than the allowed API requests in one second; retry after 1 s.' })}\n`,
          conditional: false,
        });
        return;
      }
      const apiRequest: ApiRequest = {
        method,
        pathname: url.pathname,
        query: url.searchParams,
        headers: req.headers as Record<string, string | undefined>,
        body,
        origin,
        now: performance.now(),
      };
      send(req, res, isApi ? apiEndpoint(apiRequest, tokens, metered) : tokenEndpoint(apiRequest, tokens));
      return;
    }
    if (method !== 'GET' && method !== 'HEAD') {
      const reply = html(405, notFoundPage(url.pathname).replace('Page not found', 'Method not allowed'));
      reply.headers.allow = 'GET, HEAD';
      send(req, res, reply);
      return;
    }
    send(req, res, pageFor(url.pathname, origin));
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      // A bug in the demo site must show up as a 500 in the tests, not as a hung request.
      if (!res.headersSent) {
        send(req, res, { status: 500, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: `demo site error: ${String(error)}\n`, conditional: false });
      } else {
        res.destroy();
      }
    });
  });

  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      if (error.code === 'EADDRINUSE') {
        const wrapped = new Error(`demo site: port ${port} on ${host} is already in use; stop what is using it or choose another port (0 picks a free one)`) as NodeJS.ErrnoException;
        wrapped.code = 'EADDRINUSE';
        reject(wrapped);
      } else {
        reject(new Error(`demo site: cannot listen on ${host}:${port}: ${error.message}`));
      }
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      const actual = (server.address() as AddressInfo).port;
      listeningOrigin = `http://${host.includes(':') ? `[${host}]` : host}:${actual}`;
      resolve({
        origin: listeningOrigin,
        port: actual,
        requests,
        close: () =>
          new Promise<void>((done) => {
            for (const timer of timers) clearTimeout(timer);
            timers.clear();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
