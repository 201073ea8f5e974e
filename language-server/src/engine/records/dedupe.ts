/**
 * Record de-duplication: by key, by content hash and by near-duplicate text (MinHash + LSH).
 *
 * The state is plain data ({@link DeduperState}) so that a run can write it next to its output
 * and resume after a crash without writing a record twice.
 */
import { createHash } from 'node:crypto';

/**
 * JSON with object keys sorted at every level, so equal records give equal strings whatever
 * order their fields were set in. Follows JSON.stringify otherwise: `undefined` and functions
 * are left out of objects (null in arrays), non-finite numbers become null, `toJSON` is honoured.
 */
export function stableStringify(value: unknown): string {
  return stringifyValue(value, 0) ?? 'null';
}

const MAX_DEPTH = 100;

function stringifyValue(value: unknown, depth: number): string | undefined {
  if (depth > MAX_DEPTH) return '"[too deep]"';
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON: () => unknown }).toJSON();
  }
  if (value === null) return 'null';
  switch (typeof value) {
    case 'string':
      return JSON.stringify(value);
    case 'number':
      return Number.isFinite(value) ? JSON.stringify(value) : 'null';
    case 'boolean':
      return value ? 'true' : 'false';
    case 'bigint':
      return JSON.stringify(value.toString());
    case 'object': {
      if (Array.isArray(value)) {
        return `[${value.map((item) => stringifyValue(item, depth + 1) ?? 'null').join(',')}]`;
      }
      const entries = Object.keys(value as object)
        .sort()
        .flatMap((key) => {
          const text = stringifyValue((value as Record<string, unknown>)[key], depth + 1);
          return text === undefined ? [] : [`${JSON.stringify(key)}:${text}`];
        });
      return `{${entries.join(',')}}`;
    }
    default:
      return undefined;
  }
}

/** How records are judged duplicates. */
export interface DeduperOptions {
  /** Field names whose values together identify a record; empty disables key de-duplication. */
  key: string[];
  contentHash: boolean;
  /** Near-duplicate detection on a text field: estimated Jaccard similarity ≥ threshold (0..1). */
  nearDuplicates?: { field: string; threshold: number };
  /** Fields left out of the content hash because they describe where a record came from. */
  provenanceFields?: string[];
}

/** Whether a record duplicates one already added, and why (`of` identifies the earlier record). */
export type DedupeVerdict = { duplicate: false } | { duplicate: true; reason: 'key' | 'content' | 'near'; of?: string };

/** The serialisable state of a {@link Deduper} (JSON-safe). */
export interface DeduperState {
  version: 1;
  options: DeduperOptions;
  keys: string[];
  hashes: string[];
  near?: {
    hashes: number;
    bands: number;
    /** One entry per added record with text: its id and its signature (base64 of uint32 LE). */
    entries: { id: string; signature: string }[];
  };
}

/**
 * What a {@link Deduper} learnt since its last {@link Deduper.takeDelta}: enough to bring a
 * {@link DeduperState} up to date without rewriting it (a run's checkpoint journal).
 */
export interface DeduperDelta {
  keys: string[];
  hashes: string[];
  /** Near-duplicate entries added, signatures encoded as in {@link DeduperState}. */
  near?: { id: string; signature: string }[];
}

/**
 * Applies `delta` to `state` in place (a snapshot plus the deltas taken after it gives the state
 * the Deduper had). Signatures are dropped when the state keeps none, as in `restore`.
 */
export function applyDeduperDelta(state: DeduperState, delta: DeduperDelta): DeduperState {
  for (const key of delta.keys) state.keys.push(key);
  for (const hash of delta.hashes) state.hashes.push(hash);
  if (delta.near && state.near) for (const entry of delta.near) state.near.entries.push(entry);
  return state;
}

/** Number of MinHash functions: 128 gives a Jaccard estimate within about ±0.09 (2σ). */
const NUM_HASHES = 128;
const SHINGLE_SIZE = 3;

/** Seeds for the hash family, from a fixed splitmix32 sequence: deterministic across runs. */
const SEEDS: Uint32Array = (() => {
  const seeds = new Uint32Array(NUM_HASHES);
  let state = 0x9e3779b9;
  for (let i = 0; i < NUM_HASHES; i++) {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    seeds[i] = (z ^ (z >>> 16)) >>> 0;
  }
  return seeds;
})();

/** MurmurHash3's finaliser: a bijection on 32 bits, so each seed gives a distinct permutation. */
function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** FNV-1a over UTF-16 code units: a fast, stable 32-bit hash of one shingle. */
function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** Word 3-shingles of the normalised text (one shingle for shorter texts, none for empty). */
export function shingles(text: string): Set<string> {
  const words = text.normalize('NFKC').toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
  const out = new Set<string>();
  if (words.length === 0) return out;
  if (words.length < SHINGLE_SIZE) {
    out.add(words.join(' '));
    return out;
  }
  for (let i = 0; i + SHINGLE_SIZE <= words.length; i++) out.add(words.slice(i, i + SHINGLE_SIZE).join(' '));
  return out;
}

/** The MinHash signature of a text, or undefined when it has no words. */
export function minHashSignature(text: string): Uint32Array | undefined {
  const set = shingles(text);
  if (set.size === 0) return undefined;
  const signature = new Uint32Array(NUM_HASHES).fill(0xffffffff);
  for (const shingle of set) {
    const base = fnv1a(shingle);
    for (let i = 0; i < NUM_HASHES; i++) {
      const h = fmix32(base ^ SEEDS[i]);
      if (h < signature[i]) signature[i] = h;
    }
  }
  return signature;
}

/** The fraction of equal positions: an unbiased estimate of the Jaccard similarity. */
export function estimateJaccard(a: Uint32Array, b: Uint32Array): number {
  let same = 0;
  for (let i = 0; i < a.length; i++) if (a[i] === b[i]) same++;
  return same / a.length;
}

/**
 * Bands for LSH: the candidate threshold of b bands of r rows is about (1/b)^(1/r). We take the
 * layout whose threshold sits at or just under the wanted one, so that candidates are found
 * generously and the exact signature comparison decides.
 */
function chooseBands(threshold: number): number {
  let best = NUM_HASHES;
  let bestGap = Infinity;
  for (let rows = 1; rows <= NUM_HASHES; rows *= 2) {
    const bands = NUM_HASHES / rows;
    const t = Math.pow(1 / bands, 1 / rows);
    const gap = threshold - t;
    // Prefer a candidate threshold 0–0.15 under the target; otherwise the closest one.
    const score = gap >= 0 && gap <= 0.15 ? gap : 1 + Math.abs(gap);
    if (score < bestGap) {
      bestGap = score;
      best = bands;
    }
  }
  return best;
}

function encodeSignature(signature: Uint32Array): string {
  return Buffer.from(signature.buffer, signature.byteOffset, signature.byteLength).toString('base64');
}

function decodeSignature(text: string): Uint32Array {
  const bytes = Buffer.from(text, 'base64');
  const out = new Uint32Array(bytes.length / 4);
  for (let i = 0; i < out.length; i++) out[i] = bytes.readUInt32LE(i * 4);
  return out;
}

interface Prepared {
  record: Record<string, unknown>;
  key?: string;
  hash?: string;
  signature?: Uint32Array;
}

/**
 * Remembers the records of a run and says whether a new one duplicates an earlier one.
 * `check` never changes the state; `add` records a record as kept; `checkAndAdd` does both with
 * one hashing. Checks run key, then content, then near-duplicate, and the first hit is the reason.
 */
export class Deduper {
  private readonly keys = new Set<string>();
  private readonly hashes = new Set<string>();
  private readonly entries: { id: string; signature: Uint32Array }[] = [];
  /** Band hash → indexes into `entries`. */
  private readonly buckets = new Map<string, number[]>();
  private readonly bands: number;
  private readonly rows: number;
  private readonly provenance: Set<string>;
  /** What was added since the last `takeDelta`, when tracking (see `trackDelta`). */
  private delta: { keys: string[]; hashes: string[]; near: { id: string; signature: Uint32Array }[] } | undefined;

  constructor(private readonly options: DeduperOptions) {
    this.bands = options.nearDuplicates ? chooseBands(options.nearDuplicates.threshold) : NUM_HASHES;
    this.rows = NUM_HASHES / this.bands;
    this.provenance = new Set(options.provenanceFields ?? ['_source']);
  }

  /** Whether `record` duplicates one already added. */
  check(record: Record<string, unknown>): DedupeVerdict {
    return this.verdict(this.prepare(record));
  }

  /** `check`, then `add` when the record is not a duplicate; hashes the record only once. */
  checkAndAdd(record: Record<string, unknown>): DedupeVerdict {
    const prepared = this.prepare(record);
    const verdict = this.verdict(prepared);
    if (!verdict.duplicate) this.addPrepared(prepared);
    return verdict;
  }

  private verdict(prepared: Prepared): DedupeVerdict {
    if (prepared.key !== undefined && this.keys.has(prepared.key)) return { duplicate: true, reason: 'key', of: prepared.key };
    if (prepared.hash !== undefined && this.hashes.has(prepared.hash)) return { duplicate: true, reason: 'content', of: prepared.hash };
    if (prepared.signature !== undefined && this.options.nearDuplicates) {
      const similar = this.findNear(prepared.signature, this.options.nearDuplicates.threshold);
      if (similar !== undefined) return { duplicate: true, reason: 'near', of: similar };
    }
    return { duplicate: false };
  }

  /** Remembers `record` as kept. */
  add(record: Record<string, unknown>): void {
    this.addPrepared(this.prepare(record));
  }

  private addPrepared(prepared: Prepared): void {
    const record = prepared.record;
    if (prepared.key !== undefined && !this.keys.has(prepared.key)) {
      this.keys.add(prepared.key);
      this.delta?.keys.push(prepared.key);
    }
    if (prepared.hash !== undefined && !this.hashes.has(prepared.hash)) {
      this.hashes.add(prepared.hash);
      this.delta?.hashes.push(prepared.hash);
    }
    if (prepared.signature !== undefined) {
      const id = prepared.key ?? prepared.hash ?? this.contentHash(record);
      this.addEntry(id, prepared.signature);
      this.delta?.near.push({ id, signature: prepared.signature });
    }
  }

  /** Starts recording what is added, for {@link takeDelta}; what was added before is not in it. */
  trackDelta(): void {
    this.delta ??= { keys: [], hashes: [], near: [] };
  }

  /**
   * What was added since the last call (or since `trackDelta`), and starts a new delta. Applied
   * with {@link applyDeduperDelta} to the snapshot taken at the previous call, it gives this
   * Deduper's snapshot. Empty when not tracking.
   */
  takeDelta(): DeduperDelta {
    const d = this.delta;
    if (!d) return { keys: [], hashes: [] };
    this.delta = { keys: [], hashes: [], near: [] };
    const out: DeduperDelta = { keys: d.keys, hashes: d.hashes };
    if (this.options.nearDuplicates) out.near = d.near.map((e) => ({ id: e.id, signature: encodeSignature(e.signature) }));
    return out;
  }

  /** Number of records added (by key, content or signature, whichever is tracked most). */
  get size(): number {
    return Math.max(this.keys.size, this.hashes.size, this.entries.length);
  }

  /** The state as JSON-safe data. */
  snapshot(): DeduperState {
    const state: DeduperState = {
      version: 1,
      options: structuredClone(this.options),
      keys: [...this.keys],
      hashes: [...this.hashes],
    };
    if (this.options.nearDuplicates) {
      state.near = {
        hashes: NUM_HASHES,
        bands: this.bands,
        entries: this.entries.map((entry) => ({ id: entry.id, signature: encodeSignature(entry.signature) })),
      };
    }
    return state;
  }

  /** A Deduper holding `state` (from {@link snapshot}, possibly through JSON). */
  static restore(state: DeduperState): Deduper {
    const deduper = new Deduper(state.options);
    for (const key of state.keys) deduper.keys.add(key);
    for (const hash of state.hashes) deduper.hashes.add(hash);
    // Signatures from another hash layout cannot be compared; they are dropped, and near-duplicate
    // detection restarts (key and content checks still hold).
    if (state.near && state.near.hashes === NUM_HASHES) {
      for (const entry of state.near.entries) deduper.addEntry(entry.id, decodeSignature(entry.signature));
    }
    return deduper;
  }

  private prepare(record: Record<string, unknown>): Prepared {
    const prepared: Prepared = { record };
    if (this.options.key.length > 0) {
      const values = this.options.key.map((name) => record[name]);
      // A record without its key cannot be matched by key; the validator reports the missing field.
      if (values.every((value) => value !== undefined && value !== null)) prepared.key = stableStringify(values);
    }
    if (this.options.contentHash) prepared.hash = this.contentHash(record);
    if (this.options.nearDuplicates) {
      const text = record[this.options.nearDuplicates.field];
      if (typeof text === 'string') prepared.signature = minHashSignature(text);
    }
    return prepared;
  }

  private contentHash(record: Record<string, unknown>): string {
    const content: Record<string, unknown> = {};
    for (const [name, value] of Object.entries(record)) if (!this.provenance.has(name)) content[name] = value;
    return createHash('sha256').update(stableStringify(content)).digest('hex');
  }

  private bandKeys(signature: Uint32Array): string[] {
    const keys: string[] = [];
    for (let band = 0; band < this.bands; band++) {
      let h = band;
      for (let row = 0; row < this.rows; row++) h = fmix32(h ^ signature[band * this.rows + row]) ^ Math.imul(row + 1, 0x9e3779b9);
      keys.push(`${band}:${(h >>> 0).toString(36)}`);
    }
    return keys;
  }

  private addEntry(id: string, signature: Uint32Array): void {
    const index = this.entries.length;
    this.entries.push({ id, signature });
    for (const key of this.bandKeys(signature)) {
      const bucket = this.buckets.get(key);
      if (bucket) bucket.push(index);
      else this.buckets.set(key, [index]);
    }
  }

  private findNear(signature: Uint32Array, threshold: number): string | undefined {
    const seen = new Set<number>();
    let best: { id: string; similarity: number } | undefined;
    for (const key of this.bandKeys(signature)) {
      for (const index of this.buckets.get(key) ?? []) {
        if (seen.has(index)) continue;
        seen.add(index);
        const similarity = estimateJaccard(signature, this.entries[index].signature);
        if (similarity >= threshold && (best === undefined || similarity > best.similarity)) best = { id: this.entries[index].id, similarity };
      }
    }
    return best?.id;
  }
}
