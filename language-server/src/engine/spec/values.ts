/**
 * Small pure helpers shared by validation and checks: unit parsing, edit distance, naming.
 */

const DURATION = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)\s*$/;
const DURATION_UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** Milliseconds in `500ms`, `2s`, `5m`, `1h` or a number of seconds; undefined when malformed. */
export function parseDuration(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.round(value * 1000) : undefined;
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const m = DURATION.exec(value);
  return m ? Math.round(Number(m[1]) * DURATION_UNIT_MS[m[2]]) : undefined;
}

const SIZE = /^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?\s*$/i;
const SIZE_UNIT: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 1024, mib: 1024 ** 2, gib: 1024 ** 3 };

/** Bytes in `10MB`, `512KiB` or a number of bytes; undefined when malformed. */
export function parseSize(value: unknown): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value >= 0 ? Math.floor(value) : undefined;
  if (typeof value !== 'string' || value.length > 64) return undefined;
  const m = SIZE.exec(value);
  return m ? Math.floor(Number(m[1]) * SIZE_UNIT[(m[2] ?? 'b').toLowerCase()]) : undefined;
}

/**
 * Edit distance counting an adjacent transposition as one edit (optimal string alignment), so
 * `wbe` is one edit from `web`. Gives up (returning `limit + 1`) once it must exceed `limit`.
 */
export function editDistance(a: string, b: string, limit = 8): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  let prev2: number[] = [];
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let rowMin = i;
    for (let j = 1; j <= b.length; j++) {
      let v = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) v = Math.min(v, prev2[j - 2] + 1);
      cur.push(v);
      if (v < rowMin) rowMin = v;
    }
    if (rowMin > limit) return limit + 1;
    prev2 = prev;
    prev = cur;
  }
  return prev[b.length];
}

function normalizeName(s: string): string {
  return s.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/-/g, '_').toLowerCase();
}

/** The candidate closest to `word` (spelling, case or camelCase slips), if one is close enough. */
export function closest(word: string, candidates: Iterable<string>): string | undefined {
  if (word.length > 64) return undefined;
  const norm = normalizeName(word);
  let best: string | undefined;
  let bestDist = Infinity;
  for (const c of candidates) {
    const cn = normalizeName(c);
    if (cn === norm) return c;
    // A known name typed with extra letters (`jsonlines` for `jsonl`) is a likely slip too.
    if (cn.length >= 3 && norm.startsWith(cn) && bestDist > 2) {
      best = c;
      bestDist = 2;
      continue;
    }
    const limit = Math.max(1, Math.floor(Math.max(word.length, c.length) / 3));
    const d = editDistance(norm, cn, limit);
    if (d <= limit && d < bestDist) {
      best = c;
      bestDist = d;
    }
  }
  return best;
}

/** `books api` / `books-api` → `BOOKS_API`, for environment variable names. */
export function envName(...parts: string[]): string {
  return parts
    .map((p) => p.replace(/([a-z0-9])([A-Z])/g, '$1_$2').replace(/[^A-Za-z0-9]+/g, '_').replace(/^_+|_+$/g, '').toUpperCase())
    .filter((p) => p.length > 0)
    .join('_');
}

/** A `${env:NAME}` / `${secret:NAME}` reference, as written in spec strings. */
export const REFERENCE = /\$\{(env|secret):([A-Za-z_][A-Za-z0-9_]*)\}/g;

/** Every `${…}` in a string, well-formed or not (bounded so that a huge value cannot stall). */
export const ANY_REFERENCE = /\$\{[^}\n]{0,200}\}?/g;

/** True when `value` contains at least one well-formed secret reference. */
export function hasReference(value: string): boolean {
  REFERENCE.lastIndex = 0;
  return REFERENCE.test(value);
}
