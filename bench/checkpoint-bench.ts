// Benchmark: the cost of checkpointing one page, the old way (the whole crawl state rewritten
// atomically after every page) against the journal (one delta line a page, fsynced, compacted
// into a snapshot now and then), on synthetic crawl state shaped like a books-style crawl.
// Run: node --import tsx bench/checkpoint-bench.ts [maxPages]   (default 20000; sizes 1k, 5k, 20k)
import { mkdtempSync, rmSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { AppendOnlyFile, emptyCounts, loadCheckpoint, Redactor, RunOutput, writeFileAtomic } from '../language-server/src/engine/output';
import type { Checkpoint, SkipEntry } from '../language-server/src/engine/output';
import { Deduper } from '../language-server/src/engine/records/dedupe';
import type { CrawlDelta, CrawlState } from '../language-server/src/engine/crawl/run-collection';
import { replayCrawlDeltas } from '../language-server/src/engine/crawl/run-collection';
import type { FrontierItem } from '../language-server/src/engine/crawl/frontier';

const maxPages = Number(process.argv[2] ?? 20000);
const sizes = [1000, 5000, 20000].filter((n) => n <= maxPages);
const OLD_SAMPLES = 10;
const work = mkdtempSync(join(tmpdir(), 'gleaner-checkpoint-bench-'));

/**
 * The synthetic crawl: every page finishes one item and keeps one record; every other page queues
 * two new links (the rest of its links were seen before), so the frontier stays small and the
 * state grows by about 250 bytes a page, as on the demo.
 */
class SyntheticCrawl {
  readonly seen: string[] = [];
  pending: FrontierItem[] = [];
  readonly canonicals: string[] = [];
  readonly deduper = new Deduper({ key: ['upc'], contentHash: true, provenanceFields: ['_source', '_source_url', '_fetched_at'] });
  readonly skips: SkipEntry[] = [];
  readonly counts = emptyCounts();
  pages = 0;
  private next = 0;

  constructor() {
    this.deduper.trackDelta();
    for (let i = 0; i < 4; i++) this.pending.push(this.newItem(0));
  }

  private newItem(depth: number): FrontierItem {
    const n = this.next++;
    const url = `http://127.0.0.1:8917/catalogue/a-book-with-a-fairly-long-title-${n}_${n}/index.html`;
    this.seen.push(url);
    return { kind: 'page', sourceId: 'books', url, depth, referrer: 'http://127.0.0.1:8917/catalogue/page-1.html' };
  }

  /** One page: returns its delta and the record it keeps. */
  page(): { delta: CrawlDelta; record: Record<string, unknown> } {
    const done = this.pending.shift() as Extract<FrontierItem, { kind: 'page' }>;
    const i = this.pages++;
    const queued = i % 2 === 0 ? [this.newItem(done.depth + 1), this.newItem(done.depth + 1)] : [];
    this.pending.push(...queued);
    this.canonicals.push(done.url);
    const record = { upc: `upc-${i.toString(16).padStart(12, '0')}`, title: `Book ${i}`, price: 10 + (i % 50), rating: 1 + (i % 5), _source_url: done.url };
    this.deduper.add(record);
    const skips = i % 10 === 0 ? [{ url: `http://127.0.0.1:8917/cart?item=${i}`, reason: 'robots', source_id: 'books' }] : [];
    this.skips.push(...skips);
    this.counts.pages_fetched += 1;
    this.counts.records += 1;
    this.counts.requests += 1;
    this.counts.bytes += 5000;
    const delta: CrawlDelta = { ...(queued.length > 0 ? { queued } : {}), done: [done.url], canonicals: [done.url], dedupe: this.deduper.takeDelta(), counts: this.counts, fetchMsTotal: i * 3, elapsedMs: i * 1000 };
    if (skips.length > 0) delta.skips = skips;
    return { delta, record };
  }

  /** The whole state, as run-collection's snapshot() builds it (copies included). */
  full(): CrawlState {
    return {
      runId: 'bench',
      startedAt: '2026-01-01T00:00:00.000Z',
      resumes: 0,
      specSha256: '0'.repeat(64),
      sourceIds: ['books'],
      frontier: { pending: [...this.pending], seen: [...this.seen] },
      canonicals: [...this.canonicals],
      dedupe: this.deduper.snapshot(),
      counts: this.counts,
      skips: this.skips,
      robots: {},
      fetchMsTotal: this.pages * 3,
      elapsedMs: this.pages * 1000,
    };
  }
}

const fmt = (n: number, digits = 2): string => n.toFixed(digits);
const kb = (bytes: number): string => `${fmt(bytes / 1024, 1)} KiB`;

/** The old checkpoint, as RunOutput.checkpoint did it after every page. */
async function oldCheckpoint(runDir: string, records: AppendOnlyFile, failed: AppendOnlyFile, state: CrawlState, sequence: number, redactor: Redactor): Promise<number> {
  await records.sync();
  await failed.sync();
  const checkpoint: Checkpoint<CrawlState> = { version: 1, status: 'running', sequence, writtenAt: new Date(0).toISOString(), offsets: { 'records.jsonl': records.size, 'failed.jsonl': failed.size }, state };
  const text = redactor.redact(JSON.stringify(checkpoint));
  await writeFileAtomic(join(runDir, 'checkpoint.json'), text);
  return Buffer.byteLength(text);
}

interface OldFigures {
  msPerPage: number;
  bytesPerPage: number;
  crawlBytes: number;
}

/** Old per-page cost at `n` pages of state: the mean of a few checkpoints at that size. */
async function measureOld(n: number): Promise<OldFigures> {
  const runDir = join(work, `old-${n}`);
  const redactor = new Redactor();
  const crawl = new SyntheticCrawl();
  for (let i = 0; i < n; i++) crawl.page();
  const records = await AppendOnlyFile.open(join(runDir + '-records.jsonl'));
  const failed = await AppendOnlyFile.open(join(runDir + '-failed.jsonl'));
  await mkdir(runDir, { recursive: true });
  const emptyBytes = await oldCheckpoint(runDir, records, failed, new SyntheticCrawl().full(), 0, redactor);
  let ms = 0;
  let bytes = 0;
  for (let s = 0; s < OLD_SAMPLES; s++) {
    const { record } = crawl.page();
    await records.appendLines([JSON.stringify(record)]);
    const t0 = performance.now();
    // The state snapshot is built inside the measured time, as the old commit did.
    bytes = await oldCheckpoint(runDir, records, failed, crawl.full(), s + 1, redactor);
    ms += performance.now() - t0;
  }
  await records.close();
  await failed.close();
  // The checkpoint grows linearly with the pages, so a crawl of n pages writes about the mean of
  // the first and the last checkpoint, n times.
  return { msPerPage: ms / OLD_SAMPLES, bytesPerPage: bytes, crawlBytes: (n * (emptyBytes + bytes)) / 2 };
}

interface NewFigures {
  /** Mean cost a page over the pages (n/2, n], compactions in that window included. */
  msPerPage: number;
  bytesPerPage: number;
  crawlBytes: number;
  crawlMs: number;
  snapshots: number;
  replayMs: number;
}

/** One journaled crawl to the largest size, read off at each size. */
async function measureNew(): Promise<Map<number, NewFigures>> {
  const runDir = join(work, 'new');
  const options = { runDir, format: 'jsonl' as const, columns: [], neutralizeFormulas: false, redactor: new Redactor(), resume: false };
  const output = await RunOutput.open<CrawlState, CrawlDelta>(options, { replay: replayCrawlDeltas });
  const crawl = new SyntheticCrawl();
  await output.checkpoint(crawl.full(), 'running', 0);
  const out = new Map<number, NewFigures>();
  const last = sizes[sizes.length - 1];
  let total = 0;
  const windowStart = new Map<number, { ms: number; bytes: number }>();
  for (let i = 1; i <= last; i++) {
    for (const n of sizes) if (i === Math.floor(n / 2) + 1) windowStart.set(n, { ms: total, bytes: output.stats.bytes });
    const { delta, record } = crawl.page();
    await output.append([record], []);
    const t0 = performance.now();
    await output.journal(delta, 'running', 0, () => crawl.full());
    total += performance.now() - t0;
    if (sizes.includes(i)) {
      const start = windowStart.get(i) ?? { ms: 0, bytes: 0 };
      const stats = output.stats;
      const pages = i - Math.floor(i / 2);
      out.set(i, { msPerPage: (total - start.ms) / pages, bytesPerPage: (stats.bytes - start.bytes) / pages, crawlBytes: stats.bytes, crawlMs: total, snapshots: stats.snapshots, replayMs: await measureReplay(runDir) });
    }
  }
  await output.close();
  return out;
}

/** The time a resume takes to read the snapshot and replay the journal at this point. */
async function measureReplay(runDir: string): Promise<number> {
  const t0 = performance.now();
  await loadCheckpoint(runDir, replayCrawlDeltas);
  return performance.now() - t0;
}

async function main(): Promise<void> {
  console.log(`checkpoint bench: synthetic crawl state (1 URL seen, 1 canonical, 1 dedupe key + hash a page, a skip every 10th), dir ${work}`);
  const journal = await measureNew();
  console.log('pages  | old ms/page | old bytes/page | new ms/page | new bytes/page | time new/old | bytes new/old | crawl bytes old (est.) → new | snapshots | resume replay ms');
  for (const n of sizes) {
    const old = await measureOld(n);
    const nw = journal.get(n);
    if (!nw) continue;
    console.log(
      [
        String(n).padEnd(6),
        fmt(old.msPerPage).padStart(11),
        kb(old.bytesPerPage).padStart(14),
        fmt(nw.msPerPage).padStart(11),
        kb(nw.bytesPerPage).padStart(14),
        fmt(nw.msPerPage / old.msPerPage, 3).padStart(12),
        fmt(nw.bytesPerPage / old.bytesPerPage, 4).padStart(13),
        `${fmt(old.crawlBytes / 2 ** 20, 1)} MiB → ${fmt(nw.crawlBytes / 2 ** 20, 1)} MiB`.padStart(28),
        String(nw.snapshots).padStart(9),
        fmt(nw.replayMs, 1).padStart(16),
      ].join(' | '),
    );
  }
}

main()
  .catch((e: unknown) => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(() => rmSync(work, { recursive: true, force: true }));
