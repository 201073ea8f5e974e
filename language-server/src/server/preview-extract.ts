/**
 * The pure half of the source preview: records, match counts and marked ranges from a response
 * already in memory, and the pruned JSON tree. No IO and no clock, so each edit of the spec can
 * call these on the cached response and unit tests can call them on strings.
 *
 * Records come from the engine's own extractors (the same code a run uses). The marked ranges
 * are computed here, on a second parse of (a prefix of) the page made with htmlparser2's start
 * and end indices: the engine's extractor does not keep positions, and the page source the
 * webview shows is itself only a prefix.
 */
import { selectAll } from 'css-select';
import type { AnyNode, Document, Element, ParentNode } from 'domhandler';
import { parseDocument } from 'htmlparser2';
import {
  applyDerived,
  compileHtmlExtractor,
  compileJsonExtractor,
  validateRecord,
  type ApiSource,
  type CollectionSpec,
  type ExtractedRecord,
  type FollowRule,
  type ScrapeSource,
  type SourceSpec,
} from '../engine/index';
import type { JsonPreviewNode, PreviewField, PreviewMarks, PreviewRecord } from '../protocol/preview';

/** Most records sent to the client; `recordCount` tells how many there were. */
export const MAX_PREVIEW_RECORDS = 200;
/** Most marked ranges per field. */
export const MAX_MARKS_PER_FIELD = 2000;
/** The pseudo-field under which the record elements themselves are marked. */
export const RECORDS_MARK = '(records)';

/** What an extraction yields, before the caller adds the version and the timing. */
export interface ExtractionCore {
  records: PreviewRecord[];
  recordCount: number;
  fields: PreviewField[];
  warnings: string[];
}

/** Records after the spec's derived fields and validation rules, as a run would see them. */
function finishRecords(extracted: ExtractedRecord[], spec: CollectionSpec): PreviewRecord[] {
  return extracted.slice(0, MAX_PREVIEW_RECORDS).map((record) => {
    const derived = applyDerived(record.values, spec.records.derived);
    const validated = validateRecord(derived, spec.records);
    const errors = [...record.errors, ...(validated.ok ? [] : validated.errors)].map((e) => ({ field: e.field, reason: e.reason }));
    return { values: validated.record, errors };
  });
}

function fieldCounts(names: string[], matchCounts: Record<string, number>, total: number): PreviewField[] {
  return names.map((name) => ({ name, matches: matchCounts[name] ?? 0, total }));
}

/** Records and match counts of a scrape source on one page's HTML. Never throws. */
export function extractScrape(source: ScrapeSource, spec: CollectionSpec, html: string, pageUrl: string): ExtractionCore {
  const extraction = compileHtmlExtractor(source).extract(html, pageUrl);
  const names = (source.records?.fields ?? []).map((f) => f.name);
  const warnings = [...extraction.warnings];
  if (!source.records) warnings.push('This source has no `records`: it only follows links, so it yields no records of its own.');
  return {
    records: finishRecords(extraction.records, spec),
    recordCount: extraction.recordCount,
    fields: fieldCounts(names, extraction.matchCounts, extraction.recordCount),
    warnings,
  };
}

/** Records and match counts of an API source on one parsed JSON response. Never throws. */
export function extractApi(source: ApiSource, spec: CollectionSpec, json: unknown, responseUrl: string): ExtractionCore {
  const extraction = compileJsonExtractor(source).extract(json, responseUrl);
  return {
    records: finishRecords(extraction.records, spec),
    recordCount: extraction.recordCount,
    fields: fieldCounts(source.records.fields.map((f) => f.name), extraction.matchCounts, extraction.recordCount),
    warnings: [...extraction.warnings],
  };
}

/** A page prefix parsed with positions, kept with the cached response so edits do not re-parse it. */
export interface IndexedPage {
  document: Document;
  /** The text the indices refer to. */
  text: string;
}

/** Parses `text` keeping each element's start and end offsets. */
export function indexPage(text: string): IndexedPage {
  return { document: parseDocument(text, { withStartIndices: true, withEndIndices: true, decodeEntities: true }), text };
}

/** css-select matches for `selector` among the descendants of `roots`, or undefined when it is invalid. */
function select(selector: string, roots: AnyNode[]): Element[] | undefined {
  try {
    return selectAll(selector, roots);
  } catch {
    // The extractor reports invalid selectors as warnings; here they simply mark nothing.
    return undefined;
  }
}

function rangeOf(element: Element, length: number): [number, number] | undefined {
  const start = element.startIndex;
  if (start === null || start >= length) return undefined;
  const end = element.endIndex === null ? start + 1 : element.endIndex + 1;
  return [start, Math.min(Math.max(end, start + 1), length)];
}

/**
 * The ranges of the elements each field of `source` reads on `page`: within every record
 * element, the matches of the first selector (of `selector` and its fallbacks) that matches
 * anything, all of them when the field takes `all`, else the first. Record elements are detached
 * while their fields are searched, as the engine's extractor does, so a selector never matches
 * through an ancestor outside the record.
 */
export function markRanges(source: ScrapeSource, page: IndexedPage): PreviewMarks {
  const marks: PreviewMarks = {};
  const spec = source.records;
  if (!spec) return marks;
  const length = page.text.length;
  const push = (name: string, element: Element): void => {
    const list = (marks[name] ??= []);
    if (list.length >= MAX_MARKS_PER_FIELD) return;
    const range = rangeOf(element, length);
    if (range) list.push(range);
  };
  let records: ParentNode[];
  if (spec.selector === undefined) records = [page.document];
  else records = select(spec.selector, page.document.children) ?? [];
  marks[RECORDS_MARK] = [];
  for (const field of spec.fields) marks[field.name] = [];
  for (const record of records) {
    if (record.type !== 'root') push(RECORDS_MARK, record as Element);
    const parent = record.parent;
    record.parent = null;
    try {
      for (const field of spec.fields) {
        const selectors = [...(field.selector !== undefined ? [field.selector] : []), ...field.fallback];
        if (selectors.length === 0) {
          if (record.type !== 'root') push(field.name, record as Element);
          continue;
        }
        for (const selector of selectors) {
          const found = select(selector, record.children) ?? [];
          if (found.length === 0) continue;
          for (const element of field.all ? found : found.slice(0, 1)) push(field.name, element);
          break;
        }
      }
    } finally {
      record.parent = parent;
    }
  }
  return marks;
}

/** Limits of {@link pruneJson}. */
export interface JsonBudget {
  /** Most nodes in the whole tree. */
  nodes: number;
  /** Most children kept per array or object. */
  children: number;
  /** Deepest level kept. */
  depth: number;
  /** Longest string kept, in characters. */
  stringChars: number;
}

/** The default budget: enough to browse a page of an API, small enough to post in milliseconds. */
export const DEFAULT_JSON_BUDGET: JsonBudget = { nodes: 5000, children: 200, depth: 32, stringChars: 2000 };

/**
 * `value` as a tree the webview can render lazily, pruned to `budget`: arrays and objects keep
 * their first children (`total` says how many there were), strings are cut, and what lies below
 * the depth or beyond the node budget becomes `{ t: 'cut' }`. The depth limit also bounds the
 * recursion, so a deeply nested document cannot overflow the stack.
 */
export function pruneJson(value: unknown, budget: JsonBudget = DEFAULT_JSON_BUDGET): JsonPreviewNode {
  let used = 0;
  const visit = (v: unknown, depth: number): JsonPreviewNode => {
    used++;
    if (v === null || typeof v === 'number' || typeof v === 'boolean') return { t: 'value', v };
    if (typeof v === 'string') return v.length > budget.stringChars ? { t: 'value', v: v.slice(0, budget.stringChars), truncated: true } : { t: 'value', v };
    if (typeof v !== 'object') return { t: 'value', v: String(v) };
    if (depth >= budget.depth) return { t: 'cut' };
    if (Array.isArray(v)) {
      const items: JsonPreviewNode[] = [];
      for (const item of v) {
        if (items.length >= budget.children || used >= budget.nodes) break;
        items.push(visit(item, depth + 1));
      }
      return { t: 'array', items, total: v.length };
    }
    const keys = Object.keys(v);
    const entries: [string, JsonPreviewNode][] = [];
    for (const key of keys) {
      if (entries.length >= budget.children || used >= budget.nodes) break;
      entries.push([key, visit((v as Record<string, unknown>)[key], depth + 1)]);
    }
    return { t: 'object', entries, total: keys.length };
  };
  // Recursion depth is bounded by budget.depth (32), far below the stack limit.
  return visit(value, 0);
}

/** Most follow rules between a start URL and the previewed source (listing → detail is one). */
export const MAX_FOLLOW_HOPS = 3;

/** One step of a {@link PreviewRoute}: on a page of `from`, follow rule `rule` leads to `to`. */
export interface RouteHop {
  from: ScrapeSource;
  rule: FollowRule;
  /** The rule's index in `from.follow`, for messages. */
  ruleIndex: number;
  to: ScrapeSource;
}

/**
 * How a preview reaches a page of a source that has no URL of its own, the way a run would: fetch
 * `start`'s first start URL, then follow `hops` in order (the last one lands on the source).
 */
export interface PreviewRoute {
  start: ScrapeSource;
  startUrl: string;
  hops: RouteHop[];
  /** Identifies the route in the cache; changes when a URL, selector or scope on the way does. */
  key: string;
}

/** A source's own first URL as written in the spec (templates unresolved), or undefined. */
export function ownPreviewUrl(source: SourceSpec): string | undefined {
  const url = source.kind === 'scrape' ? source.startUrls[0] : source.request.url;
  return url !== undefined && url.trim() !== '' ? url : undefined;
}

function routeKey(startUrl: string, hops: RouteHop[]): string {
  if (hops.length === 0) return startUrl;
  return JSON.stringify([startUrl, ...hops.map((h) => [h.from.id, h.ruleIndex, h.rule.selector, h.rule.allow, h.rule.deny, h.to.id])]);
}

/**
 * The shortest way from a start URL to a page of `target` along the spec's follow rules: a
 * breadth-first search from the scrape sources with a start URL (in spec order, rules in order),
 * at most {@link MAX_FOLLOW_HOPS} rules deep, honouring each rule's `max_depth` as the run's
 * frontier would. A source with a URL of its own is its own route (no hops). Undefined when no
 * source leads to `target`. API sources never follow links, so they only start routes of their own.
 */
export function findPreviewRoute(spec: CollectionSpec, target: SourceSpec): PreviewRoute | undefined {
  const own = ownPreviewUrl(target);
  if (own !== undefined) return target.kind === 'scrape' ? { start: target, startUrl: own, hops: [], key: own } : undefined;
  if (target.kind !== 'scrape') return undefined;
  const byId = new Map(spec.sources.map((s) => [s.id, s]));
  interface Node {
    source: ScrapeSource;
    start: ScrapeSource;
    startUrl: string;
    hops: RouteHop[];
  }
  let level: Node[] = [];
  const seen = new Set<string>();
  for (const s of spec.sources) {
    const url = s.kind === 'scrape' ? ownPreviewUrl(s) : undefined;
    if (s.kind !== 'scrape' || url === undefined) continue;
    level.push({ source: s, start: s, startUrl: url, hops: [] });
    seen.add(s.id);
  }
  for (let depth = 1; depth <= MAX_FOLLOW_HOPS && level.length > 0; depth++) {
    const next: Node[] = [];
    for (const node of level) {
      node.source.follow.forEach((rule, ruleIndex) => {
        const to = byId.get(rule.source);
        if (!to || to.kind !== 'scrape' || seen.has(to.id)) return;
        if (rule.maxDepth !== undefined && depth > rule.maxDepth) return;
        next.push({ source: to, start: node.start, startUrl: node.startUrl, hops: [...node.hops, { from: node.source, rule, ruleIndex, to }] });
        seen.add(to.id);
      });
    }
    const found = next.find((n) => n.source.id === target.id);
    if (found) return { start: found.start, startUrl: found.startUrl, hops: found.hops, key: routeKey(found.startUrl, found.hops) };
    level = next;
  }
  return undefined;
}

/** The cache identity of what a preview of `source` fetches: its own URL, or its route's key. */
export function previewRouteKey(spec: CollectionSpec, source: SourceSpec): string | undefined {
  return ownPreviewUrl(source) ?? findPreviewRoute(spec, source)?.key;
}

/**
 * The links on one page of `hop.from` that its follow rule `hop.rule` sends to `hop.to`, in page
 * order: found by the engine's own extractor, so they are resolved against `<base href>`,
 * canonicalised and filtered by the rule's allow/deny scope exactly as in a run.
 */
export function followLinks(hop: RouteHop, html: string, pageUrl: string): string[] {
  const extraction = compileHtmlExtractor({ ...hop.from, records: undefined, follow: [hop.rule] }).extract(html, pageUrl);
  const urls: string[] = [];
  for (const link of extraction.links) if (link.rule === hop.rule && link.source === hop.to.id && !urls.includes(link.url)) urls.push(link.url);
  return urls;
}
