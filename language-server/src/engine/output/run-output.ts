/**
 * The files one run writes while it crawls: the records (JSONL or CSV; JSONL as the working file
 * of a Parquet run, see parquet.ts), the failed records (JSONL) and the checkpoint. The crawl
 * appends a page's records, then checkpoints; the checkpoint holds the byte size of every output
 * file at that moment, so a resume truncates each file back to it and nothing after the
 * checkpoint survives (no duplicate, no torn line).
 *
 * A checkpoint is either a full snapshot (`checkpoint.json`, replaced atomically) or one line of
 * the journal (`checkpoint.journal`) holding only what changed since the previous checkpoint;
 * the journal is compacted into a snapshot every so often (see checkpoint-journal.ts).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { AppendOnlyFile } from './append-file';
import { syncDirectory, writeFileAtomic } from './atomic-write';
import { JOURNAL_FILE, loadCheckpoint } from './checkpoint-journal';
import type { JournalEntry, ReplayDeltas } from './checkpoint-journal';
import { csvHeader, csvRows } from './csv';
import { PARQUET_MEDIA_TYPE } from './manifest';
import type { OutputFileEntry } from './manifest';
import { writeParquetFromJsonl } from './parquet';
import type { ParquetColumnInfo, RecordColumn } from './parquet';
import type { Redactor } from './redact';

/** A run's state as its manifest and checkpoint report it. */
export type RunStatus = 'running' | 'completed' | 'stopped' | 'failed';

/** File names inside a run directory. */
export const RUN_FILES = {
  recordsJsonl: 'records.jsonl',
  recordsCsv: 'records.csv',
  recordsParquet: 'records.parquet',
  failed: 'failed.jsonl',
  checkpoint: 'checkpoint.json',
  journal: JOURNAL_FILE,
  manifest: 'manifest.json',
  datasheet: 'datasheet.md',
  croissant: 'croissant.json',
  log: 'run.log',
} as const;

/** The output formats of a run's records. */
export type RecordsFormat = 'jsonl' | 'csv' | 'parquet';

/** The name of the records file a run in `format` delivers. */
export function recordsFileName(format: RecordsFormat): string {
  return format === 'csv' ? RUN_FILES.recordsCsv : format === 'parquet' ? RUN_FILES.recordsParquet : RUN_FILES.recordsJsonl;
}

/** A record that failed validation, kept with its reasons instead of being dropped. */
export interface FailedRecord {
  source_id: string;
  source_url: string;
  reason: string;
  /** The values as extracted (after coercion where it worked). */
  values: Record<string, unknown>;
  /** Field-level errors: which field and what is wrong with it. */
  errors: { field: string; message: string; raw?: string }[];
  fetched_at?: string;
}

/** The checkpoint file: the crawl's state plus the committed size of each output file. */
export interface Checkpoint<S> {
  version: 1;
  status: RunStatus;
  /** Increases with every checkpoint written (snapshot or journal line); a snapshot's includes every line up to it. */
  sequence: number;
  writtenAt: string;
  /** Committed byte size of each output file, by file name. */
  offsets: Record<string, number>;
  state: S;
}

/** How to open a run's output. */
export interface RunOutputOptions {
  runDir: string;
  format: RecordsFormat;
  /** CSV columns, in order (ignored for JSONL and Parquet). */
  columns: string[];
  /** Parquet: the record columns the spec declares (provenance excluded). Default: all from the data. */
  recordColumns?: readonly RecordColumn[];
  /** Parquet: flatten `_source` into provenance columns. Default true. */
  provenance?: boolean;
  /** Parquet: the file's `created_by`. */
  createdBy?: string;
  neutralizeFormulas: boolean;
  redactor: Redactor;
  /** Continue a run: truncate every output back to the checkpoint's offsets. */
  resume: boolean;
}

/**
 * The journal may always grow this far before the size rule compacts it: a young crawl's
 * snapshot is tiny, and rewriting it every few pages would cost three fsyncs for nothing.
 */
const MIN_JOURNAL_BYTES = 64 * 1024;

/** How a run journals its checkpoints between snapshots. */
export interface JournalOptions<S, D> {
  /** Folds deltas into a snapshot's state (resume). Required to read back what `journal` wrote. */
  replay: ReplayDeltas<S, D>;
  /** Compact into a snapshot after this many journal lines (bounds the replay). Default 5000. */
  snapshotEvery?: number;
  /** Compact once the journal is larger than this many times the last snapshot (and 64 KiB). Default 1. */
  journalFactor?: number;
}

/** A checkpoint's cost, for the run's timings and the bench. */
export interface CheckpointStats {
  snapshots: number;
  journalLines: number;
  /** Bytes written to checkpoint.json and the journal, this session. */
  bytes: number;
}

/** Appends records and failed records to a run directory and checkpoints them. */
export class RunOutput<S, D = never> {
  private sequence: number;
  /** Serialises writes: two pages committing at once must not interleave their batches. */
  private chain: Promise<void> = Promise.resolve();
  /** Journal lines and bytes since the last snapshot, counted when queued (decisions are synchronous). */
  private linesSinceSnapshot = 0;
  private journalBytes: number;
  private snapshotBytes = 0;
  private readonly counters: CheckpointStats = { snapshots: 0, journalLines: 0, bytes: 0 };

  private constructor(
    private readonly options: RunOutputOptions,
    private readonly journalOptions: JournalOptions<S, D> | undefined,
    private readonly records: AppendOnlyFile,
    private readonly failed: AppendOnlyFile,
    private readonly journalFile: AppendOnlyFile,
    readonly previous: Checkpoint<S> | undefined,
  ) {
    this.sequence = previous?.sequence ?? 0;
    this.journalBytes = journalFile.size;
  }

  /**
   * Opens the output files of `runDir`. When resuming, reads the checkpoint (the snapshot with
   * the journal replayed through `journal.replay`) and truncates each file back to its committed
   * size, the journal included; `previous` is then that checkpoint (undefined when the run never
   * reached its first checkpoint, in which case the files start empty).
   */
  static async open<S, D = never>(options: RunOutputOptions, journal?: JournalOptions<S, D>): Promise<RunOutput<S, D>> {
    await fs.mkdir(options.runDir, { recursive: true });
    const loaded = options.resume ? await loadCheckpoint<S, D>(options.runDir, journal?.replay) : undefined;
    const previous = loaded?.checkpoint;
    const recordsName = workingFileName(options.format);
    // Without a checkpoint nothing was committed, so a resume starts the files from zero.
    const truncate = (name: string): number | undefined => (options.resume ? (previous?.offsets[name] ?? 0) : undefined);
    const records = await AppendOnlyFile.open(join(options.runDir, recordsName), { truncateTo: truncate(recordsName) });
    const failed = await AppendOnlyFile.open(join(options.runDir, RUN_FILES.failed), { truncateTo: truncate(RUN_FILES.failed) });
    // The journal keeps only the lines the resume trusted: a torn tail must not precede new lines.
    const journalFile = await AppendOnlyFile.open(join(options.runDir, RUN_FILES.journal), { truncateTo: loaded?.journalValidBytes ?? 0 });
    if (options.format === 'parquet') {
      // A Parquet file left by an earlier session describes the records as they were then; until
      // this session ends and rebuilds it, the run has none rather than a stale one. A session
      // killed while writing it leaves the temporary file of the atomic replace: removed too.
      const temporary = (name: string): boolean => name.startsWith(`.${RUN_FILES.recordsParquet}.`) && name.endsWith('.tmp');
      for (const name of [RUN_FILES.recordsParquet, ...(await fs.readdir(options.runDir)).filter(temporary)]) {
        await fs.rm(join(options.runDir, name), { force: true });
      }
    }
    await syncDirectory(options.runDir);
    const output = new RunOutput<S, D>(options, journal, records, failed, journalFile, previous);
    if (options.format === 'csv' && records.size === 0) {
      await records.appendRaw(csvHeader({ columns: options.columns, neutralizeFormulas: false }));
    }
    return output;
  }

  /** Name of the records file the run delivers (for Parquet, the file `finishRecords` writes). */
  get recordsFile(): string {
    return recordsFileName(this.options.format);
  }

  /** Name of the file records are appended to during the run (JSON Lines for a Parquet run). */
  get workingFile(): string {
    return workingFileName(this.options.format);
  }

  /**
   * Ends the session's records: for Parquet, writes `records.parquet` (atomically) from the
   * committed part of the working JSON Lines file; nothing for the other formats. Call it after
   * the final checkpoint. Returns the Parquet columns as written (undefined for other formats).
   */
  finishRecords(): Promise<ParquetColumnInfo[] | undefined> {
    let columns: ParquetColumnInfo[] | undefined;
    return this.serial(async () => {
      if (this.options.format !== 'parquet') return;
      const written = await writeParquetFromJsonl({
        source: join(this.options.runDir, this.workingFile),
        bytes: this.records.size,
        target: join(this.options.runDir, RUN_FILES.recordsParquet),
        columns: this.options.recordColumns ?? [],
        provenance: this.options.provenance ?? true,
        createdBy: this.options.createdBy ?? 'gleaner',
      });
      columns = written.columns;
    }).then(() => columns);
  }

  /**
   * The records files for the manifest: the delivered file (role `records`) and, for Parquet, the
   * JSON Lines working file it was built from (role `working-records`), which a resume appends to.
   */
  recordFileEntries(): Omit<OutputFileEntry, 'bytes' | 'sha256'>[] {
    switch (this.options.format) {
      case 'csv':
        return [{ path: RUN_FILES.recordsCsv, role: 'records', encoding_format: 'text/csv', formula_guard: this.options.neutralizeFormulas }];
      case 'jsonl':
        return [{ path: RUN_FILES.recordsJsonl, role: 'records', encoding_format: 'application/jsonlines' }];
      case 'parquet':
        return [
          { path: RUN_FILES.recordsParquet, role: 'records', encoding_format: PARQUET_MEDIA_TYPE },
          { path: RUN_FILES.recordsJsonl, role: 'working-records', encoding_format: 'application/jsonlines' },
        ];
    }
  }

  /**
   * Appends one page's valid and failed records, each file in one write, redacted. They are
   * committed by the next `checkpoint`.
   */
  append(records: readonly Record<string, unknown>[], failed: readonly FailedRecord[]): Promise<void> {
    return this.serial(async () => {
      const r = this.options.redactor;
      if (records.length > 0) {
        if (this.options.format === 'csv') {
          const rows = records.map((rec) => r.redactDeep(rec));
          await this.records.appendRaw(csvRows(rows, { columns: this.options.columns, neutralizeFormulas: this.options.neutralizeFormulas }));
        } else {
          // Redacted before serialising, not after: a secret echoed as a JSON number, replaced in
          // the serialised text, would leave the line unparseable.
          await this.records.appendLines(records.map((rec) => JSON.stringify(r.redactDeep(rec))));
        }
      }
      if (failed.length > 0) await this.failed.appendLines(failed.map((f) => JSON.stringify(r.redactDeep(f))));
    });
  }

  /**
   * Makes everything appended so far durable (fsync), then atomically replaces the snapshot
   * with `state` and the files' sizes, then empties the journal (which the snapshot now holds).
   * After this returns, a crash loses nothing appended before. `state` is serialised now, so the
   * caller may go on changing it.
   */
  checkpoint(state: S, status: RunStatus, now: number): Promise<void> {
    const sequence = ++this.sequence;
    // Serialised synchronously: the state must be the one that goes with the caller's delta mark.
    const stateJson = JSON.stringify(state) ?? 'null';
    this.linesSinceSnapshot = 0;
    this.journalBytes = 0;
    this.snapshotBytes = stateJson.length + 200;
    return this.serial(async () => {
      await this.records.sync();
      await this.failed.sync();
      const head = JSON.stringify({
        version: 1,
        status,
        sequence,
        writtenAt: new Date(now).toISOString(),
        offsets: this.offsets(),
      } satisfies Omit<Checkpoint<S>, 'state'>);
      const text = this.options.redactor.redact(`${head.slice(0, -1)},"state":${stateJson}}`);
      await writeFileAtomic(join(this.options.runDir, RUN_FILES.checkpoint), text);
      // A crash before this truncation leaves lines whose sequences the snapshot covers: the
      // resume skips them, so nothing is applied twice.
      await this.journalFile.truncate(0);
      this.counters.snapshots += 1;
      this.counters.bytes += Buffer.byteLength(text);
    });
  }

  /**
   * Checkpoints one commit as a journal line holding `delta`, what changed since the previous
   * checkpoint: fsyncs the outputs, appends the line in one write and fsyncs the journal. When
   * the journal has grown enough (`snapshotEvery` lines or `journalFactor` × the snapshot) it
   * writes a snapshot of `full()` instead, which the caller must make hold the delta too. Both
   * `delta` and `full()` are taken synchronously, in the caller's turn.
   */
  journal(delta: D, status: RunStatus, now: number, full: () => S): Promise<void> {
    const every = this.journalOptions?.snapshotEvery ?? 5000;
    const factor = this.journalOptions?.journalFactor ?? 1;
    const sequence = this.sequence + 1;
    const writtenAt = new Date(now).toISOString();
    const deltaJson = JSON.stringify(delta);
    // Offsets are filled in when the line is written (after the batches queued before it); the
    // size estimate here uses the delta, which dominates.
    const estimate = deltaJson.length + 120;
    if (!this.journalOptions || this.linesSinceSnapshot + 1 >= every || this.journalBytes + estimate > factor * Math.max(this.snapshotBytes, MIN_JOURNAL_BYTES)) {
      return this.checkpoint(full(), status, now);
    }
    this.sequence = sequence;
    this.linesSinceSnapshot += 1;
    this.journalBytes += estimate;
    return this.serial(async () => {
      await this.records.sync();
      await this.failed.sync();
      const head = JSON.stringify({ seq: sequence, status, writtenAt, offsets: this.offsets() } satisfies Omit<JournalEntry<D>, 'delta'>);
      const line = this.options.redactor.redact(`${head.slice(0, -1)},"delta":${deltaJson}}`);
      await this.journalFile.appendLines([line]);
      await this.journalFile.sync();
      this.counters.journalLines += 1;
      this.counters.bytes += Buffer.byteLength(line) + 1;
    });
  }

  /** Snapshots and journal lines written so far this session, and their bytes. */
  get stats(): CheckpointStats {
    return { ...this.counters };
  }

  /** Closes the files (after a final checkpoint). */
  close(): Promise<void> {
    return this.serial(async () => {
      await this.records.close();
      await this.failed.close();
      await this.journalFile.close();
    });
  }

  private offsets(): Record<string, number> {
    return { [this.workingFile]: this.records.size, [RUN_FILES.failed]: this.failed.size };
  }

  private serial(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task);
    // Keep the chain alive after a failure; the caller still sees the rejection through `next`.
    this.chain = next.catch(() => undefined);
    return next;
  }
}

/** The file records are appended to during a run in `format`. */
function workingFileName(format: RecordsFormat): string {
  return format === 'csv' ? RUN_FILES.recordsCsv : RUN_FILES.recordsJsonl;
}
