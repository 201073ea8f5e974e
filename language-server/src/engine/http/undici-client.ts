/**
 * The one HttpClient adapter: the only file in the engine that imports undici.
 *
 * It sends exactly one request (undici's `request` API never follows redirects unless a redirect
 * interceptor is installed, and none is, so the engine can re-check robots.txt on every hop),
 * decompresses the body itself so that the size cap counts decompressed bytes and a compression
 * bomb is cut off early, and turns every failure into an HttpFailure of the right kind.
 */
import type { LookupFunction } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createBrotliDecompress, createGunzip, createInflate, createInflateRaw } from 'node:zlib';
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici';
import { HttpFailure, type HttpClient, type HttpFailureKind, type HttpRequest, type HttpResponse } from '../ports';
import type { HookedHttpRequest } from './request-hooks';

/** Options for {@link createHttpClient}. */
export interface HttpClientOptions {
  /** Route through HTTP_PROXY / HTTPS_PROXY (honouring NO_PROXY) when those are set. Default true. */
  proxyFromEnv?: boolean;
  /** Keep-alive connections per origin. Default 6. */
  connectionsPerOrigin?: number;
  /** Environment to read the proxy variables from (tests); default `process.env`. */
  env?: Record<string, string | undefined>;
  /**
   * Resolves host names instead of the system resolver (`dns.lookup`), with its signature. Name
   * resolution is IO like any other, so it can be passed in: a caller can pin names or refuse
   * some addresses, and a test can make resolution fail without sending a DNS query.
   */
  lookup?: LookupFunction;
}

/** A too-large failure that also says how far the body got before it was cut off. */
export class HttpTooLargeFailure extends HttpFailure {
  constructor(
    url: string,
    message: string,
    /** Bytes read from the wire (compressed) before the exchange was aborted. */
    readonly wireBytes: number,
    /** Decompressed bytes produced before the exchange was aborted. */
    readonly decodedBytes: number,
  ) {
    super('too-large', url, message);
  }
}

/** Headers whose repeated values must not be comma-joined (RFC 9110 5.3 names `set-cookie`). */
const NEWLINE_JOINED = new Set(['set-cookie']);

/**
 * Creates the production HttpClient: one keep-alive dispatcher with a connection pool per
 * origin, or an EnvHttpProxyAgent when proxy variables are set. Dispatchers are keyed by connect
 * timeout because undici fixes that per dispatcher, not per request; in practice there is one.
 */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const env = options.env ?? process.env;
  const useProxy =
    (options.proxyFromEnv ?? true) &&
    ['HTTP_PROXY', 'HTTPS_PROXY', 'http_proxy', 'https_proxy'].some((name) => (env[name] ?? '') !== '');
  const connections = Math.max(1, options.connectionsPerOrigin ?? 6);
  const dispatchers = new Map<number, Dispatcher>();
  // compose() returns a wrapper; closing goes to the agent underneath.
  const closers = new Map<Dispatcher, Dispatcher>();
  let closed = false;

  const dispatcherFor = (connectTimeoutMs: number): Dispatcher => {
    let dispatcher = dispatchers.get(connectTimeoutMs);
    if (dispatcher) return dispatcher;
    const agentOptions = {
      connections,
      connect: { timeout: connectTimeoutMs, ...(options.lookup ? { lookup: options.lookup } : {}) },
      keepAliveTimeout: 4_000,
      keepAliveMaxTimeout: 60_000,
    };
    const base = useProxy
      ? new EnvHttpProxyAgent({
          ...agentOptions,
          httpProxy: env.HTTP_PROXY ?? env.http_proxy,
          httpsProxy: env.HTTPS_PROXY ?? env.https_proxy,
          noProxy: env.NO_PROXY ?? env.no_proxy,
        })
      : new Agent(agentOptions);
    dispatcher = base.compose(sentNotifier);
    closers.set(dispatcher, base);
    dispatchers.set(connectTimeoutMs, dispatcher);
    return dispatcher;
  };

  return {
    async request(request: HttpRequest): Promise<HttpResponse> {
      if (closed) throw new HttpFailure('aborted', request.url, 'the HTTP client is closed');
      return send(dispatcherFor(Math.max(1, request.connectTimeoutMs)), request);
    },
    async close(): Promise<void> {
      closed = true;
      const all = [...dispatchers.values()].map((dispatcher) => closers.get(dispatcher) ?? dispatcher);
      dispatchers.clear();
      closers.clear();
      await Promise.all(all.map((dispatcher) => dispatcher.close().catch(() => dispatcher.destroy())));
    },
  };
}

/** Where a request's `onSent` hook travels inside undici's dispatch options. */
const ON_SENT = Symbol('gleaner.onSent');

/**
 * An interceptor that calls the request's `onSent` hook once the request has been handed to the
 * socket. undici announces a request (the handler's `onRequestStart`, or legacy `onConnect`) on
 * a connection already set up, then builds it and calls `socket.write` in the same synchronous
 * run, and its handler API has no event after the write. So the hook is deferred to the next
 * tick: it then runs after the write, and a stall of this process between the announcement and
 * the write (85 ms was seen on a loaded two-core machine) delays the hook with it instead of
 * shortening the gap the server sees before the next request.
 */
const sentNotifier: Dispatcher.DispatcherComposeInterceptor = (dispatch) => (options, handler) => {
  const onSent = (options as { [ON_SENT]?: () => void })[ON_SENT];
  if (onSent === undefined) return dispatch(options, handler);
  let fired = false;
  const notify = (): void => {
    try {
      onSent();
    } catch {
      // A failing observer must not break the exchange; politeness then falls back to
      // the moment the slot was granted.
    }
  };
  const wrapped = new Proxy(handler, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property);
      if (typeof value !== 'function') return value;
      if (property !== 'onRequestStart' && property !== 'onConnect') return value.bind(target);
      return (...args: unknown[]) => {
        if (!fired) {
          fired = true;
          process.nextTick(notify);
        }
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return dispatch(options, wrapped);
};

/** Why our own abort controller fired, so the error undici raises can be named correctly. */
type AbortCause = 'deadline' | 'caller';

async function send(dispatcher: Dispatcher, request: HttpRequest): Promise<HttpResponse> {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    throw new HttpFailure('invalid', request.url, `not a valid URL: ${request.url}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new HttpFailure('invalid', request.url, `unsupported scheme ${url.protocol} (only http and https)`);
  }
  if (url.username !== '' || url.password !== '') {
    // Credentials in a URL would be sent in clear and logged with the URL; auth goes in headers.
    throw new HttpFailure('invalid', request.url, 'URLs with embedded credentials are not fetched');
  }
  if (request.signal?.aborted) throw new HttpFailure('aborted', request.url, 'the request was cancelled before it started');

  const controller = new AbortController();
  let cause: AbortCause | undefined;
  const onCallerAbort = (): void => {
    cause ??= 'caller';
    controller.abort(new Error('cancelled'));
  };
  request.signal?.addEventListener('abort', onCallerAbort, { once: true });
  // The adapter owns real time: this timer is the whole-exchange deadline, body included, so a
  // server dripping one byte a second cannot hold a crawl slot forever.
  const deadline = setTimeout(() => {
    cause ??= 'deadline';
    controller.abort(new Error('deadline'));
  }, Math.max(1, request.deadlineMs));

  const started = performance.now();
  let headersMs = 0;
  const counters: BodyCounters = { wire: 0, decoded: 0 };
  try {
    const headers: Record<string, string> = { 'accept-encoding': 'gzip, deflate, br' };
    for (const [name, value] of Object.entries(request.headers)) headers[name.toLowerCase()] = value;
    const onSent = (request as HookedHttpRequest).onSent;
    const response = await dispatcher.request({
      ...(onSent ? { [ON_SENT]: onSent } : {}),
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: request.method,
      headers,
      body: request.body === undefined ? undefined : typeof request.body === 'string' ? request.body : Buffer.from(request.body),
      signal: controller.signal,
      headersTimeout: Math.max(1, request.headersTimeoutMs),
      bodyTimeout: Math.max(1, request.deadlineMs),
    });
    headersMs = performance.now() - started;
    const responseHeaders = flattenHeaders(response.headers);
    const body = await readBody(response.body, responseHeaders['content-encoding'], request, counters);
    return {
      url: request.url,
      status: response.statusCode,
      headers: responseHeaders,
      body,
      wireBytes: counters.wire,
      timings: { headersMs, totalMs: performance.now() - started },
    };
  } catch (error) {
    throw toFailure(error, request, cause, counters);
  } finally {
    clearTimeout(deadline);
    request.signal?.removeEventListener('abort', onCallerAbort);
  }
}

/** Lower-cased names; repeated values joined with ", " except `set-cookie`, joined by newlines. */
function flattenHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [rawName, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const name = rawName.toLowerCase();
    const values = Array.isArray(value) ? value : [value];
    const previous = flat[name];
    const all = previous === undefined ? values : [previous, ...values];
    flat[name] = all.join(NEWLINE_JOINED.has(name) ? '\n' : ', ');
  }
  return flat;
}

/** Bytes seen so far, and which cap (if any) stopped the body. */
interface BodyCounters {
  wire: number;
  decoded: number;
  /** Set when a cap is crossed: pipeline may surface a secondary AbortError instead of ours. */
  capExceeded?: 'wire' | 'decoded';
}

/** Raised inside the body pipeline when a cap is crossed; mapped to HttpTooLargeFailure. */
class CapExceeded extends Error {
  constructor(readonly which: 'wire' | 'decoded') {
    super(`${which} cap exceeded`);
  }
}

/**
 * Reads the body through the decoders named by Content-Encoding, counting wire bytes before and
 * decoded bytes after. Decoders are zlib streams that emit output in small chunks, so a bomb is
 * stopped after roughly one chunk past the cap rather than after inflating the whole thing.
 */
async function readBody(
  body: Readable,
  contentEncoding: string | undefined,
  request: HttpRequest,
  counters: BodyCounters,
): Promise<Uint8Array> {
  const maxBytes = Math.max(0, request.maxBytes);
  const decoders = decodersFor(contentEncoding);
  const chunks: Buffer[] = [];
  const countWire = new Transform({
    transform(chunk: Buffer, _encoding: string, callback: TransformCallback) {
      counters.wire += chunk.length;
      // Compressed data is never legitimately larger than what it decodes to (beyond a small
      // header), so the same cap bounds the wire too, which also covers unknown encodings.
      if (counters.wire > maxBytes + 1024) {
        counters.capExceeded = 'wire';
        callback(new CapExceeded('wire'));
      }
      else callback(null, chunk);
    },
  });
  const collect = async (source: AsyncIterable<Buffer>): Promise<void> => {
    for await (const chunk of source) {
      counters.decoded += chunk.length;
      if (counters.decoded > maxBytes) {
        counters.capExceeded = 'decoded';
        throw new CapExceeded('decoded');
      }
      chunks.push(chunk);
    }
  };
  // The array form of pipeline takes any number of decoders; its typings only cover fixed arity.
  const runPipeline = pipeline as unknown as (streams: unknown[]) => Promise<void>;
  await runPipeline([body, countWire, ...decoders, collect]);
  return new Uint8Array(Buffer.concat(chunks));
}

/** Decoders for a Content-Encoding list, last-applied first. Unknown codings pass through. */
function decodersFor(contentEncoding: string | undefined): Transform[] {
  if (contentEncoding === undefined) return [];
  const codings = contentEncoding
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity');
  const decoders: Transform[] = [];
  for (const coding of codings.reverse()) {
    if (coding === 'gzip' || coding === 'x-gzip') decoders.push(createGunzip());
    else if (coding === 'deflate') decoders.push(inflateEither());
    else if (coding === 'br') decoders.push(createBrotliDecompress());
    else return []; // An encoding we cannot undo: hand the bytes over as they came.
  }
  return decoders;
}

/**
 * "deflate" is meant to be zlib-wrapped (RFC 9110 8.4.1.2), but some servers send raw deflate;
 * like browsers, look at the first byte and pick the matching inflater.
 */
function inflateEither(): Transform {
  let inner: Transform | undefined;
  return new Transform({
    transform(chunk: Buffer, _encoding: string, callback: TransformCallback) {
      if (!inner) {
        inner = (chunk[0] ?? 0) % 16 === 8 ? createInflate() : createInflateRaw();
        inner.on('data', (data: Buffer) => this.push(data));
        inner.on('error', (error) => this.destroy(error));
      }
      inner.write(chunk, () => callback());
    },
    flush(callback: TransformCallback) {
      if (!inner) return callback();
      inner.once('end', () => callback());
      inner.end();
    },
    destroy(error, callback) {
      inner?.destroy();
      callback(error);
    },
  });
}

const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EAI_FAIL',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENETDOWN',
  'EHOSTDOWN',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
  'UND_ERR_DESTROYED',
  'UND_ERR_RES_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH',
  'UND_ERR_HEADERS_OVERFLOW',
  'UND_ERR_INFO',
  'ERR_STREAM_PREMATURE_CLOSE',
  // A truncated compressed body: the connection ended early, not a corrupt encoding.
  'Z_BUF_ERROR',
  'CERT_HAS_EXPIRED',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);
const TIMEOUT_CODES = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'ETIMEDOUT']);
const INVALID_CODES = new Set(['UND_ERR_INVALID_ARG', 'UND_ERR_NOT_SUPPORTED', 'Z_DATA_ERROR', 'ERR_INVALID_URL', 'ERR_INVALID_ARG_TYPE']);

/** Finds the first error code along an error's `cause` chain (undici wraps socket errors). */
function codeOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR_ABORTED' && code !== 'ABORT_ERR') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

function toFailure(
  error: unknown,
  request: HttpRequest,
  cause: AbortCause | undefined,
  counters: BodyCounters,
): HttpFailure {
  if (error instanceof HttpFailure) return error;
  const cap = counters.capExceeded ?? (error instanceof CapExceeded ? error.which : undefined);
  if (cap !== undefined) {
    const what = cap === 'decoded' ? 'decompressed body' : 'body on the wire';
    return new HttpTooLargeFailure(
      request.url,
      `the ${what} exceeded the ${request.maxBytes}-byte cap (stopped after ${counters.wire} wire bytes, ${counters.decoded} decoded)`,
      counters.wire,
      counters.decoded,
    );
  }
  // Our own aborts come back as AbortError/RequestAbortedError; the cause we recorded names them.
  if (cause === 'deadline') {
    return new HttpFailure('timeout', request.url, `no complete response within the ${request.deadlineMs} ms deadline`);
  }
  if (cause === 'caller') return new HttpFailure('aborted', request.url, 'the request was cancelled');
  const code = codeOf(error);
  const connectFailure = describeConnectFailure(code, error, request);
  if (connectFailure) return connectFailure;
  const message = error instanceof Error ? error.message : String(error);
  let kind: HttpFailureKind = 'network';
  if (code !== undefined && TIMEOUT_CODES.has(code)) kind = 'timeout';
  else if (code !== undefined && INVALID_CODES.has(code)) kind = 'invalid';
  else if (code !== undefined && NETWORK_CODES.has(code)) kind = 'network';
  const detail = code === undefined ? message : `${code}: ${message}`;
  const prefix: Record<HttpFailureKind, string> = {
    network: 'network error',
    timeout: 'timed out',
    invalid: 'invalid request or response',
    'too-large': 'too large',
    blocked: 'blocked',
    aborted: 'cancelled',
  };
  return new HttpFailure(kind, request.url, `${prefix[kind]} (${detail})`);
}

/** Resolver answers that mean the name has no address (now, or at all). */
const LOOKUP_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'EAI_FAIL', 'EAI_NONAME', 'EAI_NODATA']);

/**
 * The failures before a connection exists, worded for the person reading a run's skips: which
 * step failed, for which host and URL. undici's own text ("Connect Timeout Error (attempted
 * address: …)") names neither the step in plain words nor the URL that was being fetched.
 */
function describeConnectFailure(code: string | undefined, error: unknown, request: HttpRequest): HttpFailure | undefined {
  if (code === undefined) return undefined;
  let host: string;
  try {
    host = new URL(request.url).host;
  } catch {
    return undefined;
  }
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new HttpFailure('timeout', request.url, `connect timed out: no connection to ${host} within ${request.connectTimeoutMs} ms for ${request.url} (${code})`);
  }
  if (LOOKUP_CODES.has(code)) {
    // The resolver's error names the name it was asked for: through a proxy, that is the proxy's.
    const hostname = hostnameOf(error) ?? host.replace(/:\d+$/, '');
    return new HttpFailure('network', request.url, `name resolution failed: ${hostname} has no address (${code}) for ${request.url}`);
  }
  return undefined;
}

/** The `hostname` a resolver error carries, along the `cause` chain. */
function hostnameOf(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    const hostname = (current as { hostname?: unknown }).hostname;
    if (typeof hostname === 'string' && hostname !== '') return hostname;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
