/**
 * The SPDX licence and exception lists, and the lookups built on them: canonical ids, names,
 * deprecated ids with their successors, and "did you mean" suggestions for ids written loosely.
 */
import licenseIds from 'spdx-license-ids';
import deprecatedIds from 'spdx-license-ids/deprecated.json';
import exceptionIds from 'spdx-exceptions';
import deprecatedExceptionIds from 'spdx-exceptions/deprecated.json';
import spdxLicenseList from 'spdx-license-list';

const CURRENT = new Set(licenseIds);
const DEPRECATED = new Set(deprecatedIds);
const EXCEPTIONS = new Set(exceptionIds);
const DEPRECATED_EXCEPTIONS = new Set(deprecatedExceptionIds);

/** Whether `id` is a current SPDX licence id (exact case). */
export function isCurrentLicence(id: string): boolean {
  return CURRENT.has(id);
}

/** Whether `id` is a deprecated SPDX licence id (exact case). */
export function isDeprecatedLicence(id: string): boolean {
  return DEPRECATED.has(id);
}

/** Whether `id` is an SPDX exception id (exact case), and whether it is deprecated. */
export function exceptionStatus(id: string): 'current' | 'deprecated' | undefined {
  if (DEPRECATED_EXCEPTIONS.has(id)) return 'deprecated';
  return EXCEPTIONS.has(id) ? 'current' : undefined;
}

/** The full name of a licence id, when the SPDX list has one. */
export function licenceName(id: string): string | undefined {
  return (spdxLicenseList as Record<string, { name: string } | undefined>)[id]?.name;
}

/** Whether the licence is OSI approved, when known. */
export function licenceOsiApproved(id: string): boolean | undefined {
  return (spdxLicenseList as Record<string, { osiApproved: boolean } | undefined>)[id]?.osiApproved;
}

/** Every current and deprecated licence id. */
export function allLicenceIds(): string[] {
  return [...licenseIds, ...deprecatedIds];
}

// Deprecated ids whose successor is not a simple rename of the GNU "-only" / "-or-later" kind.
const SUCCESSORS: Record<string, string> = {
  'GPL-2.0-with-GCC-exception': 'GPL-2.0-or-later WITH GCC-exception-2.0',
  'GPL-2.0-with-autoconf-exception': 'GPL-2.0-or-later WITH Autoconf-exception-2.0',
  'GPL-2.0-with-bison-exception': 'GPL-2.0-or-later WITH Bison-exception-2.2',
  'GPL-2.0-with-classpath-exception': 'GPL-2.0-only WITH Classpath-exception-2.0',
  'GPL-2.0-with-font-exception': 'GPL-2.0-only WITH Font-exception-2.0',
  'GPL-3.0-with-GCC-exception': 'GPL-3.0-or-later WITH GCC-exception-3.1',
  'GPL-3.0-with-autoconf-exception': 'GPL-3.0-or-later WITH Autoconf-exception-3.0',
  'StandardML-NJ': 'SMLNJ',
  'bzip2-1.0.5': 'bzip2-1.0.6',
  'BSD-2-Clause-FreeBSD': 'BSD-2-Clause',
  'BSD-2-Clause-NetBSD': 'BSD-2-Clause',
  'Nokia-Qt-exception-1.1': 'Qt-LGPL-exception-1.1',
};

/**
 * The id that replaces a deprecated one: `GPL-3.0` → `GPL-3.0-only`, `GPL-2.0` with `+` →
 * `GPL-2.0-or-later`. Undefined when there is no obvious single successor.
 */
export function successorOf(id: string, plus: boolean): string | undefined {
  if (SUCCESSORS[id]) return SUCCESSORS[id];
  // The GNU licences were split into "-only" and "-or-later" in SPDX 3.0; `+` meant "or later".
  const gnu = /^(A?GPL|LGPL|GFDL)-\d\.\d$/.exec(id);
  if (gnu) {
    const candidate = `${id}-${plus ? 'or-later' : 'only'}`;
    if (CURRENT.has(candidate)) return candidate;
  }
  return undefined;
}

/**
 * A loose key for matching ids written by hand: lower case; "licence", "license", "version",
 * "gnu", "the" and a "v" before a version dropped; spaces, commas, underscores and dashes
 * dropped; a bare version number given its ".0". `Apache License, Version 2.0`, `apache-2` and
 * `Apache-2.0` share one key, as do `GPLv3` and `GPL-3.0`.
 */
export function looseKey(text: string): string {
  let key = text.toLowerCase();
  key = key.replace(/\b(licen[cs]e|version|the|gnu)\b/g, ' ');
  key = key.replace(/\bv(?=\d)/g, ' ').replace(/([a-z])v(?=\d)/g, '$1 ');
  // Give a bare integer version its ".0" so that "Apache 2" meets "Apache-2.0".
  key = key.replace(/(^|[^\d.])(\d+)(?![\d.])/g, '$1$2.0');
  return key.replace(/[\s,_()\-]+/g, '');
}

interface Index {
  byLowerCase: Map<string, string>;
  byLooseKey: Map<string, string>;
  keys: string[];
}

let licenceIndex: Index | undefined;
let exceptionIndex: Index | undefined;

function buildIndex(ids: string[], preferred: Set<string>, names?: (id: string) => string | undefined): Index {
  const byLowerCase = new Map<string, string>();
  const byLooseKey = new Map<string, string>();
  // Current ids are indexed first so that, when a key is shared, the current id wins.
  const ordered = [...ids.filter((id) => preferred.has(id)), ...ids.filter((id) => !preferred.has(id))];
  for (const id of ordered) {
    if (!byLowerCase.has(id.toLowerCase())) byLowerCase.set(id.toLowerCase(), id);
    const key = looseKey(id);
    if (!byLooseKey.has(key)) byLooseKey.set(key, id);
  }
  if (names) {
    for (const id of ordered) {
      const name = names(id);
      if (!name) continue;
      const key = looseKey(name);
      if (!byLooseKey.has(key)) byLooseKey.set(key, id);
    }
  }
  return { byLowerCase, byLooseKey, keys: [...byLooseKey.keys()] };
}

/** Optimal-string-alignment distance (Levenshtein with adjacent transpositions), bounded. */
function distance(a: string, b: string, limit: number): number {
  if (Math.abs(a.length - b.length) > limit) return limit + 1;
  const rows: number[][] = [];
  for (let i = 0; i <= a.length; i++) {
    rows.push(new Array<number>(b.length + 1).fill(0));
    rows[i]![0] = i;
  }
  for (let j = 0; j <= b.length; j++) rows[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    let rowMin = Infinity;
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      let value = Math.min(rows[i - 1]![j]! + 1, rows[i]![j - 1]! + 1, rows[i - 1]![j - 1]! + cost);
      if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) value = Math.min(value, rows[i - 2]![j - 2]! + 1);
      rows[i]![j] = value;
      rowMin = Math.min(rowMin, value);
    }
    if (rowMin > limit) return limit + 1;
  }
  return rows[a.length]![b.length]!;
}

/** How a loosely written id was recognised. */
export interface Suggestion {
  id: string;
  how: 'case' | 'spelling' | 'distance';
}

function suggest(index: Index, text: string): Suggestion | undefined {
  const lower = index.byLowerCase.get(text.toLowerCase());
  if (lower) return { id: lower, how: 'case' };
  const key = looseKey(text);
  if (key === '') return undefined;
  const loose = index.byLooseKey.get(key);
  if (loose) return { id: loose, how: 'spelling' };
  // Last resort: a close key, but only a unique best within a small distance, so that a
  // suggestion is never a guess between two licences.
  const limit = key.length <= 4 ? 1 : key.length <= 10 ? 2 : 3;
  let best: string | undefined;
  let bestDistance = limit + 1;
  let tie = false;
  for (const candidate of index.keys) {
    const d = distance(key, candidate, limit);
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
      tie = false;
    } else if (d === bestDistance && best !== undefined && index.byLooseKey.get(candidate) !== index.byLooseKey.get(best)) {
      tie = true;
    }
  }
  if (best === undefined || tie || bestDistance > limit) return undefined;
  return { id: index.byLooseKey.get(best)!, how: 'distance' };
}

/** The SPDX licence id meant by `text`, if it can be told. */
export function suggestLicence(text: string): Suggestion | undefined {
  licenceIndex ??= buildIndex(allLicenceIds(), CURRENT, licenceName);
  return suggest(licenceIndex, text);
}

/** The SPDX exception id meant by `text`, if it can be told. */
export function suggestException(text: string): Suggestion | undefined {
  exceptionIndex ??= buildIndex([...exceptionIds, ...deprecatedExceptionIds], EXCEPTIONS);
  return suggest(exceptionIndex, text);
}
