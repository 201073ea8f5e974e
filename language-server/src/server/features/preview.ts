/**
 * Source preview: `gleaner/preview` fetches a source's first URL once (preview-fetch.ts) and
 * answers with the response and its records; `gleaner/previewUpdated` re-extracts from the cached
 * response after every edit of the spec. An edit never causes a request: only `refresh` (or a
 * source not fetched before) does.
 *
 * A scrape source without start URLs gets its pages from another source's follow rule (listing
 * → detail pages). Its preview takes the route a run would (preview-extract.ts finds it): the
 * referring source's start page — from the cache when that source was previewed, else fetched
 * and cached — then the rule's first in-scope link to this source, the next one if robots.txt or
 * the server refuses it. Every request goes through the same polite, gated fetcher.
 *
 * Secrets: whatever is decoded from a body (page text, JSON) passes through the engine's output
 * redactor, fed with every secret the previews resolved, before anything is extracted or cached
 * for the client, so a key an API or page echoes never reaches the webview; URLs and headers are
 * redacted by the fetcher. Links are found on the raw body, since a followed link may need the
 * very key its page passed on.
 *
 * The update path listens to `documents.onDidChangeContent` itself with its own short debounce
 * (50 ms, below validation's 150 ms) instead of waiting for validation, because a preview should
 * follow typing within about 150 ms; the parse comes from the shared SpecCache, so a version is
 * still parsed once however many features ask.
 */
import { performance } from 'node:perf_hooks';
import type { Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { decodeBody, type CollectionSpec, type Redactor, type SourceSpec } from '../../engine/index';
import { editorFetchPorts } from './fetch-ports';
import { preview, previewUpdated, type PreviewExtraction, type PreviewHop, type PreviewParams, type PreviewResult, type PreviewState, type PreviewVia } from '../../protocol/preview';
import { combine, type Disposable, type ServerDeps } from '../deps';
import {
  extractApi,
  extractScrape,
  findPreviewRoute,
  followLinks,
  indexPage,
  markRanges,
  MAX_FOLLOW_HOPS,
  ownPreviewUrl,
  previewRouteKey,
  pruneJson,
  type ExtractionCore,
  type IndexedPage,
  type PreviewRoute,
} from '../preview-extract';
import { PreviewFetcher, type PreviewResponse } from '../preview-fetch';
import { describeError, engineLogger, runSafe } from '../runner';

/**
 * Body bytes of a page kept for extraction unless the client asks otherwise
 * (`gleaner.preview.maxBytes`, same default). Every edit re-parses what is kept, and htmlparser2
 * parses a few tens of MB a second, so 1 MiB keeps an update of even a huge page near the 150 ms
 * goal; a larger page is cut and the preview says so. JSON is always parsed whole (once).
 */
export const DEFAULT_PREVIEW_MAX_BYTES = 1024 * 1024;
/** The page source shown in the webview is at most this many characters (with its marks). */
export const SOURCE_TEXT_CHARS = 200_000;
/** Delay between an edit and the re-extraction, coalescing a burst of keystrokes. */
export const UPDATE_DELAY_MS = 50;
/** Most cached responses kept; the least recently used is dropped first. */
const MAX_CACHED = 16;
/**
 * Links of one follow rule tried before a followed preview gives up: enough to get past a link
 * robots.txt forbids or a dead one, few enough that a page of broken links costs a handful of
 * polite requests rather than a crawl.
 */
export const MAX_LINK_TRIES = 3;

/** A response kept for re-extraction, with what is derived from it once. */
export interface CachedPreview {
  uri: string;
  sourceId: string;
  kind: 'scrape' | 'api';
  response: PreviewResponse;
  /** Scrape: the decoded page, cut at `keptBytes` bytes. */
  html?: string;
  /** API: the parsed body, or undefined with `jsonError`. */
  json?: unknown;
  jsonError?: string;
  keptBytes: number;
  truncated: boolean;
  /** Scrape: the shown prefix of the page, parsed with positions, built on first use. */
  page?: IndexedPage;
  /** How the page was found, for a source with no URL of its own. */
  via?: PreviewVia;
}

/** What {@link cacheResponse} needs of the engine's redactor. */
export type TextRedactor = Pick<Redactor, 'redact' | 'redactDeep'>;

/**
 * Decodes, redacts and, for HTML, cuts the body: everything later edits need without touching
 * the bytes again. With `redactor`, every secret it knows is replaced in the page text (before
 * records, marks and the source view are derived from it) or in every string of the parsed JSON
 * (after parsing, so a replacement can never break the JSON syntax).
 */
export function cacheResponse(uri: string, source: SourceSpec, response: PreviewResponse, maxBytes: number, redactor?: TextRedactor): CachedPreview {
  const total = response.body.byteLength;
  if (source.kind === 'api') {
    // JSON cannot be read from a prefix; the body is already bounded by the spec's max_response_size.
    const text = decodeBody(response.body, response.contentType, 'json').text;
    const entry: CachedPreview = { uri, sourceId: source.id, kind: 'api', response, keptBytes: total, truncated: false };
    try {
      const parsed = JSON.parse(text) as unknown;
      entry.json = redactor ? redactor.redactDeep(parsed) : parsed;
    } catch (error) {
      // V8's message quotes the start of the text, which may hold the secret.
      const message = `The response is not JSON (${error instanceof Error ? error.message : String(error)}).`;
      entry.jsonError = redactor ? redactor.redact(message) : message;
    }
    return entry;
  }
  const kept = Math.min(total, maxBytes);
  const decoded = decodeBody(response.body.subarray(0, kept), response.contentType, 'html').text;
  const html = redactor ? redactor.redact(decoded) : decoded;
  return { uri, sourceId: source.id, kind: 'scrape', response, html, keptBytes: kept, truncated: kept < total };
}

/** Re-extracts `entry` with `source` as the spec now has it. */
export function extractCached(entry: CachedPreview, spec: CollectionSpec, source: SourceSpec, version: number): PreviewExtraction {
  const started = performance.now();
  let core: ExtractionCore;
  let marks: PreviewExtraction['marks'];
  if (source.kind === 'api') {
    if (entry.kind !== 'api' || entry.jsonError !== undefined) {
      core = { records: [], recordCount: 0, fields: source.records.fields.map((f) => ({ name: f.name, matches: 0, total: 0 })), warnings: [entry.jsonError ?? 'The cached response is a web page; refresh the preview.'] };
    } else {
      core = extractApi(source, spec, entry.json, entry.response.finalUrl);
    }
  } else if (entry.kind !== 'scrape' || entry.html === undefined) {
    core = { records: [], recordCount: 0, fields: [], warnings: ['The cached response is JSON; refresh the preview.'] };
  } else {
    core = extractScrape(source, spec, entry.html, entry.response.finalUrl);
    entry.page ??= indexPage(entry.html.slice(0, SOURCE_TEXT_CHARS));
    marks = markRanges(source, entry.page);
  }
  // A source reached through follow rules is keyed by its route: editing a selector or scope on
  // the way changes which page a refresh would fetch.
  const urlChanged = previewRouteKey(spec, source) !== entry.response.specUrl;
  return { version, ...core, ...(marks ? { marks } : {}), extractMs: Math.round((performance.now() - started) * 10) / 10, ...(urlChanged ? { urlChanged } : {}) };
}

/** The full answer for a cached response. */
export function resultFor(entry: CachedPreview, spec: CollectionSpec, source: SourceSpec, version: number, cached: boolean): PreviewResult {
  const r = entry.response;
  const extraction = extractCached(entry, spec, source, version);
  const result: PreviewResult = {
    uri: entry.uri,
    sourceId: entry.sourceId,
    kind: source.kind,
    state: 'ok',
    url: r.url,
    finalUrl: r.finalUrl,
    status: r.status,
    headers: r.headers,
    timingMs: r.timingMs,
    fetchedAt: r.fetchedAt,
    bodyBytes: r.body.byteLength,
    truncated: entry.truncated,
    keptBytes: entry.keptBytes,
    contentType: r.contentType,
    cached,
    ...(entry.via ? { via: entry.via } : {}),
    ...extraction,
  };
  if (entry.kind === 'api' && entry.jsonError === undefined) result.jsonPreview = pruneJson(entry.json);
  if (entry.kind === 'scrape' && entry.html !== undefined) {
    result.source = { text: entry.page?.text ?? entry.html.slice(0, SOURCE_TEXT_CHARS), truncated: entry.html.length > SOURCE_TEXT_CHARS || entry.truncated, totalChars: entry.html.length };
  }
  return result;
}

/** The sentence that says which page a followed preview shows and how it was found. */
export function viaSummary(sourceId: string, via: PreviewVia): string {
  const steps = via.hops.map((hop, i) => {
    const which = hop.linkIndex === 0 ? `the first of ${hop.linksFound} link${hop.linksFound === 1 ? '' : 's'}` : `link ${hop.linkIndex + 1} of ${hop.linksFound} (the ones before it could not be previewed)`;
    const where = i === 0 ? `its start page ${hop.pageUrl}` : hop.pageUrl;
    return `${hop.linkUrl}, ${which} that follow rule \`${hop.selector}\` of ${hop.fromSourceId} finds on ${where}`;
  });
  return `${sourceId} has no URL of its own, so the preview follows links as a run would: it shows ${steps.reverse().join(', reached through ')}.`;
}

function emptyResult(params: PreviewParams, state: PreviewResult['state'], message: string, kind: 'scrape' | 'api' = 'scrape', version = -1): PreviewResult {
  return { uri: params.uri, sourceId: params.sourceId, kind, state, message, version, records: [], recordCount: 0, fields: [], warnings: [], extractMs: 0, cached: false };
}

/** Registers `gleaner/preview` and the `gleaner/previewUpdated` pushes. */
export function register(connection: Connection, deps: ServerDeps): Disposable {
  const fetcher = new PreviewFetcher({
    ...editorFetchPorts(deps),
    env: process.env,
    logger: engineLogger(deps.log),
  });
  /** Cached responses by `uri \n sourceId \n spec URL`, least recently used first. */
  const cache = new Map<string, CachedPreview>();
  /** Fetches in flight by the same key, so two requests for one source share one fetch. */
  const inflight = new Map<string, Promise<PreviewResult>>();
  /** Per document: the sources previewed and the cache key of each one's latest response. */
  const previewed = new Map<string, Map<string, string>>();
  const timers = new Map<string, NodeJS.Timeout>();

  const keyOf = (uri: string, sourceId: string, url: string): string => `${uri}\n${sourceId}\n${url}`;
  /** Caches a response without subscribing its source to update pushes (a page on a route). */
  const store = (key: string, entry: CachedPreview): void => {
    cache.delete(key);
    cache.set(key, entry);
    while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
  };
  /** Caches the response a preview answered with; its source then gets `previewUpdated` pushes. */
  const remember = (key: string, entry: CachedPreview): void => {
    store(key, entry);
    let sources = previewed.get(entry.uri);
    if (!sources) previewed.set(entry.uri, (sources = new Map()));
    sources.set(entry.sourceId, key);
  };

  /** A failed outcome as the answer, with the URL it concerned. */
  const failure = (params: PreviewParams, kind: 'scrape' | 'api', version: number, state: PreviewState, message: string, url?: string, via?: PreviewVia): PreviewResult => {
    const result = emptyResult(params, state, message, kind, version);
    if (url !== undefined) result.url = url;
    if (state === 'skipped') result.skipped = message;
    if (via) result.via = via;
    return result;
  };

  /**
   * The last page of `route` (a page of the previewed source), reached the way a run would: the
   * start page (cached, shared with a preview of the start source), then per hop the first
   * in-scope link its rule finds that can be fetched. Either the response or a failed answer.
   */
  const followRoute = async (params: PreviewParams, spec: CollectionSpec, source: SourceSpec, route: PreviewRoute, maxBytes: number, version: number): Promise<{ response: PreviewResponse; via: PreviewVia } | { failed: PreviewResult }> => {
    const via: PreviewVia = { startSourceId: route.start.id, startUrl: route.startUrl, hops: [], summary: '' };
    const fail = (state: PreviewState, message: string, url?: string): { failed: PreviewResult } => ({ failed: failure(params, source.kind, version, state, message, url, via) });
    const startKey = keyOf(params.uri, route.start.id, route.startUrl);
    let page = params.refresh === true ? undefined : cache.get(startKey);
    if (!page) {
      const outcome = await fetcher.fetchFirst(spec, route.start);
      if (!outcome.ok) {
        const message = outcome.state === 'network-disabled' ? outcome.message : `${source.id} has no URL of its own; to find one, the preview fetches the start page of ${route.start.id}, and that did not work: ${outcome.message}`;
        return fail(outcome.state, message, outcome.url);
      }
      page = cacheResponse(params.uri, route.start, outcome.response, maxBytes, fetcher.redactor);
      store(startKey, page);
    }
    for (const [i, hop] of route.hops.entries()) {
      const last = i === route.hops.length - 1;
      const pageUrl = page.response.finalUrl;
      // The whole raw body, not the redacted prefix the client sees: a link may sit past the cut,
      // and a link that carries a key must keep it to work.
      const html = decodeBody(page.response.body, page.response.contentType, 'html').text;
      const links = followLinks(hop, html, page.response.rawFinalUrl ?? pageUrl);
      const info: PreviewHop = { fromSourceId: hop.from.id, pageUrl, selector: hop.rule.selector, ruleIndex: hop.ruleIndex, toSourceId: hop.to.id, linksFound: links.length, linkUrl: '', linkIndex: -1, passedOver: [] };
      via.hops.push(info);
      if (links.length === 0) {
        return fail('no-url', `${source.id} has no URL of its own, and follow rule ${hop.ruleIndex + 1} of ${hop.from.id} (\`${hop.rule.selector}\`) finds no in-scope link to ${hop.to.id} on ${pageUrl}, so there is no page to preview.`, pageUrl);
      }
      // The polite fetcher answers ok only for a usable page: an HTTP error, a refusal by
      // robots.txt or scope, or a network failure each move on to the next link.
      let found: PreviewResponse | undefined;
      let allSkipped = true;
      for (const [linkIndex, link] of links.slice(0, MAX_LINK_TRIES).entries()) {
        const outcome = await fetcher.fetchLinked(spec, link, last ? route.key : `${route.key}\n${i}`);
        if (outcome.ok) {
          found = outcome.response;
          info.linkIndex = linkIndex;
          break;
        }
        if (outcome.state === 'network-disabled') return fail(outcome.state, outcome.message, outcome.url);
        if (outcome.state !== 'skipped') allSkipped = false;
        info.passedOver.push({ url: outcome.url ?? fetcher.redactor.redact(link), reason: outcome.message });
      }
      if (!found) {
        const tried = info.passedOver.map((p) => `${p.url}: ${p.reason}`).join('; ');
        const message = `${source.id} has no URL of its own, and none of the first ${info.passedOver.length} of ${links.length} links that follow rule \`${hop.rule.selector}\` of ${hop.from.id} finds on ${pageUrl} could be previewed (${tried}).`;
        return fail(allSkipped ? 'skipped' : 'failed', message, info.passedOver[0]?.url);
      }
      info.linkUrl = found.url;
      if (last) {
        via.summary = viaSummary(source.id, via);
        return { response: found, via };
      }
      page = cacheResponse(params.uri, hop.to, found, maxBytes, fetcher.redactor);
    }
    // findPreviewRoute returns routes with at least one hop here; a route of none is the source's own URL.
    return fail('no-url', `${source.id} has no URL to preview.`);
  };

  const handle = async (params: PreviewParams): Promise<PreviewResult> => {
    const document = deps.documents.get(params.uri);
    if (!document) return emptyResult(params, 'not-open', 'The spec is not open in the language server.');
    const parsed = deps.specs.get(document);
    const source = parsed.model.sources.find((s) => s.id === params.sourceId);
    if (!source) return emptyResult(params, 'no-source', `The spec has no source "${params.sourceId}".`, 'scrape', document.version);
    const route = ownPreviewUrl(source) === undefined ? findPreviewRoute(parsed.model, source) : undefined;
    if (source.kind === 'scrape' && ownPreviewUrl(source) === undefined && !route) {
      return emptyResult(
        params,
        'no-url',
        `This source has no start_urls, and no source with start URLs leads to it through follow rules (within ${MAX_FOLLOW_HOPS} rules), so there is no page to preview. Give it a start URL, or a follow rule in another source that names it.`,
        'scrape',
        document.version,
      );
    }
    const key = keyOf(params.uri, source.id, route?.key ?? ownPreviewUrl(source) ?? '');
    const hit = cache.get(key);
    if (hit && params.refresh !== true) {
      remember(key, hit);
      return resultFor(hit, parsed.model, source, document.version, true);
    }
    const running = inflight.get(key);
    if (running) return running;
    const maxBytes = typeof params.maxBytes === 'number' && params.maxBytes >= 1024 ? Math.min(params.maxBytes, 64 * 1024 * 1024) : DEFAULT_PREVIEW_MAX_BYTES;
    const work = (async (): Promise<PreviewResult> => {
      let response: PreviewResponse;
      let via: PreviewVia | undefined;
      if (route) {
        const followed = await followRoute(params, parsed.model, source, route, maxBytes, document.version);
        if ('failed' in followed) return followed.failed;
        ({ response, via } = followed);
      } else {
        const outcome = await fetcher.fetchFirst(parsed.model, source);
        if (!outcome.ok) return failure(params, source.kind, document.version, outcome.state, outcome.message, outcome.url);
        response = outcome.response;
      }
      const entry = cacheResponse(params.uri, source, response, maxBytes, fetcher.redactor);
      if (via) entry.via = via;
      remember(key, entry);
      // The user may have typed while the response was on its way: extract with the latest text.
      const now = deps.documents.get(params.uri) ?? document;
      const latest = deps.specs.get(now);
      const latestSource = latest.model.sources.find((s) => s.id === source.id) ?? source;
      return resultFor(entry, latest.model, latestSource, now.version, false);
    })();
    inflight.set(key, work);
    try {
      return await work;
    } finally {
      inflight.delete(key);
    }
  };

  /** Re-extracts every previewed source of `uri` from its cached response and pushes the results. */
  const pushUpdates = (uri: string): void => {
    const sources = previewed.get(uri);
    const document = deps.documents.get(uri);
    if (!sources || !document) return;
    const parsed = deps.specs.get(document);
    for (const [sourceId, key] of sources) {
      const entry = cache.get(key);
      if (!entry) {
        sources.delete(sourceId);
        continue;
      }
      const source = parsed.model.sources.find((s) => s.id === sourceId);
      const base = { uri, sourceId, fetchedAt: entry.response.fetchedAt };
      if (!source) {
        void connection.sendNotification(previewUpdated.type, { ...base, version: document.version, records: [], recordCount: 0, fields: [], warnings: [], extractMs: 0, message: `The spec no longer has a source "${sourceId}".` });
        continue;
      }
      try {
        void connection.sendNotification(previewUpdated.type, { ...base, ...extractCached(entry, parsed.model, source, document.version) });
      } catch (error) {
        deps.log.error(`preview update of ${sourceId} failed: ${describeError(error)}`);
      }
    }
  };

  const schedule = (document: TextDocument): void => {
    const uri = document.uri;
    if (!previewed.has(uri)) return;
    const existing = timers.get(uri);
    if (existing) clearTimeout(existing);
    timers.set(
      uri,
      setTimeout(() => {
        timers.delete(uri);
        try {
          pushUpdates(uri);
        } catch (error) {
          deps.log.error(`preview updates for ${uri} failed: ${describeError(error)}`);
        }
      }, UPDATE_DELAY_MS),
    );
  };

  const forget = (uri: string): void => {
    previewed.delete(uri);
    const timer = timers.get(uri);
    if (timer) clearTimeout(timer);
    timers.delete(uri);
    for (const [key, entry] of cache) if (entry.uri === uri) cache.delete(key);
  };

  const disposeChange = deps.documents.onDidChangeContent((event) => schedule(event.document));
  const disposeClose = deps.documents.onDidClose((event) => forget(event.document.uri));
  const disposeRequest = connection.onRequest(preview.type, (params, token) =>
    runSafe(deps.log, preview.method, () => handle(params), emptyResult(params, 'failed', 'The preview failed inside the language server; see the Gleaner output.'), token),
  );

  return combine(disposeChange, disposeClose, disposeRequest, () => {
    for (const timer of timers.values()) clearTimeout(timer);
    timers.clear();
    cache.clear();
    previewed.clear();
    void fetcher.dispose();
  });
}
