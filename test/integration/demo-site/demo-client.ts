/**
 * A tiny HTTP client for the demo-site tests. It uses node:http with a fresh connection per
 * request (no keep-alive pool to outlive the site) and lets a test set any header, Host included.
 */
import http from 'node:http';

/** A response with the body read as UTF-8. */
export interface DemoResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** Sends one request to `origin` + `path` and reads the whole response (5 s deadline). */
export function send(
  origin: string,
  path: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<DemoResponse> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      `${origin}${path}`,
      { method: options.method ?? 'GET', headers: { 'user-agent': 'DemoSiteTest/1.0', ...options.headers }, agent: false, timeout: 5000 },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`timed out: ${path}`)));
    req.on('error', reject);
    req.end(options.body);
  });
}

/** GETs JSON; fails the test with the body when the status is not `expected`. */
export async function getJson(origin: string, path: string, headers: Record<string, string> = {}, expected = 200): Promise<{ json: unknown; response: DemoResponse }> {
  const response = await send(origin, path, { headers });
  if (response.status !== expected) throw new Error(`${path}: expected ${expected}, got ${response.status}: ${response.body.slice(0, 300)}`);
  return { json: JSON.parse(response.body) as unknown, response };
}
