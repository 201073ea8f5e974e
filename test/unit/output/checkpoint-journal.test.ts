// The checkpoint journal: a snapshot plus one delta line a commit, replayed on resume. A torn or
// out-of-sequence line ends the replay; lines a snapshot already holds are never applied twice;
// compaction bounds the journal; the output files are cut back to the last applied line.
import assert from 'node:assert/strict';
import { appendFileSync, readFileSync, rmSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { JOURNAL_FILE, parseJournal, Redactor, RunOutput, RUN_FILES } from '../../../language-server/src/engine/output';
import type { JournalOptions } from '../../../language-server/src/engine/output';
import { applyDeduperDelta, Deduper } from '../../../language-server/src/engine/records/dedupe';
import { replayCrawlDeltas } from '../../../language-server/src/engine/crawl/run-collection';
import type { CrawlState } from '../../../language-server/src/engine/crawl/run-collection';
import { emptyCounts } from '../../../language-server/src/engine/output';

const dir = mkdtempSync(join(tmpdir(), 'gleaner-journal-'));
after(() => rmSync(dir, { recursive: true, force: true }));

interface State {
  items: string[];
}
interface Delta {
  add: string[];
}
const replay = (state: State, deltas: readonly Delta[]): State => {
  for (const d of deltas) state.items.push(...d.add);
  return state;
};

let runs = 0;
function options(resume: boolean, runDir?: string): { runDir: string; format: 'jsonl'; columns: string[]; neutralizeFormulas: boolean; redactor: Redactor; resume: boolean } {
  runs += 1;
  return { runDir: runDir ?? join(dir, `run${runs}`), format: 'jsonl', columns: [], neutralizeFormulas: false, redactor: new Redactor(), resume };
}

/**
 * A crawl of `pages` pages, each with one record and one journal line (compaction as `journal`
 * says). The live state is `state`; returns the run directory.
 */
async function crawl(pages: number, journal: Omit<JournalOptions<State, Delta>, 'replay'> = {}): Promise<{ runDir: string; output: RunOutput<State, Delta> }> {
  const opts = options(false);
  const output = await RunOutput.open<State, Delta>(opts, { replay, ...journal });
  const state: State = { items: [] };
  await output.checkpoint({ items: [...state.items] }, 'running', 0);
  for (let i = 0; i < pages; i++) {
    const id = `p${i}`;
    state.items.push(id);
    await output.append([{ id }], []);
    await output.journal({ add: [id] }, 'running', 0, () => ({ items: [...state.items] }));
  }
  return { runDir: opts.runDir, output };
}

function recordIds(runDir: string): string[] {
  return readFileSync(join(runDir, RUN_FILES.recordsJsonl), 'utf8')
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => (JSON.parse(l) as { id: string }).id);
}

function journalLines(runDir: string): string[] {
  return readFileSync(join(runDir, JOURNAL_FILE), 'utf8').split('\n').filter((l) => l.length > 0);
}

async function resume(runDir: string): Promise<RunOutput<State, Delta>> {
  return RunOutput.open<State, Delta>(options(true, runDir), { replay });
}

void describe('checkpoint journal', () => {
  void it('replays every line on top of the snapshot and keeps the records they committed', async () => {
    const { runDir, output } = await crawl(5);
    await output.close();
    assert.equal(journalLines(runDir).length, 5, 'one line a page, no compaction yet');
    const again = await resume(runDir);
    assert.deepEqual(again.previous?.state.items, ['p0', 'p1', 'p2', 'p3', 'p4']);
    assert.equal(again.previous?.sequence, 6);
    await again.close();
    assert.deepEqual(recordIds(runDir), ['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  void it('ignores a torn last line and cuts the records back to the line before it', async () => {
    const { runDir, output } = await crawl(3);
    await output.close();
    const journal = readFileSync(join(runDir, JOURNAL_FILE));
    // kill -9 mid-write of the last line: its first half reached the disk, not its newline.
    const cut = journal.length - Math.floor(journalLines(runDir)[2].length / 2);
    writeFileSync(join(runDir, JOURNAL_FILE), journal.subarray(0, cut));
    appendFileSync(join(runDir, RUN_FILES.recordsJsonl), '{"id":"torn');
    const again = await resume(runDir);
    assert.deepEqual(again.previous?.state.items, ['p0', 'p1']);
    assert.deepEqual(recordIds(runDir), ['p0', 'p1'], 'the record of the unacknowledged page is gone, so its refetch cannot duplicate it');
    assert.equal(journalLines(runDir).length, 2, 'the torn tail is cut before anything new is appended');
    // The resumed run goes on from there and a second resume sees it all.
    await again.append([{ id: 'p2' }], []);
    await again.journal({ add: ['p2'] }, 'running', 0, () => ({ items: ['p0', 'p1', 'p2'] }));
    await again.close();
    const third = await resume(runDir);
    assert.deepEqual(third.previous?.state.items, ['p0', 'p1', 'p2']);
    await third.close();
    assert.deepEqual(recordIds(runDir), ['p0', 'p1', 'p2']);
  });

  void it('stops at a line whose sequence is not the next one', async () => {
    const { runDir, output } = await crawl(2);
    await output.close();
    const lines = journalLines(runDir);
    const second = JSON.parse(lines[1]) as { seq: number };
    // A gap (seq + 2), then a line that would follow it: neither can be trusted.
    const gap = { ...(JSON.parse(lines[1]) as object), seq: second.seq + 2, delta: { add: ['ghost'] } };
    const next = { ...gap, seq: second.seq + 3, delta: { add: ['ghost2'] } };
    appendFileSync(join(runDir, JOURNAL_FILE), `${JSON.stringify(gap)}\n${JSON.stringify(next)}\n`);
    const again = await resume(runDir);
    assert.deepEqual(again.previous?.state.items, ['p0', 'p1']);
    await again.close();
    assert.equal(journalLines(runDir).length, 2);
  });

  void it('never applies a line twice after a crash between the snapshot and the journal truncation', async () => {
    const { runDir, output } = await crawl(4);
    await output.close();
    const before = readFileSync(join(runDir, JOURNAL_FILE));
    const again = await resume(runDir);
    // Compact: the snapshot now holds p0..p3 (and the journal is emptied).
    await again.checkpoint(again.previous?.state ?? { items: [] }, 'running', 0);
    await again.close();
    assert.equal(readFileSync(join(runDir, JOURNAL_FILE)).length, 0);
    // The crash: the rename happened, the truncation did not.
    writeFileSync(join(runDir, JOURNAL_FILE), before);
    const third = await resume(runDir);
    assert.deepEqual(third.previous?.state.items, ['p0', 'p1', 'p2', 'p3'], 'each delta once');
    // New lines after those stale ones still replay.
    await third.append([{ id: 'p4' }], []);
    await third.journal({ add: ['p4'] }, 'running', 0, () => ({ items: ['p0', 'p1', 'p2', 'p3', 'p4'] }));
    await third.close();
    const fourth = await resume(runDir);
    assert.deepEqual(fourth.previous?.state.items, ['p0', 'p1', 'p2', 'p3', 'p4']);
    await fourth.close();
    assert.deepEqual(recordIds(runDir), ['p0', 'p1', 'p2', 'p3', 'p4']);
  });

  void it('compacts every N lines and when the journal outgrows the snapshot', async () => {
    const { runDir, output } = await crawl(10, { snapshotEvery: 4 });
    await output.close();
    const stats = output.stats;
    // 1 opening snapshot, then every 4th commit a snapshot instead of a line: commits 4 and 8.
    assert.equal(stats.snapshots, 3);
    assert.equal(stats.journalLines, 8);
    assert.equal(journalLines(runDir).length, 2);
    const again = await resume(runDir);
    assert.deepEqual(again.previous?.state.items, Array.from({ length: 10 }, (_, i) => `p${i}`));
    await again.close();

    // Big deltas against a small snapshot: the size rule compacts long before snapshotEvery.
    const big = await RunOutput.open<State, Delta>(options(false), { replay, journalFactor: 1 });
    await big.checkpoint({ items: [] }, 'running', 0);
    const items: string[] = [];
    for (let i = 0; i < 10; i++) {
      const id = `${i}`.padStart(20_000, 'x');
      items.push(id);
      await big.journal({ add: [id] }, 'running', 0, () => ({ items: [...items] }));
    }
    await big.close();
    assert.ok(big.stats.snapshots >= 3, `snapshots: ${big.stats.snapshots}`);
  });

  void it('redacts secrets from journal lines', async () => {
    const opts = options(false);
    opts.redactor.add('s3cret-value');
    const output = await RunOutput.open<State, Delta>(opts, { replay });
    await output.checkpoint({ items: [] }, 'running', 0);
    await output.journal({ add: ['http://x/?key=s3cret-value'] }, 'running', 0, () => ({ items: [] }));
    await output.close();
    const text = readFileSync(join(opts.runDir, JOURNAL_FILE), 'utf8');
    assert.ok(!text.includes('s3cret-value'));
    assert.ok(text.includes('[REDACTED]'));
  });

  void it('parseJournal: stale lines skipped, a line without its newline ignored', () => {
    const line = (seq: number): string => JSON.stringify({ seq, status: 'running', writtenAt: '', offsets: {}, delta: seq });
    const text = `${line(3)}\n${line(4)}\n${line(5)}\n${line(6)}`;
    const parsed = parseJournal<number>(Buffer.from(text), 4);
    assert.equal(parsed.stale, 2);
    assert.deepEqual(
      parsed.entries.map((e) => e.delta),
      [5],
    );
    assert.equal(parsed.validBytes, Buffer.byteLength(`${line(3)}\n${line(4)}\n${line(5)}\n`));
    assert.equal(parsed.ignoredTail, true);
    assert.equal(parseJournal(Buffer.from('not json\n'), 0).entries.length, 0);
  });
});

void describe('Deduper deltas', () => {
  void it('a snapshot plus the deltas taken after it equals the later snapshot, near-duplicate signatures included', () => {
    const d = new Deduper({ key: ['id'], contentHash: true, nearDuplicates: { field: 'text', threshold: 0.8 } });
    d.add({ id: 1, text: 'the quick brown fox jumps over the lazy dog' });
    const base = structuredClone(d.snapshot());
    d.trackDelta();
    d.add({ id: 2, text: 'a completely different sentence about cats and mice' });
    const first = JSON.parse(JSON.stringify(d.takeDelta())) as ReturnType<Deduper['takeDelta']>;
    d.add({ id: 3, text: 'yet another text with several words in it' });
    d.add({ id: 3, text: 'yet another text with several words in it' });
    const second = d.takeDelta();
    assert.deepEqual(applyDeduperDelta(applyDeduperDelta(base, first), second), d.snapshot());
    const restored = Deduper.restore(d.snapshot());
    assert.equal(restored.check({ id: 9, text: 'a completely different sentence about cats and mice' }).duplicate, true);
    assert.deepEqual(d.takeDelta(), { keys: [], hashes: [], near: [] }, 'taking resets');
  });
});

void describe('replayCrawlDeltas', () => {
  void it('queues, finishes, and folds counts, skips, canonicals and robots', () => {
    const state: CrawlState = {
      runId: 'r',
      startedAt: '',
      resumes: 0,
      specSha256: '',
      sourceIds: ['s'],
      frontier: { pending: [{ kind: 'page', sourceId: 's', url: 'http://x/a', depth: 0 }], seen: ['http://x/a'] },
      canonicals: [],
      dedupe: new Deduper({ key: ['id'], contentHash: false }).snapshot(),
      counts: emptyCounts(),
      skips: [],
      robots: {},
      fetchMsTotal: 0,
      elapsedMs: 0,
    };
    const counts = { ...emptyCounts(), records: 2, pages_fetched: 2 };
    const robots = { origin: 'http://x', robots_url: 'http://x/robots.txt', verdict: 'allowed' as const, basis: 'rules', allowed_urls: 2, blocked_urls: 0, blocking_rules: [] };
    const out = replayCrawlDeltas(state, [
      { queued: [{ kind: 'page', sourceId: 's', url: 'http://x/b', depth: 1, referrer: 'http://x/a' }], done: ['http://x/a'], canonicals: ['http://x/a'], dedupe: { keys: ['[1]'], hashes: [] }, counts: { ...counts, records: 1 }, fetchMsTotal: 5, elapsedMs: 10, robots: [robots] },
      { queued: [{ kind: 'page', sourceId: 's', url: 'http://x/c', depth: 2 }], done: ['http://x/b'], skips: [{ url: 'http://x/cart', reason: 'robots' }], dedupe: { keys: ['[2]'], hashes: [] }, counts, fetchMsTotal: 9, elapsedMs: 20 },
    ]);
    assert.deepEqual(out.frontier.pending, [{ kind: 'page', sourceId: 's', url: 'http://x/c', depth: 2 }]);
    assert.deepEqual(out.frontier.seen, ['http://x/a', 'http://x/b', 'http://x/c']);
    assert.deepEqual(out.dedupe.keys, ['[1]', '[2]']);
    assert.deepEqual(out.canonicals, ['http://x/a']);
    assert.equal(out.skips.length, 1);
    assert.equal(out.counts.records, 2);
    assert.equal(out.fetchMsTotal, 9);
    assert.equal(out.elapsedMs, 20);
    assert.deepEqual(out.robots['http://x'], robots);
  });
});
