/**
 * Source preview: `gleaner/preview` fetches a source's first URL once (preview-fetch.ts) and
 * answers with the response and its records; `gleaner/previewUpdated` re-extracts from the cached
 * response after every edit of the spec. An edit never causes a request: only `refresh` (or a
 * source not fetched before) does.
 *
 * The update path listens to `documents.onDidChangeContent` itself with its own short debounce
 * (50 ms, below validation's 150 ms) instead of waiting for validation, because a preview should
 * follow typing within about 150 ms; the parse comes from the shared SpecCache, so a version is
 * still parsed once however many features ask.
 */
import { performance } from 'node:perf_hooks';
import type { Connection } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { decodeBody, createHttpClient, systemClock, systemRandom, systemSleep, type CollectionSpec, type SourceSpec } from '../../engine/index';
import { preview, previewUpdated, type PreviewExtraction, type PreviewParams, type PreviewResult } from '../../protocol/preview';
import { combine, type Disposable, type ServerDeps } from '../deps';
import { extractApi, extractScrape, indexPage, markRanges, pruneJson, type ExtractionCore, type IndexedPage } from '../preview-extract';
import { PreviewFetcher, previewSpecUrl, type PreviewResponse } from '../preview-fetch';
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
}

/** Decodes and, for HTML, cuts the body: everything later edits need without touching the bytes again. */
export function cacheResponse(uri: string, source: SourceSpec, response: PreviewResponse, maxBytes: number): CachedPreview {
  const total = response.body.byteLength;
  if (source.kind === 'api') {
    // JSON cannot be read from a prefix; the body is already bounded by the spec's max_response_size.
    const text = decodeBody(response.body, response.contentType, 'json').text;
    const entry: CachedPreview = { uri, sourceId: source.id, kind: 'api', response, keptBytes: total, truncated: false };
    try {
      entry.json = JSON.parse(text) as unknown;
    } catch (error) {
      entry.jsonError = `The response is not JSON (${error instanceof Error ? error.message : String(error)}).`;
    }
    return entry;
  }
  const kept = Math.min(total, maxBytes);
  const html = decodeBody(response.body.subarray(0, kept), response.contentType, 'html').text;
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
  const urlChanged = previewSpecUrl(source) !== entry.response.specUrl;
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
    ...extraction,
  };
  if (entry.kind === 'api' && entry.jsonError === undefined) result.jsonPreview = pruneJson(entry.json);
  if (entry.kind === 'scrape' && entry.html !== undefined) {
    result.source = { text: entry.page?.text ?? entry.html.slice(0, SOURCE_TEXT_CHARS), truncated: entry.html.length > SOURCE_TEXT_CHARS || entry.truncated, totalChars: entry.html.length };
  }
  return result;
}

function emptyResult(params: PreviewParams, state: PreviewResult['state'], message: string, kind: 'scrape' | 'api' = 'scrape', version = -1): PreviewResult {
  return { uri: params.uri, sourceId: params.sourceId, kind, state, message, version, records: [], recordCount: 0, fields: [], warnings: [], extractMs: 0, cached: false };
}

/** Registers `gleaner/preview` and the `gleaner/previewUpdated` pushes. */
export function register(connection: Connection, deps: ServerDeps): Disposable {
  const fetcher = new PreviewFetcher({
    gate: deps.network,
    robots: deps.robots,
    http: () => createHttpClient(),
    clock: systemClock,
    sleep: systemSleep,
    random: systemRandom,
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
  const remember = (key: string, entry: CachedPreview): void => {
    cache.delete(key);
    cache.set(key, entry);
    while (cache.size > MAX_CACHED) cache.delete(cache.keys().next().value!);
    let sources = previewed.get(entry.uri);
    if (!sources) previewed.set(entry.uri, (sources = new Map()));
    sources.set(entry.sourceId, key);
  };

  const handle = async (params: PreviewParams): Promise<PreviewResult> => {
    const document = deps.documents.get(params.uri);
    if (!document) return emptyResult(params, 'not-open', 'The spec is not open in the language server.');
    const parsed = deps.specs.get(document);
    const source = parsed.model.sources.find((s) => s.id === params.sourceId);
    if (!source) return emptyResult(params, 'no-source', `The spec has no source "${params.sourceId}".`, 'scrape', document.version);
    const specUrl = previewSpecUrl(source) ?? '';
    const key = keyOf(params.uri, source.id, specUrl);
    const hit = cache.get(key);
    if (hit && params.refresh !== true) {
      remember(key, hit);
      return resultFor(hit, parsed.model, source, document.version, true);
    }
    const running = inflight.get(key);
    if (running) return running;
    const maxBytes = typeof params.maxBytes === 'number' && params.maxBytes >= 1024 ? Math.min(params.maxBytes, 64 * 1024 * 1024) : DEFAULT_PREVIEW_MAX_BYTES;
    const work = (async (): Promise<PreviewResult> => {
      const outcome = await fetcher.fetchFirst(parsed.model, source);
      if (!outcome.ok) {
        const result = emptyResult(params, outcome.state, outcome.message, source.kind, document.version);
        if (outcome.url !== undefined) result.url = outcome.url;
        if (outcome.state === 'skipped') result.skipped = outcome.message;
        return result;
      }
      const entry = cacheResponse(params.uri, source, outcome.response, maxBytes);
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
