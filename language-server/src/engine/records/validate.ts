/**
 * Field-level validation of output records and derived fields.
 *
 * A record that fails keeps every reason, not just the first: the failed-records file should
 * let a user fix all of a selector's problems in one pass. The order in a run is
 * extract → {@link applyDerived} → {@link validateRecord}, so rules may constrain derived fields.
 */
import type { DerivedField, FieldType, RecordFieldRule, RecordsSpec } from '../spec/model';
import { coerce } from './coerce';
import type { FieldError } from './types';

/** The outcome of validating one record; `record` is the (possibly re-coerced) record either way. */
export type ValidationResult =
  | { ok: true; record: Record<string, unknown> }
  | { ok: false; record: Record<string, unknown>; errors: FieldError[] };

/** Compiled `pattern` rules by source; null marks an invalid pattern (the spec checker reports it). */
const patternCache = new Map<string, RegExp | null>();

function patternOf(source: string): RegExp | null {
  let regex = patternCache.get(source);
  if (regex === undefined) {
    try {
      regex = new RegExp(source, 'u');
    } catch {
      regex = null;
    }
    if (patternCache.size > 1000) patternCache.clear();
    patternCache.set(source, regex);
  }
  return regex;
}

/** Absent means undefined, null, blank text or an empty list. */
function isAbsent(value: unknown): boolean {
  return value === undefined || value === null || (typeof value === 'string' && value.trim() === '') || (Array.isArray(value) && value.length === 0);
}

function hasType(value: unknown, type: FieldType): boolean {
  switch (type) {
    case 'string':
      return typeof value === 'string';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value);
    case 'boolean':
      return typeof value === 'boolean';
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(?:T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})?)?$/.test(value);
    case 'url':
      return typeof value === 'string' && /^https?:\/\//.test(value);
  }
}

function show(value: unknown): string {
  const text = typeof value === 'string' ? JSON.stringify(value) : String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

/** Checks one scalar value against a rule; returns the value (re-coerced if needed) and reasons. */
function checkScalar(value: unknown, rule: RecordFieldRule, reasons: string[]): unknown {
  if (!hasType(value, rule.type)) {
    // Values extracted under another type (or by an API) get one chance to become the right one.
    const coerced = coerce(value, rule.type, rule.name);
    if (!coerced.ok) {
      reasons.push(coerced.reason);
      return value;
    }
    if (coerced.value === null) return value;
    value = coerced.value;
  }
  if (typeof value === 'number') {
    if (rule.min !== undefined && value < rule.min) reasons.push(`${rule.name}: ${value} is less than the minimum ${rule.min}`);
    if (rule.max !== undefined && value > rule.max) reasons.push(`${rule.name}: ${value} is more than the maximum ${rule.max}`);
  }
  if (typeof value === 'string') {
    // Length in code points, so an emoji counts as one character as a user would expect.
    const length = [...value].length;
    if (rule.minLength !== undefined && length < rule.minLength) reasons.push(`${rule.name}: ${length} characters, fewer than the minimum ${rule.minLength}`);
    if (rule.maxLength !== undefined && length > rule.maxLength) reasons.push(`${rule.name}: ${length} characters, more than the maximum ${rule.maxLength}`);
    if (rule.pattern !== undefined) {
      const regex = patternOf(rule.pattern);
      if (regex !== null && !regex.test(value)) reasons.push(`${rule.name}: ${show(value)} does not match the pattern /${rule.pattern}/`);
    }
  }
  if (rule.enum !== undefined && rule.enum.length > 0) {
    const allowed = rule.enum.some((option) => option === value || String(option) === String(value));
    if (!allowed) reasons.push(`${rule.name}: ${show(value)} is not one of ${rule.enum.map((o) => show(o)).join(', ')}`);
  }
  return value;
}

/**
 * Validates `values` against the record rules: required, type, min/max, minLength/maxLength,
 * pattern and enum, collecting every failing reason. List values (`all: true`) are checked
 * element by element. Fields without a rule (provenance, extras) pass through unchanged. A value
 * of the wrong type is coerced to the rule's type where possible, and the record returned holds
 * the coerced value.
 */
export function validateRecord(values: Record<string, unknown>, spec: Pick<RecordsSpec, 'fields'>): ValidationResult {
  const record: Record<string, unknown> = { ...values };
  const errors: FieldError[] = [];
  for (const rule of spec.fields) {
    const value = record[rule.name];
    if (isAbsent(value)) {
      if (rule.required) errors.push({ field: rule.name, reason: `${rule.name}: required but missing` });
      continue;
    }
    const reasons: string[] = [];
    if (Array.isArray(value)) {
      record[rule.name] = value.map((element) => checkScalar(element, rule, reasons));
    } else {
      record[rule.name] = checkScalar(value, rule, reasons);
    }
    const raw = typeof value === 'string' ? value : undefined;
    for (const reason of reasons) errors.push(raw === undefined ? { field: rule.name, reason } : { field: rule.name, reason, raw });
  }
  return errors.length === 0 ? { ok: true, record } : { ok: false, record, errors };
}

/**
 * Computes derived fields in order (a later one may read an earlier one) and returns a new
 * object. For each: the `from` value is looked up in `map` by its string form (exact, then
 * trimmed and case-insensitive, so `Three` and `three` both hit a `three` key); failing that, a
 * numeric value (or numeric text) is placed in the first matching inclusive `ranges` entry;
 * failing that, `default` is used when given, and otherwise the field is left absent (null).
 */
export function applyDerived(values: Record<string, unknown>, derived: readonly DerivedField[]): Record<string, unknown> {
  const out: Record<string, unknown> = { ...values };
  for (const field of derived) {
    // Defined, not assigned: a field named `__proto__` must become data, not the prototype.
    Object.defineProperty(out, field.name, { value: deriveOne(out[field.from], field), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

function deriveOne(source: unknown, field: DerivedField): unknown {
  if (source !== undefined && source !== null && typeof source !== 'object') {
    const key = String(source);
    if (field.map !== undefined) {
      if (Object.prototype.hasOwnProperty.call(field.map, key)) return field.map[key];
      const folded = key.trim().toLowerCase();
      for (const [mapKey, mapValue] of Object.entries(field.map)) {
        if (mapKey.trim().toLowerCase() === folded) return mapValue;
      }
    }
    if (field.ranges !== undefined) {
      const n = typeof source === 'number' ? source : key.trim() === '' ? NaN : Number(key.trim());
      if (Number.isFinite(n)) {
        for (const range of field.ranges) {
          if ((range.min === undefined || n >= range.min) && (range.max === undefined || n <= range.max)) return range.value;
        }
      }
    }
  }
  return field.default !== undefined ? field.default : null;
}
