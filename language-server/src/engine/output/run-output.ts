/**
 * The files one run writes while it crawls: the records (JSONL or CSV), the failed records
 * (JSONL) and the checkpoint. The crawl appends a page's records, then checkpoints; the
 * checkpoint holds the byte size of every output file at that moment, so a resume truncates
 * each file back to it and nothing after the checkpoint survives (no duplicate, no torn line).
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';
import { AppendOnlyFile } from './append-file';
import { readJsonFile, syncDirectory, writeFileAtomic } from './atomic-write';
import { csvHeader, csvRows } from './csv';
import type { Redactor } from './redact';

/** A run's state as its manifest and checkpoint report it. */
export type RunStatus = 'running' | 'completed' | 'stopped' | 'failed';

/** File names inside a run directory. */
export const RUN_FILES = {
  recordsJsonl: 'records.jsonl',
  recordsCsv: 'records.csv',
  failed: 'failed.jsonl',
  checkpoint: 'checkpoint.json',
  manifest: 'manifest.json',
  datasheet: 'datasheet.md',
  croissant: 'croissant.json',
  log: 'run.log',
} as const;

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
  /** Increases with every checkpoint written. */
  sequence: number;
  writtenAt: string;
  /** Committed byte size of each output file, by file name. */
  offsets: Record<string, number>;
  state: S;
}

/** How to open a run's output. */
export interface RunOutputOptions {
  runDir: string;
  format: 'jsonl' | 'csv';
  /** CSV columns, in order (ignored for JSONL). */
  columns: string[];
  neutralizeFormulas: boolean;
  redactor: Redactor;
  /** Continue a run: truncate every output back to the checkpoint's offsets. */
  resume: boolean;
}

/** Appends records and failed records to a run directory and checkpoints them. */
export class RunOutput<S> {
  private sequence: number;
  /** Serialises writes: two pages committing at once must not interleave their batches. */
  private chain: Promise<void> = Promise.resolve();

  private constructor(
    private readonly options: RunOutputOptions,
    private readonly records: AppendOnlyFile,
    private readonly failed: AppendOnlyFile,
    readonly previous: Checkpoint<S> | undefined,
  ) {
    this.sequence = previous?.sequence ?? 0;
  }

  /**
   * Opens the output files of `runDir`. When resuming, reads the checkpoint and truncates each
   * file back to its committed size; `previous` is then that checkpoint (undefined when the run
   * never reached its first checkpoint, in which case the files start empty).
   */
  static async open<S>(options: RunOutputOptions): Promise<RunOutput<S>> {
    await fs.mkdir(options.runDir, { recursive: true });
    const previous = options.resume ? await readJsonFile<Checkpoint<S>>(join(options.runDir, RUN_FILES.checkpoint)) : undefined;
    const recordsName = options.format === 'csv' ? RUN_FILES.recordsCsv : RUN_FILES.recordsJsonl;
    // Without a checkpoint nothing was committed, so a resume starts the files from zero.
    const truncate = (name: string): number | undefined => (options.resume ? (previous?.offsets[name] ?? 0) : undefined);
    const records = await AppendOnlyFile.open(join(options.runDir, recordsName), { truncateTo: truncate(recordsName) });
    const failed = await AppendOnlyFile.open(join(options.runDir, RUN_FILES.failed), { truncateTo: truncate(RUN_FILES.failed) });
    await syncDirectory(options.runDir);
    const output = new RunOutput<S>(options, records, failed, previous);
    if (options.format === 'csv' && records.size === 0) {
      await records.appendRaw(csvHeader({ columns: options.columns, neutralizeFormulas: false }));
    }
    return output;
  }

  /** Name of the records file inside the run directory. */
  get recordsFile(): string {
    return this.options.format === 'csv' ? RUN_FILES.recordsCsv : RUN_FILES.recordsJsonl;
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
          await this.records.appendLines(records.map((rec) => r.redact(JSON.stringify(rec))));
        }
      }
      if (failed.length > 0) await this.failed.appendLines(failed.map((f) => r.redact(JSON.stringify(f))));
    });
  }

  /**
   * Makes everything appended so far durable (fsync), then atomically replaces the checkpoint
   * with `state` and the files' sizes. After this returns, a crash loses nothing appended before.
   */
  checkpoint(state: S, status: RunStatus, now: number): Promise<void> {
    return this.serial(async () => {
      await this.records.sync();
      await this.failed.sync();
      this.sequence += 1;
      const checkpoint: Checkpoint<S> = {
        version: 1,
        status,
        sequence: this.sequence,
        writtenAt: new Date(now).toISOString(),
        offsets: { [this.recordsFile]: this.records.size, [RUN_FILES.failed]: this.failed.size },
        state,
      };
      await writeFileAtomic(join(this.options.runDir, RUN_FILES.checkpoint), this.options.redactor.redact(JSON.stringify(checkpoint)));
    });
  }

  /** Closes the files (after a final checkpoint). */
  close(): Promise<void> {
    return this.serial(async () => {
      await this.records.close();
      await this.failed.close();
    });
  }

  private serial(task: () => Promise<void>): Promise<void> {
    const next = this.chain.then(task);
    // Keep the chain alive after a failure; the caller still sees the rejection through `next`.
    this.chain = next.catch(() => undefined);
    return next;
  }
}
