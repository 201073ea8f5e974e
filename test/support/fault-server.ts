/**
 * A loopback HTTP server with fault injection, for the HTTP client and politeness tests.
 *
 * It listens twice, on 127.0.0.1 and on 127.0.0.2 (Linux routes all of 127/8 to loopback), so
 * tests have two "hosts" for cross-host redirects and per-host politeness. Faults are chosen by
 * path (the built-in routes below, tuned by query parameters) or by a per-test route table that
 * takes precedence. Every request is logged with a monotonic time, method, URL, host, headers,
 * how many requests to that host were in flight when it arrived, and when it ended, so tests can
 * check politeness from the server's side.
 *
 * Built-in routes (query parameters in brackets):
 *   /ok, /echo (JSON of method, url, headers), /status [code], /etag (ETag + Last-Modified, 304)
 *   /429 [n=1, after=1, form=seconds|date]: n answers 429 with Retry-After, then 200
 *   /503-storm [n=3, after]: n answers 503 (Retry-After when `after` is set), then 200
 *   /reset-headers: socket destroyed before any byte; /reset-body: destroyed mid-body
 *   /drip [bytes=50, every=50]: one byte every `every` ms; /slow-headers [ms=500]
 *   /redirect-loop, /chain [n=3]: n redirects then 200; /cross [to=/ok]: redirect to the other host
 *   /big [bytes]: a body of `bytes` bytes; /bomb [members=160]: a gzip bomb (64 MiB per member)
 *   /gzip, /deflate, /deflate-raw, /br: a compressed text body
 *   /charset/<latin1-header|sjis-meta|missing|wrong|utf8-bom|gb18030-http-equiv|euc-kr-header>
 *   /broken-html, /robots.txt (200 "Allow: /", override with robotsRoute(...))
 * It also acts as a CONNECT proxy to loopback targets (logged with method CONNECT), so the
 * client's HTTP_PROXY support can be tested without leaving the machine.
 */
import { EventEmitter } from 'node:events';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { brotliCompressSync, deflateRawSync, deflateSync, gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';

/** One logged request. `end` and `bytesSent` are filled in when the exchange closes. */
export interface FaultLogEntry {
  seq: number;
  /**
   * When the request arrived, in ms of a monotonic clock: the server's `now` option, by default
   * performance.now(). It is read as the request's headers are parsed, in the same turn of the
   * event loop as the socket read that brought them.
   */
  t: number;
  method: string;
  /** Path and query, as requested. */
  url: string;
  /** Host name the request was sent to (`127.0.0.1` or `127.0.0.2`). */
  host: string;
  headers: http.IncomingHttpHeaders;
  /** Requests to this host in flight when this one arrived, itself included. */
  inFlightOnHost: number;
  end?: number;
  /** Bytes written to the socket for this exchange (headers included), when it closed. */
  bytesSent?: number;
  /** True when the client went away before the response was complete. */
  aborted?: boolean;
}

/** What a route handler gets. */
export interface FaultContext {
  req: http.IncomingMessage;
  res: http.ServerResponse;
  url: URL;
  /** Earlier requests for the same host, path and query (0 on the first). */
  hits: number;
  entry: FaultLogEntry;
  /** The origin of the other listener, for cross-host redirects. */
  otherOrigin: string;
  /** Runs `fn` after `ms` real milliseconds unless the server closes or the client leaves. */
  later(ms: number, fn: () => void): void;
}

/** A route handler. */
export type FaultRoute = (context: FaultContext) => void;

/** A running fault server. */
export interface FaultServer {
  /** `http://127.0.0.1:<port>` */
  origin: string;
  /** `http://127.0.0.2:<port>`: the same routes, another host. */
  origin2: string;
  log: FaultLogEntry[];
  /** Requests whose path (before `?`) is `path`, optionally only those to `host`. */
  requestsTo(path: string, host?: string): FaultLogEntry[];
  /** Resolves once `predicate(log)` holds (checked on every arrival and close); rejects after `timeoutMs`. */
  waitFor(predicate: (log: FaultLogEntry[]) => boolean, timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
}

/** Options of {@link startFaultServer}. */
export interface FaultServerOptions {
  /** The clock of `t` and `end` in the log, in ms; performance.now() by default. */
  now?: () => number;
}

/**
 * CLOCK_MONOTONIC in milliseconds (process.hrtime). Unlike performance.now(), whose origin is
 * each process's start, it reads the same in every process on the machine, so a server in a
 * child process and the test that started it can compare their timestamps.
 */
export function monotonicMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

/** The second loopback "host"; tests can check it is usable with {@link canListenOn}. */
export const SECOND_HOST = '127.0.0.2';

/** A gzip member that inflates to 64 MiB of zeros (about 64 KiB on the wire). */
let bombMember: Buffer | undefined;
function gzipBombMember(): Buffer {
  bombMember ??= gzipSync(Buffer.alloc(64 * 1024 * 1024), { level: 9 });
  return bombMember;
}
/** Decompressed bytes per bomb member. */
export const BOMB_MEMBER_BYTES = 64 * 1024 * 1024;

const COMPRESSED_TEXT = 'compressed body, café, '.repeat(200);
/** The text every compressed route (/gzip, /deflate, /deflate-raw, /br) decodes to. */
export const COMPRESSED_BODY_TEXT = COMPRESSED_TEXT;

/** Byte fixtures for /charset/<name>: the Content-Type sent, the bytes, and the text expected. */
export const CHARSET_FIXTURES: Record<string, { contentType: string; body: Buffer; expected: string; encoding: string }> = {
  'latin1-header': {
    contentType: 'text/html; charset=ISO-8859-1',
    body: Buffer.concat([Buffer.from('<p>'), Buffer.from([0x80, 0x20, 0x63, 0x61, 0x66, 0xe9]), Buffer.from('</p>')]),
    expected: '<p>€ café</p>',
    encoding: 'windows-1252',
  },
  'sjis-meta': {
    contentType: 'text/html',
    body: Buffer.concat([Buffer.from('<html><head><meta charset="Shift_JIS"></head><body>'), iconv.encode('日本語のページ', 'shift_jis'), Buffer.from('</body></html>')]),
    expected: '<html><head><meta charset="Shift_JIS"></head><body>日本語のページ</body></html>',
    encoding: 'shift_jis',
  },
  'gb18030-http-equiv': {
    contentType: 'text/html',
    body: Buffer.concat([
      Buffer.from('<meta http-equiv="content-type" content="text/html; charset=gb18030"><p>'),
      iconv.encode('中文网页', 'gb18030'),
      Buffer.from('</p>'),
    ]),
    expected: '<meta http-equiv="content-type" content="text/html; charset=gb18030"><p>中文网页</p>',
    encoding: 'gb18030',
  },
  'euc-kr-header': {
    contentType: 'text/html; charset=EUC-KR',
    body: Buffer.concat([Buffer.from('<p>'), iconv.encode('한국어', 'cp949'), Buffer.from('</p>')]),
    expected: '<p>한국어</p>',
    encoding: 'euc-kr',
  },
  missing: {
    contentType: 'text/html',
    body: Buffer.from([0x3c, 0x70, 0x3e, 0x63, 0x61, 0x66, 0xe9]),
    expected: '<p>café',
    encoding: 'windows-1252',
  },
  wrong: {
    // The header claims UTF-8 but the bytes are Latin-1: the header wins, é becomes U+FFFD.
    contentType: 'text/html; charset=utf-8',
    body: Buffer.from([0x63, 0x61, 0x66, 0xe9]),
    expected: 'caf\uFFFD',
    encoding: 'utf-8',
  },
  'utf8-bom': {
    contentType: 'text/html; charset=ISO-8859-1',
    body: Buffer.from([0xef, 0xbb, 0xbf, 0x63, 0x61, 0x66, 0xc3, 0xa9]),
    expected: 'café',
    encoding: 'utf-8',
  },
};

/** HTML that is broken in the usual ways: unclosed and misnested tags, a stray `</p>`, no `</html>`. */
export const BROKEN_HTML = '<html><head><title>Broken</title><body><div class="a"><p>one<p>two <b>bold <i>both</b> italic</i></div></p><ul><li>x<li>y';

/** robots.txt behaviours for {@link robotsRoute}. */
export type RobotsMode = 200 | 404 | 403 | 500 | 503 | 429 | 'timeout';

/**
 * A /robots.txt route: 200 with `body`, one of the error statuses, or `timeout` (headers are
 * never sent; the client's deadline must end it).
 */
export function robotsRoute(mode: RobotsMode, body = 'User-agent: *\nDisallow: /private/\nCrawl-delay: 1\n'): FaultRoute {
  return ({ res }) => {
    if (mode === 'timeout') return; // Never answer; the socket is destroyed when the server closes.
    if (mode === 200) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(body);
      return;
    }
    const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/plain' };
    if (mode === 429 || mode === 503) headers['retry-after'] = '1';
    res.writeHead(mode, headers);
    res.end(`robots.txt answers ${mode}`);
  };
}

const int = (url: URL, name: string, fallback: number): number => {
  const value = Number(url.searchParams.get(name));
  return url.searchParams.has(name) && Number.isFinite(value) ? value : fallback;
};

/** Writes `total` bytes of `chunk` repeats with backpressure, stopping if the client leaves. */
function writeRepeated(res: http.ServerResponse, chunk: Buffer, count: number): void {
  let written = 0;
  const pump = (): void => {
    while (written < count) {
      if (res.destroyed || res.writableEnded) return;
      written++;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.end();
  };
  pump();
}

const BUILT_IN: Record<string, FaultRoute> = {
  '/ok': ({ res }) => {
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    res.end('<html><body>ok</body></html>');
  },
  '/echo': ({ req, res }) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ method: req.method, url: req.url, headers: req.headers }));
  },
  '/status': ({ res, url }) => {
    const code = int(url, 'code', 200);
    // Two Vary lines, to check that the client joins repeated headers.
    res.setHeader('vary', ['accept', 'accept-encoding']);
    res.writeHead(code, { 'content-type': 'text/plain', 'set-cookie': ['a=1; Path=/', 'b=2; Path=/'] });
    res.end(`status ${code}`);
  },
  '/etag': ({ req, res }) => {
    const headers = { etag: '"v1"', 'last-modified': 'Mon, 23 Nov 2026 10:00:00 GMT', 'content-type': 'application/json' };
    if (req.headers['if-none-match'] === '"v1"') {
      res.writeHead(304, headers);
      res.end();
      return;
    }
    res.writeHead(200, headers);
    res.end('{"v":1}');
  },
  '/429': ({ res, url, hits }) => {
    if (hits < int(url, 'n', 1)) {
      const after = int(url, 'after', 1);
      const value = url.searchParams.get('form') === 'date' ? new Date(Date.now() + after * 1000).toUTCString() : String(after);
      res.writeHead(429, { 'retry-after': value, 'content-type': 'text/plain' });
      res.end('slow down');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('finally');
  },
  '/503-storm': ({ res, url, hits }) => {
    if (hits < int(url, 'n', 3)) {
      const headers: http.OutgoingHttpHeaders = { 'content-type': 'text/plain' };
      if (url.searchParams.has('after')) headers['retry-after'] = String(int(url, 'after', 1));
      res.writeHead(503, headers);
      res.end('unavailable');
      return;
    }
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.end('recovered');
  },
  '/reset-headers': ({ req }) => {
    req.socket.destroy();
  },
  '/reset-body': ({ res, later }) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': '10000' });
    res.write('x'.repeat(100));
    later(20, () => res.socket?.destroy());
  },
  '/drip': ({ res, url, later }) => {
    const bytes = int(url, 'bytes', 50);
    const every = int(url, 'every', 50);
    res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(bytes) });
    let sent = 0;
    const tick = (): void => {
      if (res.destroyed) return;
      res.write('.');
      sent++;
      if (sent >= bytes) res.end();
      else later(every, tick);
    };
    tick();
  },
  '/slow-headers': ({ res, url, later }) => {
    later(int(url, 'ms', 500), () => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('late');
    });
  },
  '/redirect-loop': ({ res }) => {
    res.writeHead(302, { location: '/redirect-loop-b' });
    res.end();
  },
  '/redirect-loop-b': ({ res }) => {
    res.writeHead(301, { location: '/redirect-loop' });
    res.end();
  },
  '/chain': ({ res, url }) => {
    const n = int(url, 'n', 3);
    if (n <= 0) {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end('end of chain');
      return;
    }
    res.writeHead(302, { location: `/chain?n=${n - 1}` });
    res.end();
  },
  '/cross': ({ res, url, otherOrigin }) => {
    res.writeHead(302, { location: `${otherOrigin}${url.searchParams.get('to') ?? '/ok'}` });
    res.end();
  },
  '/big': ({ res, url }) => {
    const bytes = int(url, 'bytes', 1024 * 1024);
    const chunk = Buffer.alloc(16 * 1024, 0x61);
    res.writeHead(200, { 'content-type': 'text/plain' });
    const full = Math.floor(bytes / chunk.length);
    const rest = bytes - full * chunk.length;
    if (rest > 0) res.write(chunk.subarray(0, rest));
    writeRepeated(res, chunk, full);
  },
  '/bomb': ({ res, url }) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    writeRepeated(res, gzipBombMember(), int(url, 'members', 160));
  },
  '/gzip': ({ res }) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'gzip' });
    res.end(gzipSync(COMPRESSED_TEXT));
  },
  '/deflate': ({ res }) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'deflate' });
    res.end(deflateSync(COMPRESSED_TEXT));
  },
  '/deflate-raw': ({ res }) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'deflate' });
    res.end(deflateRawSync(COMPRESSED_TEXT));
  },
  '/br': ({ res }) => {
    res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8', 'content-encoding': 'br' });
    res.end(brotliCompressSync(COMPRESSED_TEXT));
  },
  '/bad-gzip': ({ res }) => {
    res.writeHead(200, { 'content-type': 'text/plain', 'content-encoding': 'gzip' });
    res.end(Buffer.from('this is not gzip at all, not even close'));
  },
  '/broken-html': ({ res }) => {
    res.writeHead(200, { 'content-type': 'text/html' });
    res.end(BROKEN_HTML);
  },
  '/robots.txt': robotsRoute(200, 'User-agent: *\nAllow: /\n'),
};

function charsetRoute(name: string): FaultRoute | undefined {
  const fixture = CHARSET_FIXTURES[name];
  if (!fixture) return undefined;
  return ({ res }) => {
    res.writeHead(200, { 'content-type': fixture.contentType, 'content-length': String(fixture.body.length) });
    res.end(fixture.body);
  };
}

/** True when this machine can listen on `address` (127.0.0.2 needs Linux-style loopback). */
export async function canListenOn(address: string): Promise<boolean> {
  const server = http.createServer();
  return new Promise((resolve) => {
    server.once('error', () => resolve(false));
    server.listen(0, address, () => server.close(() => resolve(true)));
  });
}

/** Starts the fault server on 127.0.0.1 and 127.0.0.2, each on a free port. */
export async function startFaultServer(routes: Record<string, FaultRoute> = {}, options: FaultServerOptions = {}): Promise<FaultServer> {
  const now = options.now ?? (() => performance.now());
  const log: FaultLogEntry[] = [];
  const events = new EventEmitter();
  const inFlight = new Map<string, number>();
  const hits = new Map<string, number>();
  const timers = new Set<NodeJS.Timeout>();
  let seq = 0;
  const origins = { first: '', second: '' };

  const handler = (req: http.IncomingMessage, res: http.ServerResponse): void => {
    // Read the time first: this runs synchronously from the parser's headers-complete callback,
    // so it is the earliest moment the process can know the request is there.
    const arrived = now();
    const hostHeader = req.headers.host ?? '';
    const host = hostHeader.replace(/:\d+$/, '');
    const url = new URL(req.url ?? '/', `http://${hostHeader || '127.0.0.1'}`);
    const count = (inFlight.get(host) ?? 0) + 1;
    inFlight.set(host, count);
    const entry: FaultLogEntry = {
      seq: seq++,
      t: arrived,
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      host,
      headers: req.headers,
      inFlightOnHost: count,
    };
    log.push(entry);
    const startBytes = req.socket.bytesWritten;
    const socket = req.socket;
    let finished = false;
    const mine = new Set<NodeJS.Timeout>();
    const done = (aborted: boolean): void => {
      if (finished) return;
      finished = true;
      for (const timer of mine) {
        clearTimeout(timer);
        timers.delete(timer);
      }
      inFlight.set(host, (inFlight.get(host) ?? 1) - 1);
      entry.end = now();
      entry.bytesSent = socket.bytesWritten - startBytes;
      entry.aborted = aborted;
      events.emit('change');
    };
    res.once('finish', () => done(false));
    res.once('close', () => done(!res.writableFinished));
    events.emit('change');

    const key = `${host} ${url.pathname}${url.search}`;
    const hit = hits.get(key) ?? 0;
    hits.set(key, hit + 1);
    const local = `http://${hostHeader}`;
    const route = routes[url.pathname] ?? BUILT_IN[url.pathname] ?? (url.pathname.startsWith('/charset/') ? charsetRoute(url.pathname.slice('/charset/'.length)) : undefined);
    const context: FaultContext = {
      req,
      res,
      url,
      hits: hit,
      entry,
      otherOrigin: local === origins.first ? origins.second : origins.first,
      later(ms, fn) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          mine.delete(timer);
          fn();
        }, ms);
        timers.add(timer);
        mine.add(timer);
      },
    };
    if (!route) {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such fault');
      return;
    }
    route(context);
  };

  const tunnels = new Set<net.Socket>();
  /** A forward proxy's CONNECT, limited to loopback targets: tests never leave the machine. */
  const onConnect = (req: http.IncomingMessage, client: net.Socket, head: Buffer): void => {
    const target = req.url ?? '';
    const match = /^(127\.\d+\.\d+\.\d+):(\d+)$/.exec(target);
    log.push({ seq: seq++, t: now(), method: 'CONNECT', url: target, host: (req.headers.host ?? '').replace(/:\d+$/, ''), headers: req.headers, inFlightOnHost: 0 });
    events.emit('change');
    if (!match) {
      client.end('HTTP/1.1 403 Forbidden\r\n\r\n');
      return;
    }
    const upstream = net.connect(Number(match[2]), match[1], () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    tunnels.add(upstream).add(client);
    const cleanup = (): void => {
      upstream.destroy();
      client.destroy();
      tunnels.delete(upstream);
      tunnels.delete(client);
    };
    upstream.on('error', cleanup).on('close', cleanup);
    client.on('error', cleanup).on('close', cleanup);
  };

  const listen = (address: string): Promise<http.Server> =>
    new Promise((resolve, reject) => {
      const server = http.createServer(handler);
      server.on('connect', onConnect);
      // Keep-alive connections must not outlive the test; close() destroys them.
      server.keepAliveTimeout = 5000;
      server.once('error', reject);
      server.listen(0, address, () => resolve(server));
    });
  const first = await listen('127.0.0.1');
  const second = await listen(SECOND_HOST);
  origins.first = `http://127.0.0.1:${(first.address() as AddressInfo).port}`;
  origins.second = `http://${SECOND_HOST}:${(second.address() as AddressInfo).port}`;

  return {
    origin: origins.first,
    origin2: origins.second,
    log,
    requestsTo(path, host) {
      return log.filter((entry) => entry.url.split('?')[0] === path && (host === undefined || entry.host === host));
    },
    waitFor(predicate, timeoutMs = 5000) {
      return new Promise<void>((resolve, reject) => {
        if (predicate(log)) return resolve();
        const check = (): void => {
          if (!predicate(log)) return;
          clearTimeout(timer);
          events.off('change', check);
          resolve();
        };
        const timer = setTimeout(() => {
          events.off('change', check);
          reject(new Error(`fault server: condition not met within ${timeoutMs} ms (${log.length} requests logged)`));
        }, timeoutMs);
        events.on('change', check);
      });
    },
    async close() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of tunnels) socket.destroy();
      await Promise.all(
        [first, second].map(
          (server) =>
            new Promise<void>((resolve) => {
              server.close(() => resolve());
              server.closeAllConnections();
            }),
        ),
      );
    },
  };
}
