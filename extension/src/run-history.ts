/**
 * Past runs, read from the `manifest.json` each run directory holds. Node built-ins only.
 */
import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';

/** What the editor shows about one run. */
export interface RunInfo {
  dir: string;
  runId: string;
  status: string;
  statusReason?: string;
  startedAt?: string;
  endedAt?: string;
  /** The spec path as the manifest records it. */
  specPath?: string;
  specName?: string;
  records: number;
  failed: number;
  pages: number;
  /** File names inside `dir` by role (records, failed, datasheet, croissant…). */
  files: Record<string, string>;
  /** The CSV records file has formula guards on (see the engine's OutputFileEntry `formula_guard`). */
  formulaGuard: boolean;
}

// A manifest larger than this is not a Gleaner manifest worth reading for a sidebar line.
const MAX_MANIFEST_BYTES = 8 * 1024 * 1024;

/** Reads `<dir>/manifest.json`; undefined when it is missing or not a run manifest. */
export async function readRunInfo(dir: string): Promise<RunInfo | undefined> {
  const file = join(dir, 'manifest.json');
  try {
    const info = await stat(file);
    if (!info.isFile() || info.size > MAX_MANIFEST_BYTES) return undefined;
    const m = JSON.parse(await readFile(file, 'utf8')) as Record<string, unknown>;
    if (typeof m !== 'object' || m === null || m.manifest_version === undefined) return undefined;
    const counts = (m.counts ?? {}) as Record<string, unknown>;
    const spec = (m.spec ?? {}) as Record<string, unknown>;
    const files: Record<string, string> = {};
    let formulaGuard = false;
    if (Array.isArray(m.files)) {
      for (const f of m.files as Record<string, unknown>[]) {
        if (typeof f?.role === 'string' && typeof f.path === 'string') files[f.role] = f.path;
        if (f?.role === 'records' && f.formula_guard === true) formulaGuard = true;
      }
    }
    const n = (v: unknown): number => (typeof v === 'number' ? v : 0);
    const s = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);
    return {
      dir,
      runId: s(m.run_id) ?? basename(dir),
      status: s(m.status) ?? 'unknown',
      statusReason: s(m.status_reason),
      startedAt: s(m.started_at),
      endedAt: s(m.ended_at),
      specPath: s(spec.path),
      specName: s(spec.name),
      records: n(counts.records),
      failed: n(counts.failed),
      pages: n(counts.pages_fetched),
      files,
      formulaGuard,
    };
  } catch {
    // Unreadable or half-written manifests (a run in progress) are simply not listed yet.
    return undefined;
  }
}

/**
 * True when the run recorded in `info` belongs to the spec at `specFsPath`. Manifests record the
 * spec path relative to the run directory (e.g. `../../books.collect.yaml`), or absolute.
 */
export function runBelongsToSpec(info: RunInfo, specFsPath: string): boolean {
  if (!info.specPath) return false;
  return resolve(info.dir, info.specPath) === resolve(specFsPath);
}

/** The path of a run file by role, falling back to Gleaner's default file names. */
export function runFile(info: Pick<RunInfo, 'dir' | 'files'>, role: 'records' | 'failed' | 'manifest' | 'datasheet' | 'croissant'): string {
  const defaults = { records: 'records.jsonl', failed: 'failed.jsonl', manifest: 'manifest.json', datasheet: 'datasheet.md', croissant: 'croissant.json' } as const;
  // Manifests name files relative to the run directory; resolve() also copes with absolute ones.
  return resolve(info.dir, info.files[role] ?? defaults[role]);
}

/** The directory holding `manifestPath`. */
export function runDirOf(manifestPath: string): string {
  return dirname(manifestPath);
}

/**
 * True when `specFsPath` is the copy of a spec a run keeps in its own directory (beside its
 * run.json, checkpoint or manifest), which the sidebar and the spec pickers leave out.
 */
export function isRunSpecCopy(specFsPath: string): boolean {
  const dir = dirname(specFsPath);
  return ['run.json', 'checkpoint.json', 'manifest.json'].some((f) => existsSync(join(dir, f)));
}
