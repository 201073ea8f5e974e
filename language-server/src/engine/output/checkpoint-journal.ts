/**
 * The checkpoint journal: instead of rewriting the whole crawl state after every page (O(n) bytes
 * a page, O(n²) over a crawl), a run appends one JSON line per page holding only what that page
 * changed, and now and then compacts everything into a full snapshot (`checkpoint.json`).
 *
 * Every checkpoint, snapshot or journal line, carries a sequence number one higher than the one
 * before. A snapshot's sequence is the last journal line it already contains, so a crash after
 * the snapshot's rename but before the journal is truncated leaves lines the resume recognises
 * (sequence not above the snapshot's) and skips instead of applying twice. Replay stops at the
 * first line that is torn (no newline, not JSON) or out of sequence: nothing after it can be
 * trusted to follow from the state before it.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile } from './atomic-write';
import type { Checkpoint, RunStatus } from './run-output';

/** The journal's file name inside a run directory. */
export const JOURNAL_FILE = 'checkpoint.journal';

/** One line of the journal: the changes of one commit and the committed output sizes after it. */
export interface JournalEntry<D> {
  /** One more than the previous checkpoint's sequence (snapshot or line). */
  seq: number;
  status: RunStatus;
  writtenAt: string;
  /** Committed byte size of each output file after this commit's records, by file name. */
  offsets: Record<string, number>;
  delta: D;
}

/** Folds journal deltas into a snapshot's state, in order. May mutate and return `state`. */
export type ReplayDeltas<S, D> = (state: S, deltas: readonly D[]) => S;

/** The entries of a journal that follow a snapshot, and where the trusted part of the file ends. */
export interface ParsedJournal<D> {
  /** Entries with sequences afterSequence+1, +2, … without a gap. */
  entries: JournalEntry<D>[];
  /** Bytes from the file's start through the last line kept or skipped as already applied. */
  validBytes: number;
  /** Lines skipped because the snapshot already holds them. */
  stale: number;
  /** Whether something after the valid part was ignored (a torn or out-of-sequence line). */
  ignoredTail: boolean;
}

/**
 * Parses journal bytes written after the snapshot with sequence `afterSequence`. Lines with a
 * sequence not above it are already in the snapshot and skipped; the first torn line (no
 * trailing newline or not a JSON entry) or line out of sequence ends the replay.
 */
export function parseJournal<D>(bytes: Uint8Array, afterSequence: number): ParsedJournal<D> {
  const buffer = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const entries: JournalEntry<D>[] = [];
  let expected = afterSequence + 1;
  let start = 0;
  let validBytes = 0;
  let stale = 0;
  while (start < buffer.length) {
    const end = buffer.indexOf(0x0a, start);
    // No newline: the last write was cut short, so the line was never acknowledged.
    if (end < 0) return { entries, validBytes, stale, ignoredTail: true };
    const entry = parseEntry<D>(buffer.toString('utf8', start, end));
    if (!entry) return { entries, validBytes, stale, ignoredTail: true };
    if (entry.seq <= afterSequence && entries.length === 0) stale += 1;
    else if (entry.seq === expected) {
      entries.push(entry);
      expected += 1;
    } else return { entries, validBytes, stale, ignoredTail: true };
    start = end + 1;
    validBytes = start;
  }
  return { entries, validBytes, stale, ignoredTail: false };
}

function parseEntry<D>(line: string): JournalEntry<D> | undefined {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  const e = value as Partial<JournalEntry<D>>;
  if (!Number.isInteger(e.seq) || typeof e.offsets !== 'object' || e.offsets === null || !('delta' in e)) return undefined;
  return e as JournalEntry<D>;
}

/** A run directory's checkpoint as a resume sees it: the snapshot with the journal replayed. */
export interface LoadedCheckpoint<S> {
  checkpoint: Checkpoint<S> | undefined;
  /** Bytes of the journal to keep (the rest is a torn or untrusted tail). */
  journalValidBytes: number;
  /** Journal lines applied on top of the snapshot. */
  replayed: number;
}

/**
 * Reads `checkpoint.json` and replays `checkpoint.journal` on top of it. Journal lines without a
 * snapshot are ignored: every run writes a snapshot before its first line.
 */
export async function loadCheckpoint<S, D>(runDir: string, replay: ReplayDeltas<S, D> | undefined): Promise<LoadedCheckpoint<S>> {
  const snapshot = await readJsonFile<Checkpoint<S>>(join(runDir, 'checkpoint.json'));
  if (!snapshot) return { checkpoint: undefined, journalValidBytes: 0, replayed: 0 };
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(join(runDir, JOURNAL_FILE));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return { checkpoint: snapshot, journalValidBytes: 0, replayed: 0 };
    throw e;
  }
  const parsed = parseJournal<D>(bytes, snapshot.sequence);
  if (parsed.entries.length === 0 || !replay) return { checkpoint: snapshot, journalValidBytes: parsed.validBytes, replayed: 0 };
  const last = parsed.entries[parsed.entries.length - 1];
  const state = replay(
    snapshot.state,
    parsed.entries.map((e) => e.delta),
  );
  return {
    checkpoint: { version: 1, status: last.status, sequence: last.seq, writtenAt: last.writtenAt, offsets: last.offsets, state },
    journalValidBytes: parsed.validBytes,
    replayed: parsed.entries.length,
  };
}
