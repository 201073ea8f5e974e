// API pagination edge cases against a scripted loopback server: next-URL pagination to the
// end, a cursor that repeats (the loop guard must stop it), and a next link that points back.
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { runCollection } from '../../../language-server/src/engine/index';
import type { RunEvent } from '../../../language-server/src/engine/index';
import { readJsonl, realPorts, specOf } from './support';

let origin = '';
const hits: string[] = [];
const server = http.createServer((req, res) => {
  const u = new URL(req.url ?? '/', 'http://x');
  hits.push(u.pathname + u.search);
  res.setHeader('content-type', 'application/json');
  if (u.pathname === '/robots.txt') {
    res.setHeader('content-type', 'text/plain');
    res.end('User-agent: *\nAllow: /\n');
    return;
  }
  if (u.pathname === '/next') {
    const n = Number(u.searchParams.get('n') ?? '0');
    res.end(JSON.stringify({ items: [{ id: n * 2 }, { id: n * 2 + 1 }], next: n < 3 ? `/next?n=${n + 1}` : null }));
    return;
  }
  if (u.pathname === '/loop-cursor') {
    // Always hands back the same cursor: without a guard this never ends.
    const c = u.searchParams.get('c') ?? 'start';
    res.end(JSON.stringify({ items: [{ id: c === 'start' ? 1 : 2 }], next_cursor: 'same' }));
    return;
  }
  if (u.pathname === '/loop-next') {
    res.end(JSON.stringify({ items: [{ id: 7 }], next: '/loop-next' }));
    return;
  }
  res.statusCode = 404;
  res.end('{}');
});

before(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

function apiSpec(path: string, pagination: string): string {
  return `gleaner: 1
name: guards
description: pagination guards
user_agent: "GleanerBot/0.1 (+mailto:test@example.org)"
licence: { spdx: CC0-1.0, intended_use: [research] }
politeness: { delay: 1ms, allow_private_network: true, budget: { pages: 50 } }
sources:
  - id: api
    kind: api
    request: { url: ${origin}${path} }
    pagination:
${pagination}
    records:
      path: $.items[*]
      fields:
        id: { path: $.id, type: integer }
records:
  fields:
    id: { type: integer, required: true }
  key: id
output: { format: jsonl, directory: runs }
`;
}

async function run(text: string): Promise<{ events: RunEvent[]; dir: string; records: Record<string, unknown>[] }> {
  const dir = mkdtempSync(join(tmpdir(), 'gleaner-guards-'));
  const ports = realPorts();
  const events: RunEvent[] = [];
  try {
    const runDir = join(dir, 'run');
    const summary = await runCollection({ spec: specOf(text), specText: text, specPath: join(dir, 'x.collect.yaml'), runDir }, ports, (e) => events.push(e));
    assert.equal(summary.status, 'completed');
    return { events, dir, records: readJsonl(join(runDir, 'records.jsonl')) };
  } finally {
    await ports.http.close();
  }
}

void test('next_url pagination follows the body link until it is null', { timeout: 20_000 }, async () => {
  const { records, dir } = await run(apiSpec('/next?n=0', '      type: next_url\n      next_path: $.next'));
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(records.map((r) => r.id), [0, 1, 2, 3, 4, 5, 6, 7]);
});

void test('a repeating cursor stops the source with a warning', { timeout: 20_000 }, async () => {
  hits.length = 0;
  const { records, events, dir } = await run(apiSpec('/loop-cursor', '      type: cursor\n      param: c\n      cursor_path: $.next_cursor'));
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(records.map((r) => r.id), [1, 2]);
  assert.equal(hits.filter((h) => h.startsWith('/loop-cursor')).length, 2);
  assert.ok(events.some((e) => e.type === 'warning' && /again/.test(e.message)));
});

void test('a next link pointing back to itself stops the source', { timeout: 20_000 }, async () => {
  hits.length = 0;
  const { records, events, dir } = await run(apiSpec('/loop-next', '      type: next_url\n      next_path: $.next'));
  rmSync(dir, { recursive: true, force: true });
  assert.deepEqual(records.map((r) => r.id), [7]);
  assert.equal(hits.filter((h) => h.startsWith('/loop-next')).length, 1);
  assert.ok(events.some((e) => e.type === 'warning' && /again/.test(e.message)));
});
