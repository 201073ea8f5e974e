/**
 * Atomic file replacement: write a temporary file, fsync it, rename it over the target, fsync the
 * directory. A reader (or a resume after `kill -9`) sees either the old or the new content, never
 * a mix, and the rename survives a power cut once the directory is synced.
 */
import { promises as fs } from 'node:fs';
import { basename, dirname, join } from 'node:path';

let counter = 0;

/** Replaces `path` with `data` atomically (temp + fsync + rename + fsync dir). */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  await replaceFileAtomic(path, (handle) => handle.writeFile(data));
}

/**
 * Replaces `path` atomically with whatever `write` writes into the handle of a temporary file
 * beside it, for content too large to build in memory first (a Parquet file written row group
 * by row group). When `write` fails, the temporary file is removed and `path` is untouched.
 */
export async function replaceFileAtomic(path: string, write: (handle: fs.FileHandle) => Promise<void>): Promise<void> {
  counter += 1;
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${counter}.tmp`);
  const handle = await fs.open(tmp, 'w');
  try {
    await write(handle);
    await handle.sync();
  } catch (e) {
    await handle.close();
    await fs.rm(tmp, { force: true });
    throw e;
  }
  await handle.close();
  await fs.rename(tmp, path);
  await syncDirectory(dirname(path));
}

/** Fsyncs a directory so that a rename or a new file in it is durable. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch (e) {
    // Some platforms (Windows) cannot open or fsync a directory; the rename is still atomic there.
    if (!isUnsupportedDirSync(e)) throw e;
  } finally {
    await handle?.close();
  }
}

function isUnsupportedDirSync(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EISDIR' || code === 'EPERM' || code === 'EINVAL' || code === 'EBADF';
}

/** Reads and parses a JSON file; undefined when it does not exist. */
export async function readJsonFile<T>(path: string): Promise<T | undefined> {
  let text: string;
  try {
    text = await fs.readFile(path, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text) as T;
}
