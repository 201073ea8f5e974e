// A crawl of the demo bookshop (started on an ephemeral port) with the books example: counts,
// failed records with reasons, robots.txt skips, provenance, the run's paper trail, and a
// second run in the same output directory that revalidates with If-None-Match and gets 304s.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { startDemoSite } from '../../../language-server/src/demo-site/index';
import { runCollection } from '../../../language-server/src/engine/index';
import type { RunEvent, RunManifest, RunSummary } from '../../../language-server/src/engine/index';
import { exampleSpecText, readJsonl, realPorts, specOf } from './support';

let site: Awaited<ReturnType<typeof startDemoSite>>;
const out = mkdtempSync(join(tmpdir(), 'gleaner-demo-crawl-'));

before(async () => {
  site = await startDemoSite({ port: 0 });
});
after(async () => {
  await site.close();
  rmSync(out, { recursive: true, force: true });
});

/** The books example, also following the promo links on page 2 (the robots traps). */
function booksSpecText(): string {
  const text = exampleSpecText('books.collect.yaml', site.origin);
  if (text.includes('div.promo')) return text;
  return text.replace(
    /(\n\s*- selector: article\.product_pod h3 a\n\s*source: book)/,
    `\n      - selector: div.promo a\n        source: book$1`,
  );
}

async function crawl(runName: string): Promise<{ summary: RunSummary; events: RunEvent[]; runDir: string }> {
  const text = booksSpecText();
  const ports = realPorts();
  const events: RunEvent[] = [];
  const runDir = join(out, runName);
  try {
    const summary = await runCollection({ spec: specOf(text), specText: text, specPath: join(out, 'books.collect.yaml'), runDir }, ports, (e) => events.push(e));
    return { summary, events, runDir };
  } finally {
    await ports.http.close();
  }
}

let first: Awaited<ReturnType<typeof crawl>>;

void test('crawls the demo shop: 58 records, the two broken books failed, traps skipped by robots', { timeout: 30_000 }, async () => {
  first = await crawl('run-1');
  const { summary, runDir } = first;
  assert.equal(summary.status, 'completed', summary.reason);
  assert.equal(summary.counts.records, 58);
  assert.equal(summary.counts.failed, 2);
  const records = readJsonl(join(runDir, 'records.jsonl'));
  assert.equal(records.length, 58);
  assert.equal(new Set(records.map((r) => r.upc)).size, 58, 'no duplicate UPCs');
  const failed = readJsonl(join(runDir, 'failed.jsonl'));
  assert.equal(failed.length, 2);
  assert.ok(failed.some((f) => /price/.test(String(f.reason)) && /required|missing/i.test(String(f.reason))), JSON.stringify(failed));
  assert.ok(failed.some((f) => /minimum|less than|min/i.test(String(f.reason))), JSON.stringify(failed));
  for (const f of failed) assert.ok(Array.isArray(f.errors) && (f.errors as unknown[]).length > 0);

  const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
  const robotsSkips = manifest.skips.filter((s) => s.reason === 'robots').map((s) => new URL(s.url).pathname);
  assert.ok(robotsSkips.includes('/cart'), JSON.stringify(manifest.skips));
  assert.ok(robotsSkips.some((p) => p.startsWith('/private/')), JSON.stringify(manifest.skips));
  assert.equal(manifest.counts.skipped.robots, robotsSkips.length);
  // Page 2 links to book 27 a second time with ?utm_source=x: canonicalised, fetched once.
  const book27 = site.requests.filter((r) => /_27\/index\.html/.test(r.path));
  assert.equal(book27.length, 1, JSON.stringify(book27));
  assert.equal(manifest.counts.duplicates.key ?? 0, 0);
  assert.equal(manifest.status, 'completed');
  const robots = manifest.robots.find((r) => r.origin === site.origin);
  assert.ok(robots, 'robots verdict for the demo origin');
  assert.equal(robots.verdict, 'partial');
  assert.ok(robots.blocking_rules.some((r) => /Disallow: \/cart/.test(r)), JSON.stringify(robots));

  // Provenance on every record.
  for (const r of records) {
    const src = r._source as Record<string, unknown>;
    assert.match(String(src.url), /\/catalogue\//);
    assert.equal(src.status, 200);
    assert.match(String(src.content_sha256), /^[0-9a-f]{64}$/);
    assert.equal(src.source_id, 'book');
  }
  // The derived field is there.
  assert.ok(records.every((r) => ['negative', 'neutral', 'positive', 'unknown'].includes(String(r.sentiment))));

  const croissant = JSON.parse(readFileSync(join(runDir, 'croissant.json'), 'utf8')) as Record<string, unknown>;
  assert.equal(croissant.conformsTo, 'http://mlcommons.org/croissant/1.1');
  const dist = croissant.distribution as { contentUrl: string; sha256: string }[];
  const recordsFile = manifest.files.find((f) => f.role === 'records');
  assert.equal(dist[0].sha256, recordsFile?.sha256);
  assert.match(readFileSync(join(runDir, 'datasheet.md'), 'utf8'), /## Collection process/);
  // A finished run directory is immutable: its files are read-only.
  assert.equal(statSync(join(runDir, 'records.jsonl')).mode & 0o222, 0);
});

void test('a second run in the same output directory revalidates and reuses bodies on 304', { timeout: 30_000 }, async () => {
  assert.ok(first, 'the first run ran');
  const before = site.requests.length;
  const second = await crawl('run-2');
  assert.equal(second.summary.status, 'completed', second.summary.reason);
  assert.equal(second.summary.counts.records, 58);
  assert.equal(second.summary.counts.failed, 2);
  assert.ok(second.summary.counts.not_modified >= 60, `304s: ${second.summary.counts.not_modified}`);
  assert.ok(second.summary.counts.bytes < first.summary.counts.bytes / 2, `bytes ${second.summary.counts.bytes} vs ${first.summary.counts.bytes}`);
  const detailRequests = site.requests.slice(before).filter((r) => /\/catalogue\/[^/]+_\d+\/index\.html/.test(r.path));
  assert.equal(detailRequests.length, 60);
  // The site answers 304 only to a request carrying a matching If-None-Match / If-Modified-Since.
  for (const r of detailRequests) assert.equal(r.status, 304, `conditional: ${r.path}`);
  // Same records, same content hashes: the 304 bodies were the stored ones.
  const a = readJsonl(join(first.runDir, 'records.jsonl')).map((r) => (r._source as { content_sha256: string }).content_sha256).sort();
  const b = readJsonl(join(second.runDir, 'records.jsonl')).map((r) => (r._source as { content_sha256: string }).content_sha256).sort();
  assert.deepEqual(b, a);
});

void test('sitemap seeding: every page the sitemap lists becomes a start page of the source', { timeout: 30_000 }, async () => {
  // The book source alone, seeded from the sitemap (3 listing pages and 60 detail pages).
  const text = exampleSpecText('books.collect.yaml', site.origin)
    .replace(/\n  - id: listing\n[\s\S]*?(\n  - id: book\n)/, '$1')
    .replace('    use_canonical: true\n', `    use_canonical: true\n    sitemap: ${site.origin}/sitemap.xml\n`);
  assert.match(text, /sitemap: /);
  assert.doesNotMatch(text, /id: listing/);
  const ports = realPorts();
  const runDir = join(out, 'sitemap');
  try {
    const summary = await runCollection({ spec: specOf(text), specText: text, specPath: join(out, 'sitemap.collect.yaml'), runDir }, ports, () => undefined);
    assert.equal(summary.status, 'completed', summary.reason);
    assert.equal(summary.counts.records, 58);
    // The listing pages have no book on them: their records fail validation, with reasons.
    const failed = readJsonl(join(runDir, 'failed.jsonl'));
    assert.equal(failed.length, 5);
    assert.equal(failed.filter((f) => /page-\d\.html$/.test(String(f.source_url))).length, 3);
    // Earlier runs share this output directory, so most pages come back 304 from its cache.
    assert.equal(summary.counts.pages_fetched + summary.counts.not_modified, 64, 'the sitemap and its 63 pages');
  } finally {
    await ports.http.close();
  }
});

void test('budgets: pages and records stop the crawl, and every URL left is skipped with the reason', { timeout: 30_000 }, async () => {
  for (const [budget, key] of [['pages: 10', 'budget-pages'], ['records: 5', 'budget-records']] as const) {
    const text = booksSpecText().replace(/budget:\n\s*pages: 100\n\s*time: 10m/, `budget:\n    ${budget}`);
    assert.match(text, new RegExp(`budget:\\n    ${budget}`));
    const ports = realPorts();
    const runDir = join(out, key);
    try {
      const summary = await runCollection({ spec: specOf(text), specText: text, specPath: join(out, `${key}.collect.yaml`), runDir }, ports, () => undefined);
      assert.equal(summary.status, 'completed', summary.reason);
      assert.ok((summary.counts.skipped[key] ?? 0) > 0, JSON.stringify(summary.counts.skipped));
      const manifest = JSON.parse(readFileSync(join(runDir, 'manifest.json'), 'utf8')) as RunManifest;
      assert.equal(manifest.skips.filter((s) => s.reason === key).length, summary.counts.skipped[key]);
      assert.equal(summary.reason, key);
      assert.equal(manifest.status_reason, key);
      if (key === 'budget-pages') assert.equal(summary.counts.pages_fetched + summary.counts.not_modified, 10);
      else assert.equal(readJsonl(join(runDir, 'records.jsonl')).length, 5);
    } finally {
      await ports.http.close();
    }
  }
});
