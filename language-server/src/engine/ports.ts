/**
 * Ports: every effect the engine needs, passed in by its caller. The engine never reads the
 * clock, sleeps, logs or touches the network except through these, so tests can plug a fake
 * clock and a loopback server and assert politeness exactly.
 */

/** Wall-clock time in milliseconds since the epoch. */
export interface Clock {
  now(): number;
}

/** Waits `ms` milliseconds; rejects with an AbortError when `signal` aborts first. */
export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

export interface Logger {
  debug(message: string): void;
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

export type HttpMethod = 'GET' | 'HEAD' | 'POST';

/** One HTTP exchange. The client never follows redirects itself: the engine does, hop by hop,
 * so that robots.txt and politeness apply again after a redirect to another host. */
export interface HttpRequest {
  url: string;
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string | Uint8Array;
  /** Abort once more than this many (decompressed) body bytes arrive. */
  maxBytes: number;
  connectTimeoutMs: number;
  headersTimeoutMs: number;
  /** Deadline for the whole exchange, body included (bounds slow-drip responses). */
  deadlineMs: number;
  signal?: AbortSignal;
}

export interface HttpResponse {
  /** The URL that was requested (redirects are not followed). */
  url: string;
  status: number;
  /** Header names lower-cased; repeated headers joined as the HTTP rules allow. */
  headers: Record<string, string>;
  /** The decompressed body. */
  body: Uint8Array;
  /** Bytes received on the wire before decompression, when known. */
  wireBytes?: number;
  /** Milliseconds from sending to the response headers, and to the end of the body. */
  timings: { headersMs: number; totalMs: number };
}

/**
 * Why an exchange failed. `kind` decides what the crawler does: `network` and `timeout` may be
 * retried; `too-large`, `blocked` and `invalid` may not.
 */
export type HttpFailureKind = 'network' | 'timeout' | 'too-large' | 'invalid' | 'blocked' | 'aborted';

export class HttpFailure extends Error {
  constructor(
    readonly kind: HttpFailureKind,
    readonly url: string,
    message: string,
  ) {
    super(message);
    this.name = 'HttpFailure';
  }
}

/** Sends one request. Throws HttpFailure; never throws anything else for a failed exchange. */
export interface HttpClient {
  request(request: HttpRequest): Promise<HttpResponse>;
  close(): Promise<void>;
}

/** Resolves `${env:NAME}` and `${secret:NAME}` references. Undefined means "not set". */
export interface SecretResolver {
  resolve(kind: 'env' | 'secret', name: string): string | undefined;
}
