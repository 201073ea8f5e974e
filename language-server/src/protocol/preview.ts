/**
 * The source preview's custom LSP methods, declared once and imported by both sides (the server's
 * `features/preview.ts` and the extension's `preview-panel.ts`). Like `protocol/index.ts`, this
 * module imports only `vscode-languageserver-protocol`.
 *
 * The flow: the extension asks `gleaner/preview` for one source; the server fetches the source's
 * first URL once (through the engine's polite fetcher, so robots.txt, the host throttle and the
 * spec's user agent apply), caches the response and answers with the response and the records
 * extracted from it. A source with no URL of its own (a detail-page source that another source's
 * follow rule feeds) is previewed on the first page a run would reach it by: the server fetches
 * the referring source's start page, applies the follow rule, and says so in `via`. Each later
 * edit of the spec re-extracts from the cached response (never a new request) and arrives as
 * `gleaner/previewUpdated`.
 *
 * Secrets resolved for a request (`${env:…}`, `${secret:…}`) are replaced by `[REDACTED]` in
 * everything the server sends back: URLs, headers, the page source, the JSON tree and records.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';

/** Parameters of `gleaner/preview`. */
export interface PreviewParams {
  /** The spec document's URI (it must be open in the server). */
  uri: string;
  sourceId: string;
  /** Fetch again even when a cached response exists. */
  refresh?: boolean;
  /** Most body bytes kept for extraction and display (`gleaner.preview.maxBytes`); default 1 MiB. */
  maxBytes?: number;
}

/** One field's match count: how many of the page's records had a value for it. */
export interface PreviewField {
  name: string;
  matches: number;
  /** The number of records on the page. */
  total: number;
}

/** One extracted record and its problems (coercion and validation). */
export interface PreviewRecord {
  values: Record<string, unknown>;
  errors: { field: string; reason: string }[];
}

/**
 * The parsed JSON of an API response, pruned to a size budget. `total` larger than the entries
 * present means the rest was left out; `cut` marks a subtree below the depth or node budget.
 */
export type JsonPreviewNode =
  | { t: 'value'; v: string | number | boolean | null; truncated?: boolean }
  | { t: 'array'; items: JsonPreviewNode[]; total: number }
  | { t: 'object'; entries: [string, JsonPreviewNode][]; total: number }
  | { t: 'cut' };

/** Marked character ranges `[start, end)` in `PreviewSourceText.text`, per field. */
export type PreviewMarks = Record<string, [number, number][]>;

/** The page source of a scrape preview, as text (never to be rendered as HTML). */
export interface PreviewSourceText {
  text: string;
  /** True when `text` is a prefix of the decoded page. */
  truncated: boolean;
  /** Length of the decoded page in characters. */
  totalChars: number;
}

/** What went on with the preview: `ok`, or why there is no response to show. */
export type PreviewState = 'ok' | 'network-disabled' | 'skipped' | 'failed' | 'no-url' | 'no-source' | 'not-open';

/** The records extracted from the cached response, for the current text of the spec. */
export interface PreviewExtraction {
  /** The spec document version the extraction used. */
  version: number;
  /** The first records (at most 200). */
  records: PreviewRecord[];
  /** All records found on the page. */
  recordCount: number;
  fields: PreviewField[];
  /** Selector, path and regex problems, and "matched nothing" notes. */
  warnings: string[];
  /** Scrape: matched element ranges in `source.text`, per field; `(records)` marks the record elements. */
  marks?: PreviewMarks;
  /** Milliseconds the extraction took in the server. */
  extractMs: number;
  /** True when the spec now names another URL than the cached response's: refresh to fetch it. */
  urlChanged?: boolean;
}

/** One followed link on the way to a previewed page (see {@link PreviewVia}). */
export interface PreviewHop {
  /** The source whose page held the link. */
  fromSourceId: string;
  /** That page's URL after redirects (secrets redacted). */
  pageUrl: string;
  /** The follow rule's selector, and its index in the source's `follow` list. */
  selector: string;
  ruleIndex: number;
  /** The source the link leads to. */
  toSourceId: string;
  /** How many distinct in-scope links the rule found to `toSourceId` on the page. */
  linksFound: number;
  /** The link taken (secrets redacted), and its place among the links found (0: the first). */
  linkUrl: string;
  linkIndex: number;
  /** Links tried before it and not usable (robots.txt, scope, HTTP errors), with the reason. */
  passedOver: { url: string; reason: string }[];
}

/**
 * How the page of a source with no URL of its own was found: the start page of `startSourceId`,
 * then each follow rule in `hops`, the way a run would reach it.
 */
export interface PreviewVia {
  startSourceId: string;
  /** The start URL as written in the spec. */
  startUrl: string;
  hops: PreviewHop[];
  /** The same, as a sentence for the user. */
  summary: string;
}

/** Result of `gleaner/preview`. Fields about the response are present when `state` is `ok`. */
export interface PreviewResult extends PreviewExtraction {
  uri: string;
  sourceId: string;
  kind: 'scrape' | 'api';
  state: PreviewState;
  /** A sentence for the user when `state` is not `ok` (robots.txt verdict, error, …). */
  message?: string;
  /** The requested URL (secrets redacted). */
  url?: string;
  /**
   * Set when the source has no URL of its own and the previewed page (`url`) was reached by
   * following links from another source's start page. Also set, as far as it got, when that
   * search failed (`state` is then not `ok` and `message` says why).
   */
  via?: PreviewVia;
  /** The URL after redirects (secrets redacted). */
  finalUrl?: string;
  status?: number;
  headers?: Record<string, string>;
  timingMs?: number;
  /** ISO time of the fetch; later previews of the same source reuse it until a refresh. */
  fetchedAt?: string;
  /** Size of the response body in bytes. */
  bodyBytes?: number;
  /** True when only the first `maxBytes` of the body were used for extraction. */
  truncated?: boolean;
  /** The bytes kept for extraction. */
  keptBytes?: number;
  contentType?: string;
  /** Why the fetch was skipped (robots.txt, scope), when `state` is `skipped`. */
  skipped?: string;
  /** API: the parsed JSON, pruned. */
  jsonPreview?: JsonPreviewNode;
  /** Scrape: the page source as text. */
  source?: PreviewSourceText;
  /** True when the response came from the server's cache (no request was made for this answer). */
  cached: boolean;
}

/** Parameters of `gleaner/previewUpdated`. */
export interface PreviewUpdatedParams extends PreviewExtraction {
  uri: string;
  sourceId: string;
  /** `fetchedAt` of the cached response the records come from. */
  fetchedAt: string;
  /** Set when the source can no longer be previewed (removed, renamed, kind changed). */
  message?: string;
}

/**
 * `gleaner/preview` — request, client → server. Fetches (or reuses the cached response of) the
 * first URL of source `sourceId` of the open spec `uri` — or, for a source with no URL of its
 * own, the first page another source's follow rules lead to (`via`) — and answers with the
 * response and the records extracted from it. Makes no request at all when the workspace is untrusted or
 * `gleaner.network.enabled` is off (`state: 'network-disabled'`).
 */
export const preview = {
  method: 'gleaner/preview',
  type: new RequestType<PreviewParams, PreviewResult, void>('gleaner/preview'),
} as const;

/**
 * `gleaner/previewUpdated` — notification, server → client. Sent about 50 ms after each edit of a
 * spec with previewed sources, for each such source: the records re-extracted from the cached
 * response with the edited selectors, paths, regexes and fields. Never causes a request.
 */
export const previewUpdated = {
  method: 'gleaner/previewUpdated',
  type: new NotificationType<PreviewUpdatedParams>('gleaner/previewUpdated'),
} as const;
