/**
 * One process per run directory. Two processes appending to the same files would interleave
 * records and race on the checkpoint, so a run takes `.lock` (holding its pid) and a second
 * `run`/`resume` of the same directory is refused. A lock left by a killed process (its pid no
 * longer alive) is taken over, so `kill -9` never leaves a run unresumable.
 */
import { promises as fs } from 'node:fs';
import { join } from 'node:path';

/** The lock file's name inside a run directory. */
export const RUN_LOCK_FILE = '.lock';

/** The run directory is being written by another live process. */
export class RunLockedError extends Error {
  constructor(
    readonly runDir: string,
    readonly pid: number,
  ) {
    super(`${runDir} is in use by process ${pid}; wait for it to finish or stop it first`);
    this.name = 'RunLockedError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the run directory's lock; resolves with its release. Throws RunLockedError. */
export async function lockRunDir(runDir: string): Promise<() => Promise<void>> {
  const path = join(runDir, RUN_LOCK_FILE);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await fs.writeFile(path, String(process.pid), { flag: 'wx' });
      return async () => {
        await fs.rm(path, { force: true });
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = Number((await fs.readFile(path, 'utf8').catch(() => '')).trim());
      if (Number.isInteger(pid) && pid > 0 && (pid === process.pid || alive(pid))) throw new RunLockedError(runDir, pid);
      // Stale: its process is gone. Remove it and try once more.
      await fs.rm(path, { force: true });
    }
  }
  throw new RunLockedError(runDir, -1);
}
