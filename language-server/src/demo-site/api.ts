/**
 * The demo shop's JSON API and OAuth2 token endpoint, as pure-ish functions from a parsed
 * request to a reply. Four pagination styles (page, offset, cursor, `Link` header) and three
 * kinds of auth (API key, static bearer token, OAuth2 client credentials) so every pagination
 * and auth path of a collector can be exercised against one server, and one metered endpoint
 * whose small request budget is announced in `X-RateLimit-*` headers.
 */
import { randomBytes } from 'node:crypto';
import { DEMO_BOOKS, DEMO_REVIEWS } from './data';
import type { DemoBook } from './data';
import { rateLimitHeaders } from './http-util';
import type { BudgetVerdict, FixedWindowBudget } from './http-util';

/** The demo site's secrets. `gleaner demo` passes them to specs as `${env:GLEANER_DEMO_*}`. */
export const DEMO_CREDENTIALS = {
  /** `X-API-Key` for `/api/v1/books` and `/api/v1/books/offset`. */
  apiKey: 'demo-key',
  /** Static bearer token for `/api/v1/books/cursor`. */
  token: 'demo-token',
  /** OAuth2 client credentials for `POST /oauth/token` (tokens for `/api/v1/reviews`). */
  clientId: 'demo-client',
  clientSecret: 'demo-secret',
} as const;

/** What a handler answers; the server adds validators and the 304 logic for `conditional`. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
  /** GET responses that carry ETag/Last-Modified and may become 304. */
  conditional: boolean;
  /** The metered endpoint's budget after this request, for the request log. */
  rateLimit?: BudgetVerdict;
}

/** The parts of a request the API looks at. */
export interface ApiRequest {
  method: string;
  pathname: string;
  query: URLSearchParams;
  /** Lower-cased header names. */
  headers: Record<string, string | undefined>;
  body: string;
  /** Absolute origin built from the request's Host, for `url` fields and `Link` headers. */
  origin: string;
  /** Monotonic milliseconds (performance.now). */
  now: number;
}

/** Books a page of the offset and cursor endpoints default to, and the most any page may hold. */
const DEFAULT_PAGE_SIZE = 20;
const MAX_PAGE_SIZE = 100;
/** Reviews per page of `/api/v1/reviews`. */
export const REVIEWS_PER_PAGE = 25;

function json(status: number, value: unknown, headers: Record<string, string> = {}, conditional = status === 200): Reply {
  return {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'private, no-cache', ...headers },
    body: `${JSON.stringify(value)}\n`,
    conditional,
  };
}

function unauthorized(challenge: string, error: string, description: string): Reply {
  return json(401, { error, error_description: description }, { 'www-authenticate': challenge }, false);
}

function badRequest(description: string): Reply {
  return json(400, { error: 'invalid_request', error_description: description }, {}, false);
}

/** The book as the API serves it (always its true price; only the HTML pages are broken). */
function bookJson(book: DemoBook, origin: string): Record<string, unknown> {
  return {
    id: book.id,
    title: book.title,
    price: book.price,
    currency: 'GBP',
    rating: book.rating,
    category: book.category,
    upc: book.upc,
    available: book.available,
    url: `${origin}${book.path}`,
  };
}

/** Reads an optional positive-integer query parameter; a string is an error message. */
function intParam(query: URLSearchParams, name: string, fallback: number, min: number, max: number): number | string {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  if (!/^\d{1,9}$/.test(raw)) return `${name} must be an integer, got "${raw.slice(0, 40)}"`;
  const value = Number(raw);
  if (value < min || value > max) return `${name} must be between ${min} and ${max}, got ${value}`;
  return value;
}

function bearerOf(headers: ApiRequest['headers']): string | undefined {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '');
  return match?.[1];
}

function checkApiKey(req: ApiRequest): Reply | undefined {
  const key = req.headers['x-api-key'];
  const challenge = 'ApiKey realm="gleaner-demo", header="X-API-Key"';
  if (key === undefined || key === '') return unauthorized(challenge, 'missing_api_key', 'Send the API key in the X-API-Key header.');
  if (key !== DEMO_CREDENTIALS.apiKey) return unauthorized(challenge, 'invalid_api_key', 'The API key is not valid.');
  return undefined;
}

function checkStaticBearer(req: ApiRequest): Reply | undefined {
  const token = bearerOf(req.headers);
  if (token === undefined) return unauthorized('Bearer realm="gleaner-demo"', 'missing_token', 'Send Authorization: Bearer <token>.');
  if (token !== DEMO_CREDENTIALS.token) {
    return unauthorized('Bearer realm="gleaner-demo", error="invalid_token"', 'invalid_token', 'The bearer token is not valid.');
  }
  return undefined;
}

/** Cursors are opaque to clients; inside they are the base64url of `o:<offset>`. */
function encodeCursor(offset: number): string {
  return Buffer.from(`o:${offset}`, 'utf8').toString('base64url');
}

function decodeCursor(cursor: string): number | undefined {
  if (!/^[A-Za-z0-9_-]{1,40}$/.test(cursor)) return undefined;
  const match = /^o:(\d{1,6})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  return match ? Number(match[1]) : undefined;
}

/** Issues and checks OAuth2 access tokens; one per server so tokens never leak between starts. */
export class TokenStore {
  private readonly tokens = new Map<string, number>();

  constructor(private readonly lifetimeSeconds: number) {}

  /** A new token valid for `lifetimeSeconds` from `now` (monotonic ms). */
  issue(now: number): { token: string; expiresIn: number } {
    for (const [token, expiry] of this.tokens) if (expiry <= now) this.tokens.delete(token);
    const token = `demo-oauth-${randomBytes(18).toString('base64url')}`;
    this.tokens.set(token, now + this.lifetimeSeconds * 1000);
    return { token, expiresIn: this.lifetimeSeconds };
  }

  /** `valid`, `expired` or `unknown`. */
  check(token: string, now: number): 'valid' | 'expired' | 'unknown' {
    const expiry = this.tokens.get(token);
    if (expiry === undefined) return 'unknown';
    return now < expiry ? 'valid' : 'expired';
  }
}

function decodeBasic(header: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return undefined;
  // RFC 6749 §2.3.1 form-encodes the id and secret before Base64; plain values decode unchanged.
  const unform = (s: string): string => {
    try {
      return decodeURIComponent(s.replace(/\+/g, ' '));
    } catch {
      return s;
    }
  };
  return { id: unform(decoded.slice(0, colon)), secret: unform(decoded.slice(colon + 1)) };
}

/** `POST /oauth/token`, client credentials grant (RFC 6749 §4.4). */
export function tokenEndpoint(req: ApiRequest, tokens: TokenStore): Reply {
  if (req.method !== 'POST') {
    return json(405, { error: 'invalid_request', error_description: 'Use POST.' }, { allow: 'POST' }, false);
  }
  const form = new URLSearchParams(req.body);
  const noStore = { 'cache-control': 'no-store', pragma: 'no-cache' };
  const grant = form.get('grant_type');
  if (grant === null || grant === '') return json(400, { error: 'invalid_request', error_description: 'grant_type is required.' }, noStore, false);
  if (grant !== 'client_credentials') {
    return json(400, { error: 'unsupported_grant_type', error_description: 'Only client_credentials is supported.' }, noStore, false);
  }
  const basic = decodeBasic(req.headers.authorization);
  const id = basic?.id ?? form.get('client_id') ?? undefined;
  const secret = basic?.secret ?? form.get('client_secret') ?? undefined;
  if (id !== DEMO_CREDENTIALS.clientId || secret !== DEMO_CREDENTIALS.clientSecret) {
    const reply = unauthorized('Basic realm="gleaner-demo"', 'invalid_client', id === undefined ? 'Client credentials are required.' : 'Unknown client or wrong secret.');
    Object.assign(reply.headers, noStore);
    return reply;
  }
  const { token, expiresIn } = tokens.issue(req.now);
  return json(200, { access_token: token, token_type: 'Bearer', expires_in: expiresIn }, noStore, false);
}

/** Routes `/api/v1/*`; an unknown API path gets a JSON 404. */
export function apiEndpoint(req: ApiRequest, tokens: TokenStore, metered: FixedWindowBudget): Reply {
  const routes: Record<string, () => Reply> = {
    '/api/v1/books': () => booksByPage(req),
    '/api/v1/books/metered': () => booksMetered(req, metered),
    '/api/v1/books/offset': () => booksByOffset(req),
    '/api/v1/books/cursor': () => booksByCursor(req),
    '/api/v1/reviews': () => reviews(req, tokens),
  };
  const route = Object.hasOwn(routes, req.pathname) ? routes[req.pathname] : undefined;
  if (route === undefined) return json(404, { error: 'not_found', error_description: `No API endpoint at ${req.pathname.slice(0, 200)}.` }, {}, false);
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return json(405, { error: 'method_not_allowed', error_description: 'Use GET.' }, { allow: 'GET, HEAD' }, false);
  }
  return route();
}

function booksByPage(req: ApiRequest): Reply {
  const denied = checkApiKey(req);
  if (denied) return denied;
  const page = intParam(req.query, 'page', 1, 1, 1_000_000);
  if (typeof page === 'string') return badRequest(page);
  const perPage = intParam(req.query, 'per_page', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  if (typeof perPage === 'string') return badRequest(perPage);
  const items = DEMO_BOOKS.slice((page - 1) * perPage, page * perPage).map((b) => bookJson(b, req.origin));
  return json(200, { items, page, per_page: perPage, total: DEMO_BOOKS.length });
}

/**
 * `/api/v1/books/metered`: the page / per_page endpoint behind a small fixed-window budget, with
 * `X-RateLimit-Limit`, `-Remaining` and `-Reset` (seconds) on every answer. A request past the
 * budget gets 429 and `Retry-After`; a client that reads the headers never sees one. The budget
 * is charged before auth, as API gateways do, so every request counts.
 */
function booksMetered(req: ApiRequest, budget: FixedWindowBudget): Reply {
  const verdict = budget.take(req.now);
  const limitHeaders = rateLimitHeaders(verdict, req.now);
  let reply: Reply;
  if (!verdict.admitted) {
    reply = json(
      429,
      { error: 'rate_limited', error_description: `The budget of ${verdict.limit} requests per ${budget.windowMs / 1000} s is spent; it resets in ${limitHeaders['x-ratelimit-reset']} s.` },
      { 'retry-after': limitHeaders['x-ratelimit-reset'] },
      false,
    );
  } else reply = booksByPage(req);
  Object.assign(reply.headers, limitHeaders);
  reply.rateLimit = verdict;
  return reply;
}

function booksByOffset(req: ApiRequest): Reply {
  const denied = checkApiKey(req);
  if (denied) return denied;
  const offset = intParam(req.query, 'offset', 0, 0, 100_000_000);
  if (typeof offset === 'string') return badRequest(offset);
  const limit = intParam(req.query, 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  if (typeof limit === 'string') return badRequest(limit);
  const items = DEMO_BOOKS.slice(offset, offset + limit).map((b) => bookJson(b, req.origin));
  return json(200, { items, offset, limit, total: DEMO_BOOKS.length });
}

function booksByCursor(req: ApiRequest): Reply {
  const denied = checkStaticBearer(req);
  if (denied) return denied;
  const raw = req.query.get('cursor');
  const offset = raw === null || raw === '' ? 0 : decodeCursor(raw);
  if (offset === undefined) return badRequest('cursor is not one this API issued.');
  const limit = intParam(req.query, 'limit', DEFAULT_PAGE_SIZE, 1, MAX_PAGE_SIZE);
  if (typeof limit === 'string') return badRequest(limit);
  const items = DEMO_BOOKS.slice(offset, offset + limit).map((b) => bookJson(b, req.origin));
  const next = offset + limit < DEMO_BOOKS.length ? encodeCursor(offset + limit) : null;
  return json(200, { items, next_cursor: next });
}

function reviews(req: ApiRequest, tokens: TokenStore): Reply {
  const token = bearerOf(req.headers);
  if (token === undefined) {
    return unauthorized('Bearer realm="gleaner-demo"', 'missing_token', 'Get a token from POST /oauth/token and send Authorization: Bearer <token>.');
  }
  const state = tokens.check(token, req.now);
  if (state !== 'valid') {
    const description = state === 'expired' ? 'The access token expired; request a new one.' : 'The access token is not valid.';
    return unauthorized(`Bearer realm="gleaner-demo", error="invalid_token", error_description="${description}"`, 'invalid_token', description);
  }
  const page = intParam(req.query, 'page', 1, 1, 1_000_000);
  if (typeof page === 'string') return badRequest(page);
  const items = DEMO_REVIEWS.slice((page - 1) * REVIEWS_PER_PAGE, page * REVIEWS_PER_PAGE);
  const headers: Record<string, string> = {};
  if (page * REVIEWS_PER_PAGE < DEMO_REVIEWS.length) headers.link = `<${req.origin}/api/v1/reviews?page=${page + 1}>; rel="next"`;
  return json(200, { items }, headers);
}
