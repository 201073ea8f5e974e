/**
 * Crash-safe append-only output files.
 *
 * A file is only ever extended by whole lines, each batch in one `write` call, and it is
 * `fsync`ed before a checkpoint records its size. On resume the file is cut back to the size the
 * checkpoint recorded, which removes a torn line or records written after the last checkpoint:
 * a `kill -9` at any instant therefore neither loses nor duplicates a committed record.
 */
import { promises as fs } from 'node:fs';

/** An output file opened for appending whole lines; tracks its committed byte size. */
export class AppendOnlyFile {
  /** The size at the last sync (or open): a sync with nothing appended since is skipped. */
  private synced: number;

  private constructor(
    readonly path: string,
    private handle: fs.FileHandle,
    private bytes: number,
  ) {
    this.synced = bytes;
  }

  /**
   * Opens (creating when absent) `path` for appending. With `truncateTo`, the file is first cut
   * back to that many bytes: the size a checkpoint recorded, so whatever followed it (a torn or
   * uncommitted tail) is dropped before anything new is appended.
   */
  static async open(path: string, options: { truncateTo?: number } = {}): Promise<AppendOnlyFile> {
    // O_APPEND: every write lands at the end even if something else moved the offset.
    const handle = await fs.open(path, 'a');
    try {
      let size = (await handle.stat()).size;
      if (options.truncateTo !== undefined && options.truncateTo < size) {
        await handle.truncate(options.truncateTo);
        await handle.sync();
        size = options.truncateTo;
      }
      return new AppendOnlyFile(path, handle, size);
    } catch (e) {
      await handle.close();
      throw e;
    }
  }

  /** Bytes in the file, as far as this writer knows (everything it appended included). */
  get size(): number {
    return this.bytes;
  }

  /**
   * Appends `lines` (each without its newline) in a single `write`, so that a crash leaves at
   * most one partial line at the very end, which the next resume truncates away.
   */
  async appendLines(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    await this.appendRaw(lines.map((l) => `${l}\n`).join(''));
  }

  /** Appends text that already ends in a newline (e.g. a CSV chunk) in a single `write`. */
  async appendRaw(text: string): Promise<void> {
    if (text.length === 0) return;
    const buffer = Buffer.from(text, 'utf8');
    let offset = 0;
    // A single write may be short on some file systems; finish it before reporting success.
    while (offset < buffer.length) {
      const { bytesWritten } = await this.handle.write(buffer, offset, buffer.length - offset);
      offset += bytesWritten;
    }
    this.bytes += buffer.length;
  }

  /**
   * Cuts the file back to `size` bytes and syncs it (the checkpoint journal, once a snapshot holds
   * everything it said). Later appends land at the new end: the file is opened with O_APPEND.
   */
  async truncate(size: number): Promise<void> {
    if (size >= this.bytes) return;
    await this.handle.truncate(size);
    await this.handle.sync();
    this.bytes = size;
    this.synced = size;
  }

  /** Flushes the file's data to stable storage. Called before a checkpoint records its size. */
  async sync(): Promise<void> {
    // Nothing appended since the last sync: nothing to flush (most pages add no failed record).
    if (this.bytes === this.synced) return;
    const size = this.bytes;
    await this.handle.datasync();
    this.synced = size;
  }

  /** Syncs and closes the file. */
  async close(): Promise<void> {
    try {
      await this.handle.sync();
    } finally {
      await this.handle.close();
    }
  }
}
