/**
 * API pagination as a pure step function: given the page just fetched, what to fetch next, or
 * why to stop. Every style runs until exhausted, bounded by the spec's stop conditions, and a
 * cursor or next link that repeats stops the source (a server bug that would otherwise loop).
 */
import { query } from 'jsonpath-rfc9535';
import type { PaginationSpec, StopConditions } from '../spec/model';

/** Where an API source is in its pagination. JSON-safe: it lives in the checkpoint. */
export interface PageState {
  /** Pages of this source fetched before this one. */
  index: number;
  page?: number;
  offset?: number;
  cursor?: string;
  /** An absolute URL given by the previous response (Link header or next URL). */
  url?: string;
  /** Cursors / next URLs already followed, to stop a loop. */
  seen: string[];
}

/** What the previous response said. */
export interface PageResult {
  json: unknown;
  headers: Record<string, string>;
  recordCount: number;
  /** The URL that was fetched (to resolve a relative next link). */
  url: string;
}

/** Fetch `next`, or stop (`reason` says why; `warning` when the stop is suspicious). */
export type PageStep = { next: PageState } | { stop: string; warning?: string };

/** The first page's state. */
export function firstPage(p: PaginationSpec): PageState {
  switch (p.type) {
    case 'page':
      return { index: 0, page: p.start, seen: [] };
    case 'offset':
      return { index: 0, offset: p.start, seen: [] };
    default:
      return { index: 0, seen: [] };
  }
}

/** Query parameters the pagination adds to the request for `state`. */
export function paginationParams(p: PaginationSpec, state: PageState): Record<string, string> {
  switch (p.type) {
    case 'page':
      return { [p.param]: String(state.page ?? p.start), ...(p.sizeParam && p.size !== undefined ? { [p.sizeParam]: String(p.size) } : {}) };
    case 'offset':
      return { [p.param]: String(state.offset ?? p.start), ...(p.sizeParam ? { [p.sizeParam]: String(p.size) } : {}) };
    case 'cursor':
      return state.cursor !== undefined ? { [p.param]: state.cursor } : {};
    default:
      return {};
  }
}

/** The first value at a JSONPath, or undefined (also for an invalid path). */
export function firstAt(json: unknown, path: string): unknown {
  try {
    const values = query(json as Parameters<typeof query>[0], path);
    return values.length > 0 ? values[0] : undefined;
  } catch {
    return undefined;
  }
}

/** The `rel="next"` target of an RFC 8288 Link header, if any. */
export function linkHeaderNext(header: string | undefined): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /^\s*<([^>]*)>(.*)$/.exec(part);
    if (!m) continue;
    const rel = /;\s*rel\s*=\s*"?([^";]+)"?/i.exec(m[2]);
    if (rel && rel[1].toLowerCase().split(/\s+/).includes('next')) return m[1];
  }
  return undefined;
}

function generalStop(stop: StopConditions, state: PageState, result: PageResult): string | undefined {
  if (stop.whenEmpty && result.recordCount === 0) return 'empty-page';
  if (stop.maxPages !== undefined && state.index + 1 >= stop.maxPages) return 'max-pages';
  if (stop.whilePath !== undefined) {
    const v = firstAt(result.json, stop.whilePath);
    if (v === undefined || v === null || v === false) return 'while-path-false';
  }
  return undefined;
}

/** Decides what follows the page fetched in `state`. */
export function nextPage(p: PaginationSpec, state: PageState, result: PageResult): PageStep {
  if (p.type === 'none') return { stop: 'single-request' };
  const general = generalStop(p.stop, state, result);
  if (general) return { stop: general };
  const base = { index: state.index + 1 };
  switch (p.type) {
    case 'page':
      return { next: { ...base, page: (state.page ?? p.start) + 1, seen: [] } };
    case 'offset':
      return { next: { ...base, offset: (state.offset ?? p.start) + p.size, seen: [] } };
    case 'cursor': {
      const value = firstAt(result.json, p.cursorPath);
      if (value === undefined || value === null || value === '' || value === false) return { stop: 'no-cursor' };
      const cursor = typeof value === 'string' ? value : JSON.stringify(value);
      if (state.seen.includes(cursor) || cursor === state.cursor) return { stop: 'repeated-cursor', warning: `the API returned cursor ${cursor} again; stopping to avoid a loop` };
      return { next: { ...base, cursor, seen: [...state.seen, cursor].slice(-1000) } };
    }
    case 'link_header':
    case 'next_url': {
      const raw = p.type === 'link_header' ? linkHeaderNext(result.headers.link) : firstAt(result.json, p.nextPath);
      if (typeof raw !== 'string' || raw.length === 0) return { stop: 'no-next-link' };
      let url: string;
      try {
        url = new URL(raw, result.url).toString();
      } catch {
        return { stop: 'invalid-next-link', warning: `the next link ${raw} is not a valid URL` };
      }
      if (state.seen.includes(url) || url === result.url) return { stop: 'repeated-next-link', warning: `the API pointed to ${url} again; stopping to avoid a loop` };
      return { next: { ...base, url, seen: [...state.seen, result.url, url].slice(-1000) } };
    }
  }
}
