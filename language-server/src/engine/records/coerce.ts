/**
 * Turning extracted text into typed values, with a reason whenever that is impossible.
 *
 * Coercion is deliberately strict where a guess could silently corrupt a dataset (day/month
 * order, `Three` as a number, `in stock` as a boolean) and lenient where the intent is plain
 * (currency symbols, thousands separators, the Unicode minus sign).
 */
import type { FieldType } from '../spec/model';

/** The outcome of coercing one value. */
export type CoerceResult = { ok: true; value: unknown } | { ok: false; reason: string };

/** Options for {@link coerce}. */
export interface CoerceOptions {
  /** Base for relative URLs when `type` is `url` (the page or response URL). */
  baseUrl?: string;
}

/**
 * Coerces `raw` to `type`. Strings are trimmed first. `null`, `undefined` and (for every type but
 * `string`) blank text give `{ ok: true, value: null }`: absence is the validator's business
 * (`required`), not a coercion failure. Arrays are not coerced as a whole; callers with `all: true`
 * coerce each element.
 */
export function coerce(raw: unknown, type: FieldType, fieldName: string, options: CoerceOptions = {}): CoerceResult {
  if (raw === null || raw === undefined) return { ok: true, value: null };
  if (typeof raw === 'string') {
    const text = raw.trim();
    if (text === '' && type !== 'string') return { ok: true, value: null };
    raw = text;
  }
  switch (type) {
    case 'string':
      return toText(raw, fieldName);
    case 'number':
      return toNumber(raw, fieldName);
    case 'integer':
      return toInteger(raw, fieldName);
    case 'boolean':
      return toBoolean(raw, fieldName);
    case 'date':
      return toDate(raw, fieldName);
    case 'url':
      return toUrl(raw, fieldName, options.baseUrl);
  }
}

function describe(raw: unknown): string {
  if (Array.isArray(raw)) return 'a list';
  if (typeof raw === 'object') return 'an object';
  if (typeof raw === 'string') return JSON.stringify(raw.length > 60 ? `${raw.slice(0, 57)}...` : raw);
  return String(raw);
}

function fail(fieldName: string, raw: unknown, expected: string, hint?: string): CoerceResult {
  return { ok: false, reason: `${fieldName}: ${describe(raw)} is not ${expected}${hint ? ` (${hint})` : ''}` };
}

function toText(raw: unknown, fieldName: string): CoerceResult {
  if (typeof raw === 'string') return { ok: true, value: raw };
  if (typeof raw === 'number' || typeof raw === 'boolean' || typeof raw === 'bigint') return { ok: true, value: String(raw) };
  return fail(fieldName, raw, 'text');
}

/** Minus signs seen in scraped text: ASCII, Unicode minus, small and full-width hyphen-minus. */
const MINUS = /^[-\u2212\uFE63\uFF0D]/;
/** Thousands separators that are never decimal: space, no-break, narrow no-break, thin, apostrophe. */
const GROUP_SPACE = /[ \u00A0\u202F\u2009'\u2019]/;
/** An unsigned plain decimal, optionally with one currency sign before or after it. */
const SIMPLE_NUMBER = /^\s*\p{Sc}?\s*(\d+(?:\.\d+)?)\s*\p{Sc}?\s*$/u;
/** A currency sign or an ISO 4217-looking code, before or after the amount. */
const CURRENCY = /^(?:\p{Sc}|[A-Z]{3}(?![A-Za-z]))\s*|\s*(?:\p{Sc}|(?<![A-Za-z])[A-Z]{3})$/u;

/**
 * Parses a human-written number. The separator heuristic, in order:
 * 1. Spaces (incl. no-break and thin) and apostrophes are always thousands separators.
 * 2. With both `,` and `.`, the one that comes last is the decimal separator (`1,234.50`,
 *    `1.234,50`).
 * 3. A separator that occurs more than once is a thousands separator (`1,234,567`).
 * 4. A lone `.` is a decimal point (`1.234` → 1.234).
 * 5. A lone `,` followed by exactly three digits, with a non-zero integer part, is a thousands
 *    separator (`1,234` → 1234, the English convention dominant on the web); any other lone `,`
 *    is a decimal comma (`12,5` → 12.5, `0,125` → 0.125).
 * Thousands groups must be well formed (`1,23,4` is rejected), so a guess cannot silently turn
 * garbage into a plausible number.
 */
export function parseHumanNumber(text: string): number | undefined {
  const plain = plainDecimal(text);
  if (plain !== undefined) return finish(plain, false);
  // Fast path for the other common shapes (`£ 51.77`, `12 €`): one regex.
  const simple = SIMPLE_NUMBER.exec(text);
  if (simple !== null) return finish(Number(simple[1]), false);
  let s = text.trim();
  let negative = false;
  // The sign may come before or after the currency: `-£3.00` and `£-3.00` both occur.
  if (MINUS.test(s)) {
    negative = true;
    s = s.slice(1).trimStart();
  } else if (s.startsWith('+')) {
    s = s.slice(1).trimStart();
  }
  const withoutCurrency = s.replace(CURRENCY, '');
  if (withoutCurrency !== s) {
    s = withoutCurrency.trim();
    if (MINUS.test(s)) {
      negative = !negative;
      s = s.slice(1).trimStart();
    } else if (s.startsWith('+')) {
      s = s.slice(1).trimStart();
    }
    s = s.replace(CURRENCY, '').trim();
  }
  if (/^\d+(?:\.\d+)?(?:[eE][-+]?\d+)?$|^\.\d+$/.test(s)) return finish(Number(s), negative);

  if (GROUP_SPACE.test(s)) {
    // Space or apostrophe groups must be well formed; the last group may carry the decimals.
    const parts = s.split(GROUP_SPACE);
    const last = parts.length - 1;
    const wellFormed = /^\d{1,3}$/.test(parts[0]) && parts.slice(1).every((p, i) => (i + 1 === last ? /^\d{3}(?:[.,]\d+)?$/ : /^\d{3}$/).test(p));
    if (!wellFormed) return undefined;
    s = parts.join('');
  }
  if (!/^[\d.,]+$/.test(s) || !/^\d/.test(s) || !/\d$/.test(s)) return undefined;
  const lastComma = s.lastIndexOf(',');
  const lastDot = s.lastIndexOf('.');
  let intPart: string;
  let fracPart = '';
  let groupSep: string | undefined;
  if (lastComma !== -1 && lastDot !== -1) {
    const decimal = lastComma > lastDot ? ',' : '.';
    groupSep = decimal === ',' ? '.' : ',';
    const at = s.lastIndexOf(decimal);
    intPart = s.slice(0, at);
    fracPart = s.slice(at + 1);
    if (intPart.includes(decimal)) return undefined;
  } else {
    const sep = lastComma !== -1 ? ',' : '.';
    const count = s.split(sep).length - 1;
    if (count > 1) {
      groupSep = sep;
      intPart = s;
    } else if (sep === '.') {
      const at = s.indexOf('.');
      intPart = s.slice(0, at);
      fracPart = s.slice(at + 1);
    } else {
      const at = s.indexOf(',');
      const before = s.slice(0, at);
      const after = s.slice(at + 1);
      if (after.length === 3 && !/^0+$/.test(before) && before.length <= 3) {
        groupSep = ',';
        intPart = s;
      } else {
        intPart = before;
        fracPart = after;
      }
    }
  }
  if (groupSep !== undefined && intPart.includes(groupSep)) {
    const groups = intPart.split(groupSep);
    const western = /^\d{1,3}$/.test(groups[0]) && groups.slice(1).every((g) => /^\d{3}$/.test(g));
    // Indian grouping: 12,34,567.
    const indian =
      groups.length >= 3 && /^\d{1,2}$/.test(groups[0]) && groups.slice(1, -1).every((g) => /^\d{2}$/.test(g)) && /^\d{3}$/.test(groups[groups.length - 1]);
    if (!western && !indian) return undefined;
    intPart = groups.join('');
  }
  if (!/^\d+$/.test(intPart) || !/^\d*$/.test(fracPart)) return undefined;
  return finish(Number(fracPart === '' ? intPart : `${intPart}.${fracPart}`), negative);
}

/** Currency signs common enough to be worth a character test before SIMPLE_NUMBER (all are `\p{Sc}`). */
const COMMON_CURRENCY = new Set([0x24, 0xa2, 0xa3, 0xa5, 0x20ac, 0x20b9]); // $ ¢ £ ¥ € ₹

/**
 * `22`, `51.77` or `£51.77`: digits with at most one inner `.`, after at most one common currency
 * sign, read without a regex (scraped prices and counts are mostly these); undefined for the rest.
 */
function plainDecimal(text: string): number | undefined {
  const start = COMMON_CURRENCY.has(text.charCodeAt(0)) ? 1 : 0;
  const end = text.length;
  if (start >= end) return undefined;
  let dot = -1;
  for (let i = start; i < end; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x30 && code <= 0x39) continue;
    if (code !== 0x2e || dot !== -1 || i === start || i === end - 1) return undefined;
    dot = i;
  }
  return Number(start === 0 ? text : text.slice(start));
}

function finish(value: number, negative: boolean): number | undefined {
  if (!Number.isFinite(value)) return undefined;
  return negative ? -value : value;
}

function toNumber(raw: unknown, fieldName: string): CoerceResult {
  if (typeof raw === 'number') return Number.isFinite(raw) ? { ok: true, value: raw } : fail(fieldName, raw, 'a finite number');
  if (typeof raw !== 'string') return fail(fieldName, raw, 'a number');
  const value = parseHumanNumber(raw);
  if (value === undefined) {
    const hint = /^[A-Za-z]+$/.test(raw)
      ? 'words are not numbers; map them with a derived field'
      : 'add a regex to the field to pick the number out of the text';
    return fail(fieldName, raw, 'a number', hint);
  }
  return { ok: true, value };
}

function toInteger(raw: unknown, fieldName: string): CoerceResult {
  const number = toNumber(raw, fieldName);
  if (!number.ok) return { ok: false, reason: number.reason.replace(/is not a number/, 'is not a whole number') };
  const value = number.value as number;
  if (!Number.isInteger(value)) return fail(fieldName, raw, 'a whole number');
  if (!Number.isSafeInteger(value)) return fail(fieldName, raw, 'a whole number within ±2^53');
  // Normalise -0 so that JSON output and de-duplication see 0.
  return { ok: true, value: value === 0 ? 0 : value };
}

const TRUE_WORDS = new Set(['true', 'yes', '1']);
const FALSE_WORDS = new Set(['false', 'no', '0']);

function toBoolean(raw: unknown, fieldName: string): CoerceResult {
  if (typeof raw === 'boolean') return { ok: true, value: raw };
  if (raw === 1 || raw === 0) return { ok: true, value: raw === 1 };
  if (typeof raw === 'string') {
    const word = raw.toLowerCase();
    if (TRUE_WORDS.has(word)) return { ok: true, value: true };
    if (FALSE_WORDS.has(word)) return { ok: true, value: false };
  }
  // Phrases like "In stock" mean different things on different sites; a derived-field map says
  // what they mean here.
  return fail(fieldName, raw, 'a boolean', 'accepted: true/false, yes/no, 1/0; map other words with a derived field');
}

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

function monthIndex(name: string): number {
  const lower = name.toLowerCase();
  if (lower.length < 3) return -1;
  const index = MONTHS.indexOf(lower.slice(0, 3));
  if (index === -1) return -1;
  const full = ['january', 'february', 'march', 'april', 'may', 'june', 'july', 'august', 'september', 'october', 'november', 'december'][index];
  // Accept `Sep`, `Sept`, `September`, but not `Marching`.
  return full.startsWith(lower) || (index === 8 && lower === 'sept') ? index : -1;
}

function validDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const days = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return day <= days;
}

const pad = (n: number, width = 2): string => String(n).padStart(width, '0');

/** Named zones allowed by RFC 2822 §4.3 (obsolete but still sent). */
const ZONES: Record<string, string> = { GMT: '+0000', UT: '+0000', UTC: '+0000', Z: '+0000', EST: '-0500', EDT: '-0400', CST: '-0600', CDT: '-0500', MST: '-0700', MDT: '-0600', PST: '-0800', PDT: '-0700' };

function toDate(raw: unknown, fieldName: string): CoerceResult {
  if (raw instanceof Date) return Number.isNaN(raw.getTime()) ? fail(fieldName, 'Invalid Date', 'a date') : { ok: true, value: raw.toISOString() };
  if (typeof raw !== 'string') {
    // Epoch numbers may be seconds or milliseconds; guessing would shift dates by 1000×.
    return fail(fieldName, raw, 'a date', typeof raw === 'number' ? 'epoch numbers are ambiguous (seconds or milliseconds)' : undefined);
  }
  const s = raw;
  let m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) {
    return validDate(+m[1], +m[2], +m[3]) ? { ok: true, value: s } : fail(fieldName, raw, 'a valid calendar date');
  }
  m = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?([Zz]|[+-]\d{2}:?\d{2})?$/.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec = '00', frac = '', zone] = m;
    if (!validDate(+y, +mo, +d) || +h > 23 || +mi > 59 || +sec > 60) return fail(fieldName, raw, 'a valid date and time');
    const local = `${y}-${mo}-${d}T${h}:${mi}:${sec}${frac}`;
    // Without a zone we do not invent one: the value stays a local date-time.
    if (zone === undefined) return { ok: true, value: local };
    const date = new Date(`${local}${zone.toUpperCase() === 'Z' ? 'Z' : zone.length === 5 ? `${zone.slice(0, 3)}:${zone.slice(3)}` : zone}`);
    return Number.isNaN(date.getTime()) ? fail(fieldName, raw, 'a valid date and time') : { ok: true, value: date.toISOString() };
  }
  // RFC 2822 and the HTTP IMF-fixdate: `Tue, 05 Mar 2024 10:00:00 GMT`, `5 Mar 2024 10:00 +0100`.
  m = /^(?:[A-Za-z]{3},?\s+)?(\d{1,2})\s+([A-Za-z]{3,9})\s+(\d{4})\s+(\d{2}):(\d{2})(?::(\d{2}))?\s*([+-]\d{4}|[A-Za-z]{1,3})$/.exec(s);
  if (m) {
    const [, d, monthName, y, h, mi, sec = '00', zoneText] = m;
    const month = monthIndex(monthName) + 1;
    const zone = /^[+-]/.test(zoneText) ? zoneText : ZONES[zoneText.toUpperCase()];
    if (month === 0 || zone === undefined || !validDate(+y, month, +d) || +h > 23 || +mi > 59 || +sec > 60) {
      return fail(fieldName, raw, 'a valid date');
    }
    const date = new Date(`${y}-${pad(month)}-${pad(+d)}T${h}:${mi}:${sec}${zone.slice(0, 3)}:${zone.slice(3)}`);
    return Number.isNaN(date.getTime()) ? fail(fieldName, raw, 'a valid date') : { ok: true, value: date.toISOString() };
  }
  // Month names make day and month order unambiguous: `5 March 2024`, `March 5, 2024`.
  m = /^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})$/.exec(s) ?? null;
  let day: number | undefined;
  let monthName: string | undefined;
  let year: number | undefined;
  if (m) [day, monthName, year] = [+m[1], m[2], +m[3]];
  else {
    m = /^([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(s);
    if (m) [monthName, day, year] = [m[1], +m[2], +m[3]];
  }
  if (monthName !== undefined && day !== undefined && year !== undefined) {
    const month = monthIndex(monthName) + 1;
    if (month > 0 && validDate(year, month, day)) return { ok: true, value: `${year}-${pad(month)}-${pad(day)}` };
    return fail(fieldName, raw, 'a valid date');
  }
  if (/^\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}$/.test(s)) {
    // 03/05/2024 is 3 May in Europe and 5 March in the US. Refusing the whole format (even
    // 25/12/2024) keeps a column from mixing guessed and certain dates.
    return fail(fieldName, raw, 'an unambiguous date', 'day/month order is ambiguous; use a regex to reorder it or an ISO date');
  }
  return fail(fieldName, raw, 'a date', 'accepted: ISO 8601, RFC 2822/HTTP dates, "5 March 2024"');
}

function toUrl(raw: unknown, fieldName: string, baseUrl: string | undefined): CoerceResult {
  if (typeof raw !== 'string') return fail(fieldName, raw, 'a URL');
  let url: URL;
  try {
    url = baseUrl === undefined ? new URL(raw) : new URL(raw, baseUrl);
  } catch {
    return fail(fieldName, raw, 'an absolute URL', baseUrl === undefined ? 'relative URLs need a base' : undefined);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return fail(fieldName, raw, 'an http(s) URL');
  return { ok: true, value: url.href };
}
