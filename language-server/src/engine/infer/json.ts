/**
 * Inference for JSON API responses: where the records are (the largest array of objects), which
 * fields they have, and how the API paginates.
 */
import type { ApiDraft, DraftField, DraftPagination } from './draft';
import { guessType } from './draft';
import { NameAllocator, snakeCase } from './text';

/** How deep the search for the records array goes (`$.a.b.c.d.e.f[*]`). */
const MAX_SEARCH_DEPTH = 6;
/** How many nodes the breadth-first search visits at most, whatever the body's size. */
const MAX_SEARCH_NODES = 20_000;
/** Records read to find the union of keys. */
const ITEMS_SCANNED = 50;
/** Nested objects are flattened this many keys deep (`$.author.address.city`). */
const MAX_FIELD_DEPTH = 3;
const MAX_FIELDS = 60;
const SAMPLES = 5;

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function isObject(v: unknown): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A lone surrogate cannot be written in an RFC 9535 string literal at all; such keys are skipped. */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function isScalar(v: unknown): v is null | boolean | number | string {
  return v === null || typeof v === 'boolean' || typeof v === 'number' || typeof v === 'string';
}

/** RFC 9535 member-name-shorthand, kept to ASCII so the path reads the same everywhere. */
const SHORTHAND = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** A name selector: `.name` when the shorthand allows it, else `['…']` with RFC 9535 escapes. */
export function memberSelector(name: string): string {
  if (SHORTHAND.test(name)) return `.${name}`;
  let out = '';
  const chars = Array.from(name);
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i];
    const code = ch.codePointAt(0) ?? 0;
    if (ch === '\\') out += '\\\\';
    else if (ch === "'") out += "\\'";
    else if (ch === '\b') out += '\\b';
    else if (ch === '\f') out += '\\f';
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (code < 0x20) out += `\\u${code.toString(16).padStart(4, '0')}`;
    // `${` would read as an environment reference to the spec checker; `\u0024` is the same `$`.
    else if (ch === '$' && chars[i + 1] === '{') out += '\\u0024';
    else out += ch;
  }
  return `['${out}']`;
}

/** `$` followed by the member selectors of `segments`. */
export function jsonPathOf(segments: readonly string[]): string {
  return `$${segments.map(memberSelector).join('')}`;
}

interface ArrayCandidate {
  segments: string[];
  objects: Record<string, Json>[];
}

/**
 * Breadth-first search for the largest array of objects. Arrays are not searched inside: the
 * records are the outermost list, and lists inside records are fields. Ties go to the shallower
 * array, which the breadth-first order meets first.
 */
function findRecordsArray(root: Json): ArrayCandidate | undefined {
  let best: ArrayCandidate | undefined;
  const queue: { value: Json; segments: string[] }[] = [{ value: root, segments: [] }];
  let visited = 0;
  for (let head = 0; head < queue.length && visited < MAX_SEARCH_NODES; head++) {
    const { value, segments } = queue[head];
    visited++;
    if (Array.isArray(value)) {
      const objects = value.filter(isObject);
      // Mostly objects: an array mixing a few objects into scalars is not a record list.
      if (objects.length > 0 && objects.length * 2 >= value.length && (best === undefined || objects.length > best.objects.length)) {
        best = { segments, objects };
      }
    } else if (isObject(value) && segments.length < MAX_SEARCH_DEPTH) {
      for (const [key, child] of Object.entries(value)) {
        if (typeof child === 'object' && child !== null && !LONE_SURROGATE.test(key)) queue.push({ value: child, segments: [...segments, key] });
      }
    }
  }
  return best;
}

interface FieldAcc {
  segments: string[];
  /** The value is a list of scalars, read with `[*]` and `all: true`. */
  list: boolean;
  /** Per scanned record: the value, or undefined when the record lacks it. */
  values: unknown[];
}

function collectFields(items: readonly Record<string, Json>[], notes: string[]): FieldAcc[] {
  const fields = new Map<string, FieldAcc>();
  const skippedLists = new Set<string>();
  const scanned = items.slice(0, ITEMS_SCANNED);
  const visit = (value: Record<string, Json>, segments: string[], index: number): void => {
    for (const [key, child] of Object.entries(value)) {
      if (LONE_SURROGATE.test(key)) continue;
      const path = [...segments, key];
      if (isScalar(child) || (Array.isArray(child) && child.every(isScalar))) {
        const list = Array.isArray(child);
        const id = `${list ? 'L' : 'S'}${JSON.stringify(path)}`;
        let acc = fields.get(id);
        if (acc === undefined) {
          if (fields.size >= MAX_FIELDS) continue;
          acc = { segments: path, list, values: new Array<unknown>(scanned.length).fill(undefined) };
          fields.set(id, acc);
        }
        acc.values[index] = child;
      } else if (isObject(child) && path.length < MAX_FIELD_DEPTH) {
        visit(child, path, index);
      } else {
        skippedLists.add(jsonPathOf(path));
      }
    }
  };
  scanned.forEach((item, index) => visit(item, [], index));
  if (fields.size >= MAX_FIELDS) notes.push(`Only the first ${MAX_FIELDS} fields were proposed; add the others by hand.`);
  for (const path of [...skippedLists].slice(0, 5)) {
    notes.push(`\`${path}\` holds nested lists or objects; it was left out (add a field with \`all: true\` by hand if you need it).`);
  }
  return [...fields.values()];
}

function sampleOf(value: unknown): string {
  if (Array.isArray(value)) return value.map((v) => String(v)).join(', ');
  return String(value);
}

function draftFields(accs: FieldAcc[]): DraftField[] {
  const names = new NameAllocator();
  return accs.map((acc) => {
    const present = acc.values.filter((v) => v !== undefined);
    const type = guessType(acc.list ? present.flatMap((v) => v as unknown[]) : present);
    const locator = `${jsonPathOf(acc.segments)}${acc.list ? '[*]' : ''}`;
    const missing = acc.values.length - present.length;
    const field: DraftField = {
      name: names.take(snakeCase(acc.segments.join('_'))),
      locator,
      sample: present.filter((v) => v !== null).slice(0, SAMPLES).map(sampleOf),
      type,
    };
    if (acc.list) field.all = true;
    if (missing > 0) field.comment = `missing in ${missing} of ${acc.values.length} records`;
    return field;
  });
}

// ---------------------------------------------------------------------------------------------
// Pagination

const NEXT_KEYS = ['next', 'next_url', 'nextUrl', 'next_page_url', 'nextPageUrl', 'next_link', 'nextLink', 'next_href'];
const CURSOR_KEYS = ['next_cursor', 'nextCursor', 'next_page_token', 'nextPageToken', 'cursor', 'next_token', 'nextToken'];
const CONTAINERS = ['', 'links', '_links', 'paging', 'pagination', 'meta', 'response_metadata', 'page_info', 'pageInfo'];
const PAGE_KEYS = ['page', 'current_page', 'currentPage', 'page_number', 'pageNumber'];
const SIZE_KEYS = ['per_page', 'perPage', 'page_size', 'pageSize', 'limit', 'size'];
const OFFSET_KEYS = ['offset', 'skip'];
const OFFSET_SIZE_KEYS = ['limit', 'count', 'size', 'per_page', 'page_size'];
const HAS_MORE_KEYS = ['has_more', 'hasMore', 'has_next', 'hasNext', 'has_next_page', 'hasNextPage'];

/** Finds the first `keys` entry present in the top level or one of the usual containers. */
function findKey(root: Json, keys: readonly string[], accept: (v: Json) => boolean): { segments: string[]; value: Json } | undefined {
  if (!isObject(root)) return undefined;
  for (const container of CONTAINERS) {
    const holder = container === '' ? root : root[container];
    if (!isObject(holder)) continue;
    for (const key of keys) {
      if (Object.prototype.hasOwnProperty.call(holder, key) && accept(holder[key])) {
        return { segments: container === '' ? [key] : [container, key], value: holder[key] };
      }
    }
  }
  return undefined;
}

const looksLikeLink = (v: Json): boolean => v === null || (typeof v === 'string' && /^(https?:\/\/|\/|\?)/i.test(v)) || (isObject(v) && typeof v.href === 'string');

function numberParam(url: URL | undefined, names: readonly string[]): { name: string; value: number } | undefined {
  if (url === undefined) return undefined;
  for (const name of names) {
    const raw = url.searchParams.get(name);
    if (raw !== null && /^\d+$/.test(raw)) return { name, value: Number(raw) };
  }
  return undefined;
}

function numberKey(root: Json, keys: readonly string[]): { name: string; value: number } | undefined {
  const found = findKey(root, keys, (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0);
  return found ? { name: found.segments[found.segments.length - 1], value: found.value as number } : undefined;
}

const MAX_PAGES = 10;

/**
 * Guesses how the API paginates from the response body and the request URL. Explicit signals
 * (a next link, a cursor) beat counters, and counters in the URL beat counters in the body,
 * because the URL shows which query parameter the API reads.
 */
export function guessPagination(root: Json, urlText: string, recordCount: number, notes: string[]): DraftPagination {
  let url: URL | undefined;
  try {
    url = new URL(urlText);
  } catch {
    url = undefined;
  }
  const stop: Record<string, unknown> = { max_pages: MAX_PAGES };
  const hasMore = findKey(root, HAS_MORE_KEYS, (v) => typeof v === 'boolean');
  if (hasMore) stop.while = jsonPathOf(hasMore.segments);

  const next = findKey(root, NEXT_KEYS, looksLikeLink);
  if (next) {
    const path = isObject(next.value) ? [...next.segments, 'href'] : next.segments;
    const nextPath = jsonPathOf(path);
    const last = next.value === null ? ' It is null in this response, as on a last page.' : '';
    return {
      value: { type: 'next_url', next_path: nextPath, stop },
      comment: `The response links to the next page at ${nextPath}; paging stops when it is null or missing.${last}`,
      removeParams: [],
    };
  }

  const cursor = findKey(root, CURSOR_KEYS, (v) => v === null || typeof v === 'string' || typeof v === 'number');
  if (cursor) {
    const key = cursor.segments[cursor.segments.length - 1];
    const inUrl = url ? ['cursor', 'page_token', 'pageToken', 'after', 'next_token', 'token'].find((p) => url.searchParams.has(p)) : undefined;
    const param = inUrl ?? (/token/i.test(key) ? (key.includes('_') ? 'page_token' : 'pageToken') : 'cursor');
    const cursorPath = jsonPathOf(cursor.segments);
    if (inUrl === undefined) notes.push(`Cursor pagination: the query parameter name \`${param}\` is a guess; check the API documentation.`);
    return {
      value: { type: 'cursor', param, cursor_path: cursorPath, stop },
      comment:
        inUrl === undefined
          ? `The response carries a cursor at ${cursorPath}. UNSURE: the API may expect it in a parameter other than \`${param}\`; check its documentation.`
          : `The response carries a cursor at ${cursorPath}, sent back as \`${param}\`.`,
      removeParams: inUrl !== undefined ? [inUrl] : [],
    };
  }

  const urlOffset = numberParam(url, OFFSET_KEYS);
  const urlPage = numberParam(url, ['page', 'p', 'page_number', 'pageNumber']);
  const bodyOffset = numberKey(root, OFFSET_KEYS);
  const bodyPage = numberKey(root, PAGE_KEYS);

  if (urlOffset || (!urlPage && bodyOffset)) {
    const param = urlOffset?.name ?? 'offset';
    const size = numberParam(url, OFFSET_SIZE_KEYS) ?? numberKey(root, OFFSET_SIZE_KEYS);
    const value: Record<string, unknown> = { type: 'offset', param, start: 0, size_param: size?.name ?? 'limit', size: size?.value && size.value > 0 ? size.value : Math.max(recordCount, 1) };
    const unsure = urlOffset === undefined || size === undefined;
    if (unsure) notes.push('Offset pagination was guessed from the response body; check the parameter names against the API documentation.');
    return {
      value: { ...value, stop },
      comment: unsure
        ? 'UNSURE: offset pagination guessed from the response body; check `param` and `size_param`.'
        : `Offset pagination, as in the request URL (\`${param}\`, \`${String(value.size_param)}\`).`,
      removeParams: [param, String(value.size_param)],
    };
  }

  if (urlPage || bodyPage) {
    const param = urlPage?.name ?? 'page';
    const size = numberParam(url, SIZE_KEYS) ?? numberKey(root, SIZE_KEYS);
    const value: Record<string, unknown> = { type: 'page', param, start: urlPage?.value === 0 ? 0 : 1 };
    if (size) {
      value.size_param = size.name;
      value.size = size.value;
    }
    const unsure = urlPage === undefined;
    if (unsure) notes.push('Page-number pagination was guessed from the response body; check the parameter name against the API documentation.');
    return {
      value: { ...value, stop: { when_empty: true, ...stop } },
      comment: unsure
        ? `UNSURE: the response has a page number, so page pagination is guessed; check that the API reads \`${param}\`.`
        : `Page-number pagination, as in the request URL (\`${param}\`${size ? `, \`${size.name}\`` : ''}); paging stops at an empty page.`,
      removeParams: size ? [param, size.name] : [param],
    };
  }

  notes.push('No pagination was found in the response. If the API sends a `Link: <…>; rel="next"` header, use `type: link_header`.');
  return {
    value: { type: 'none' },
    comment: 'No pagination found in the body or the URL. If the API sends `Link: <…>; rel="next"` headers, write `type: link_header`.',
    removeParams: [],
  };
}

/** Removes the query parameters pagination sets itself, so the first request starts at the start. */
function stripParams(urlText: string, params: readonly string[]): string {
  if (params.length === 0) return urlText;
  try {
    const url = new URL(urlText);
    for (const p of params) url.searchParams.delete(p);
    return url.toString();
  } catch {
    return urlText;
  }
}

/** Proposes an API source from a parsed JSON body. */
export function inferJson(root: unknown, url: string, notes: string[]): ApiDraft {
  const value = root as Json;
  const found = findRecordsArray(value);
  let recordPath: string;
  let items: Record<string, Json>[];
  let confidence: number;
  if (found) {
    recordPath = `${jsonPathOf(found.segments)}[*]`;
    items = found.objects;
    confidence = items.length >= 3 ? 0.9 : items.length === 2 ? 0.7 : 0.5;
  } else if (isObject(value)) {
    // No list of objects: the whole response is one record.
    recordPath = '$';
    items = [value];
    confidence = 0.3;
    notes.push('No array of objects was found; the whole response is proposed as a single record.');
  } else {
    recordPath = Array.isArray(value) ? '$[*]' : '$';
    items = [];
    confidence = 0.1;
    notes.push('The response holds no objects to read fields from; write the fields by hand.');
  }
  const accs = collectFields(items, notes);
  const fields = draftFields(accs);
  if (fields.length === 0) confidence = Math.min(confidence, 0.2);
  const pagination = guessPagination(value, url, items.length, notes);
  return {
    kind: 'api',
    requestUrl: stripParams(url, pagination.removeParams),
    recordPath,
    recordCount: items.length,
    fields,
    pagination,
    confidence,
    notes,
  };
}
