/**
 * A loopback server that echoes the key it was sent, the way a careless API or a "your key is …"
 * page does: in the JSON body (also as a number, for a key of digits), in an HTML page, in a link
 * to a detail page, and in a response header. The preview must show none of it in clear. robots.txt disallows `/hidden`, and
 * `/links.html` links to a hidden page, a missing one and the detail page, in that order.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the server answered. */
export interface EchoRequest {
  path: string;
  status: number;
}

/** A running echo server. */
export interface EchoServer {
  /** e.g. `http://127.0.0.1:41234`. */
  origin: string;
  requests: EchoRequest[];
  close(): Promise<void>;
}

function keyOf(req: IncomingMessage, url: URL): string {
  const header = req.headers['x-api-key'];
  return (typeof header === 'string' ? header : undefined) ?? url.searchParams.get('key') ?? '';
}

/**
 * Starts the server on a free port of 127.0.0.1. `/detail.html` answers only when it is sent
 * `expectedKey`, so a test can tell that a followed link kept the key its page passed on.
 */
export async function startEchoServer(expectedKey: string): Promise<EchoServer> {
  const requests: EchoRequest[] = [];
  const reply = (req: IncomingMessage, res: ServerResponse, status: number, type: string, body: string, key: string): void => {
    requests.push({ path: req.url ?? '', status });
    res.writeHead(status, { 'content-type': type, 'x-echo-key': key, 'cache-control': 'no-store' });
    res.end(body);
  };
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const key = keyOf(req, url);
    switch (url.pathname) {
      case '/robots.txt':
        return reply(req, res, 200, 'text/plain', 'User-agent: *\nDisallow: /hidden\n', '');
      case '/echo.json':
        // A key of digits also comes back as a JSON number, as an API with numeric keys sends it.
        return reply(
          req,
          res,
          200,
          'application/json',
          JSON.stringify({ items: [{ title: 'Echo', key, note: `Your key is ${key}.`, ...(/^\d+$/.test(key) ? { id: Number(key) } : {}) }], received: { 'x-api-key': key } }),
          key,
        );
      case '/echo.html': {
        const page = `<!doctype html><html><head><title>Echo</title></head><body>
<div class="item"><h2>Echo</h2><p class="key">${key}</p><a class="next" href="/detail.html?key=${encodeURIComponent(key)}">more</a></div>
</body></html>`;
        return reply(req, res, 200, 'text/html; charset=utf-8', page, key);
      }
      case '/links.html': {
        const detail = `/detail.html?key=${encodeURIComponent(key)}`;
        const page = `<!doctype html><html><body><a class="l" href="/hidden.html">hidden</a> <a class="l" href="/gone.html">gone</a> <a class="l" href="${detail}">detail</a></body></html>`;
        return reply(req, res, 200, 'text/html; charset=utf-8', page, '');
      }
      case '/detail.html':
        if (key !== expectedKey) return reply(req, res, 403, 'text/plain', 'wrong key', '');
        return reply(req, res, 200, 'text/html; charset=utf-8', `<!doctype html><html><body><h1>Detail</h1><p class="key">${key}</p></body></html>`, key);
      default:
        return reply(req, res, 404, 'text/plain', 'not found', '');
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
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
