// The API examples against the demo site: page-number pagination with an API key, cursor
// pagination with a bearer token, Link-header pagination with OAuth2 client credentials, and
// offset pagination; then a check that no credential value reached any file the runs wrote.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { DEMO_CREDENTIALS, startDemoSite } from '../../../language-server/src/demo-site/index';
import { runCollection } from '../../../language-server/src/engine/index';
import type { RunEvent, RunManifest, RunSummary } from '../../../language-server/src/engine/index';
import { demoEnvFrom, exampleSpecText, filesUnder, readJsonl, realPorts, specOf } from './support';

let site: Awaited<ReturnType<typeof startDemoSite>>;
const out = mkdtempSync(join(tmpdir(), 'gleaner-api-'));
const env = demoEnvFrom(DEMO_CREDENTIALS);

before(async () => {
  site = await startDemoSite({ port: 0 });
});
after(async () => {
  await site.close();
  rmSync(out, { recursive: true, force: true });
});

// The API admits 10 requests a second; 110 ms keeps a run under it without slowing tests much.
const API_DELAY = '110ms';

async function run(text: string, name: string, sourceIds?: string[]): Promise<{ summary: RunSummary; events: RunEvent[]; runDir: string }> {
  const ports = realPorts(env);
  const events: RunEvent[] = [];
  const runDir = join(out, name);
  try {
    const summary = await runCollection({ spec: specOf(text), specText: text, specPath: join(out, `${name}.collect.yaml`), runDir, sourceIds }, ports, (e) => events.push(e));
    return { summary, events, runDir };
  } finally {
    await ports.http.close();
  }
}

/** Parses the CSV the books-api example writes (no embedded newlines in this data). */
function csvRecords(path: string): Record<string, string>[] {
  const text = readFileSync(path, 'utf8');
  assert.ok(text.endsWith('\r\n'));
  const [header, ...rows] = text.trimEnd().split('\r\n');
  const cols = header.split(',');
  return rows.map((row) => {
    const cells: string[] = [];
    let cur = '';
    let quoted = false;
    for (let i = 0; i < row.length; i++) {
      const ch = row[i];
      if (quoted) {
        if (ch === '"' && row[i + 1] === '"') {
          cur += '"';
          i++;
        } else if (ch === '"') quoted = false;
        else cur += ch;
      } else if (ch === '"') quoted = true;
      else if (ch === ',') {
        cells.push(cur);
        cur = '';
      } else cur += ch;
    }
    cells.push(cur);
    return Object.fromEntries(cols.map((c, i) => [c, cells[i]]));
  });
}

void test('page-number (API key) and cursor (bearer) pagination both read all 60 books', { timeout: 30_000 }, async () => {
  const text = exampleSpecText('books-api.collect.yaml', site.origin, API_DELAY);
  const byPage = await run(text, 'by-page', ['books-by-page']);
  assert.equal(byPage.summary.status, 'completed', byPage.summary.reason);
  const pageRows = csvRecords(byPage.summary.files.records);
  assert.equal(pageRows.length, 60);
  assert.equal(new Set(pageRows.map((r) => r.upc)).size, 60);
  assert.ok(pageRows.every((r) => r._source_url.includes('/api/v1/books?')), 'CSV provenance column');
  const pageRequests = site.requests.filter((r) => r.path.startsWith('/api/v1/books?'));
  // Pages 1-3 hold the books; page 4 is empty and stops the source (when_empty).
  assert.deepEqual(pageRequests.filter((r) => r.status === 200).map((r) => new URL(r.path, site.origin).searchParams.get('page')), ['1', '2', '3', '4']);

  const byCursor = await run(text, 'by-cursor', ['books-by-cursor']);
  assert.equal(byCursor.summary.status, 'completed', byCursor.summary.reason);
  const cursorRows = csvRecords(byCursor.summary.files.records);
  assert.equal(cursorRows.length, 60);
  assert.deepEqual(new Set(cursorRows.map((r) => r.upc)), new Set(pageRows.map((r) => r.upc)));
});

void test('Link-header pagination with OAuth2 client credentials reads all 90 reviews', { timeout: 30_000 }, async () => {
  const text = exampleSpecText('reviews-oauth.collect.yaml', site.origin, API_DELAY);
  const { summary, runDir } = await run(text, 'reviews');
  assert.equal(summary.status, 'completed', summary.reason);
  const records = readJsonl(join(runDir, 'records.jsonl'));
  const failed = readJsonl(join(runDir, 'failed.jsonl'));
  const nearDuplicates = summary.counts.duplicates.near ?? 0;
  assert.equal(records.length + failed.length + nearDuplicates + (summary.counts.duplicates.content ?? 0), 90);
  assert.ok(records.length > 0);
  assert.equal(site.requests.filter((r) => r.path.startsWith('/oauth/token')).length, 1, 'the token is cached across pages');
  assert.ok(records.every((r) => ['negative', 'neutral', 'positive'].includes(String(r.sentiment))));
});

void test('offset pagination reads all 60 books', { timeout: 30_000 }, async () => {
  const text = exampleSpecText('books-api.collect.yaml', site.origin, API_DELAY)
    .replace(`${site.origin}/api/v1/books\n`, `${site.origin}/api/v1/books/offset\n`)
    .replace(/type: page\n(\s*)param: page\n\s*start: 1\n\s*size_param: per_page\n\s*size: 20/, 'type: offset\n$1param: offset\n$1start: 0\n$1size_param: limit\n$1size: 25');
  assert.match(text, /type: offset/);
  const { summary } = await run(text, 'by-offset', ['books-by-page']);
  assert.equal(summary.status, 'completed', summary.reason);
  assert.equal(csvRecords(summary.files.records).length, 60);
  const offsets = site.requests.filter((r) => r.path.startsWith('/api/v1/books/offset')).map((r) => new URL(r.path, site.origin).searchParams.get('offset'));
  assert.deepEqual(offsets, ['0', '25', '50', '75']);
});

void test('the API rate limit (429 + Retry-After) is honoured and counted as retries', { timeout: 30_000 }, async () => {
  // Five books a page and no delay: 13 requests in a burst, so the site answers 429 after 10.
  const text = exampleSpecText('books-api.collect.yaml', site.origin, '1ms').replace('size: 20', 'size: 5').replace('max_pages: 10', 'max_pages: 20');
  const before = site.requests.length;
  const { summary, events } = await run(text, 'rate-limited', ['books-by-page']);
  assert.equal(summary.status, 'completed', summary.reason);
  assert.equal(csvRecords(summary.files.records).length, 60);
  const limited = site.requests.slice(before).filter((r) => r.status === 429).length;
  assert.ok(limited > 0, 'the burst hit the rate limit');
  assert.equal(summary.counts.retries, limited);
  assert.equal(events.filter((e) => e.type === 'retry').length, limited);
});

void test('a missing secret fails the run before any request, naming the variable', { timeout: 10_000 }, async () => {
  const text = exampleSpecText('books-api.collect.yaml', site.origin, API_DELAY);
  const ports = realPorts({});
  const before = site.requests.length;
  try {
    const summary = await runCollection({ spec: specOf(text), specText: text, specPath: join(out, 'x.collect.yaml'), runDir: join(out, 'no-secret') }, ports, () => undefined);
    assert.equal(summary.status, 'failed');
    assert.match(summary.reason ?? '', /GLEANER_DEMO_API_KEY/);
  } finally {
    await ports.http.close();
  }
  assert.equal(site.requests.length, before);
});

void test('a secret that ends up in a request URL is redacted from records and manifest', { timeout: 30_000 }, async () => {
  // The token as an (ignored) query parameter puts it in every provenance URL and skip entry.
  const text = exampleSpecText('books-api.collect.yaml', site.origin, API_DELAY).replace(
    `url: ${site.origin}/api/v1/books\n`,
    `url: ${site.origin}/api/v1/books\n      params:\n        echo: \${env:GLEANER_DEMO_TOKEN}\n`,
  );
  assert.match(text, /echo: \$\{env:GLEANER_DEMO_TOKEN\}/);
  const { summary } = await run(text, 'leaky', ['books-by-page']);
  assert.equal(summary.status, 'completed', summary.reason);
  const csv = readFileSync(summary.files.records, 'utf8');
  assert.match(csv, /echo=%5BREDACTED%5D|echo=\[REDACTED\]/);
  assert.ok(!csv.includes(DEMO_CREDENTIALS.token));
});

void test('no credential value appears in any file the runs wrote', () => {
  const secrets = [DEMO_CREDENTIALS.apiKey, DEMO_CREDENTIALS.token, DEMO_CREDENTIALS.clientId, DEMO_CREDENTIALS.clientSecret, Buffer.from(`${DEMO_CREDENTIALS.clientId}:${DEMO_CREDENTIALS.clientSecret}`).toString('base64')];
  const files = filesUnder(out);
  assert.ok(files.some((f) => f.path.endsWith('manifest.json')));
  for (const f of files) for (const s of secrets) assert.ok(!f.text.includes(s), `${s} found in ${f.path}`);
  const manifest = JSON.parse(readFileSync(join(out, 'reviews', 'manifest.json'), 'utf8')) as RunManifest;
  assert.equal(manifest.status, 'completed');
});
