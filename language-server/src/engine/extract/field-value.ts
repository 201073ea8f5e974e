/**
 * The part of field extraction shared by HTML and JSON: regex, default and coercion.
 */
import type { FieldType } from '../spec/model';
import { coerce } from '../records/coerce';
import type { FieldError } from '../records/types';

/** A field's regex compiled once; `undefined` when the field has none. */
export interface CompiledRegex {
  source: string;
  regex: RegExp;
}

/**
 * Compiles a field regex, or returns a warning when it does not compile. We try with the `u`
 * flag first (so `\p{…}` works) and without it second, because many hand-written patterns use
 * escapes like `\-` that only the non-Unicode grammar accepts.
 */
export function compileFieldRegex(source: string | undefined, fieldName: string): { regex?: CompiledRegex; warning?: string } {
  if (source === undefined) return {};
  for (const flags of ['u', '']) {
    try {
      return { regex: { source, regex: new RegExp(source, flags) } };
    } catch (error) {
      if (flags === '') return { warning: `field ${fieldName}: regex /${source}/ does not compile (${(error as Error).message}); the field will be empty` };
    }
  }
  return {};
}

/** The first capture group that took part in the match, else the whole match; undefined when no match. */
export function applyRegex(text: string, regex: CompiledRegex): string | undefined {
  const match = regex.regex.exec(text);
  if (match === null) return undefined;
  for (let i = 1; i < match.length; i++) if (match[i] !== undefined) return match[i];
  return match[0];
}

/** What a field spec contributes to finishing a value. */
export interface FinishSpec {
  name: string;
  type: FieldType;
  all: boolean;
  default?: unknown;
}

/**
 * An object with one property per field name, each set to `value`, in field order: a record's
 * values before its fields are read (null), or a page's match counts (0). Copying one gives every
 * record of an extractor one object shape from the start, so the field stores overwrite
 * properties rather than add them one at a time; and a field named like an Object prototype
 * property (`__proto__`) is an own data property, never the prototype.
 */
export function byField<T>(names: readonly string[], value: T): Record<string, T> {
  return Object.fromEntries(names.map((name) => [name, value]));
}

/** Whether a field found anything (what match counts count; a default does not). */
export function foundAny(found: unknown[] | undefined): found is unknown[] {
  return found !== undefined && found.length > 0;
}

/**
 * Turns the raw values found for a field (undefined when nothing matched) into its final value:
 * the default when nothing matched, then coercion of each element. Coercion failures become
 * null values plus a FieldError each. `resolveUrl`, when given, resolves `url` values (see
 * createUrlResolver). Keeps no reference to `found`, so callers may reuse that list.
 */
export function finishField(
  spec: FinishSpec,
  found: unknown[] | undefined,
  baseUrl: string | undefined,
  errors: FieldError[],
  resolveUrl?: (href: string) => string | undefined,
): unknown {
  const matched = foundAny(found);
  if (!spec.all) {
    // One value: no lists to build, which matters at a few hundred fields per page.
    if (!matched && spec.default === undefined) return null;
    return finishOne(spec, matched ? found[0] : spec.default, baseUrl, errors, resolveUrl);
  }
  let raws: unknown[];
  if (matched) raws = found;
  else if (spec.default !== undefined) raws = Array.isArray(spec.default) ? spec.default : [spec.default];
  else return [];
  const values: unknown[] = [];
  for (const raw of raws) values.push(finishOne(spec, raw, baseUrl, errors, resolveUrl));
  return values;
}

/** One coerced value, or null plus a FieldError when it does not coerce. */
function finishOne(spec: FinishSpec, raw: unknown, baseUrl: string | undefined, errors: FieldError[], resolveUrl: ((href: string) => string | undefined) | undefined): unknown {
  // Text to text cannot fail: coercion would only trim it (and wrap the result in an object).
  if (spec.type === 'string' && typeof raw === 'string') return raw.trim();
  // A page's resolver answers most url fields without a full URL parse; it returns undefined
  // for what it cannot vouch for, and coercion then gives the reason.
  if (spec.type === 'url' && resolveUrl !== undefined && typeof raw === 'string') {
    const resolved = resolveUrl(raw.trim());
    if (resolved !== undefined) return resolved;
  }
  const result = coerce(raw, spec.type, spec.name, { baseUrl });
  if (result.ok) return result.value;
  const error: FieldError = { field: spec.name, reason: result.reason };
  if (typeof raw === 'string') error.raw = raw.length > 500 ? `${raw.slice(0, 500)}…` : raw;
  else if (raw !== undefined && typeof raw !== 'object') error.raw = String(raw);
  errors.push(error);
  return null;
}
