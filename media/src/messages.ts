/**
 * The messages between the extension host and the source-preview webview, declared once and
 * imported (as types only) by both sides: `extension/src/preview-panel.ts` and
 * `media/src/preview.ts`. Each side handles the other's union with an exhaustive `switch`; the
 * host also checks every message from the webview against `WEBVIEW_MESSAGE_SHAPES` at run time
 * (a webview is a page, and a page can be made to post anything).
 *
 * Type-only on purpose: the webview bundle must not pull host code in, and the host must not pull
 * DOM code in. The preview payloads are the language server's own protocol types.
 */
import type { PreviewResult, PreviewUpdatedParams } from '../../language-server/src/protocol/preview';

export type { PreviewResult, PreviewUpdatedParams } from '../../language-server/src/protocol/preview';

/** What the preview shows about one source of a spec. Everything here is plain data. */
export interface SourcePreviewState {
  /** The spec's URI as a string (the host resolves it again; the webview only displays it). */
  specUri: string;
  /** The spec's file name, for the heading. */
  specName: string;
  sourceId: string;
  /** `unknown` when neither the language server nor the quick scan could tell. */
  kind: 'scrape' | 'api' | 'unknown';
  /** Start URLs or the request URL, as written in the spec (templates unresolved). */
  urls: string[];
  /** Where `kind` and `urls` came from: the language server's parse, or a quick text scan. */
  origin: 'server' | 'scan';
  /** Largest response body a preview reads (`gleaner.preview.maxBytes`). */
  maxBytes: number;
  /** True while a run is in progress (the Run button is then disabled). */
  runActive: boolean;
}

/** What the webview saves with `setState` and the host's serializer receives after a reload. */
export interface PreviewWebviewState {
  source: SourcePreviewState;
  /** The last preview shown, with updates applied. */
  result?: PreviewResult;
  /** The field whose matches are marked in the page source. */
  markField?: string;
  /** The records table's page (0-based). */
  page?: number;
}

/** Host → webview. */
export type HostToWebviewMessage =
  | { type: 'state'; state: SourcePreviewState }
  | { type: 'runActive'; active: boolean }
  /** A preview was asked for; the webview shows it is waiting. */
  | { type: 'loading' }
  /** The full preview of the source in `state`. */
  | { type: 'result'; result: PreviewResult }
  /** Records re-extracted after an edit of the spec (no request was made). */
  | { type: 'update'; update: PreviewUpdatedParams }
  /** The preview could not be asked for at all (the language server is not running). */
  | { type: 'error'; message: string };

/** Webview → host. The webview sends `ready` before the host sends anything. */
export type WebviewToHostMessage =
  | { type: 'ready' }
  | { type: 'run' }
  | { type: 'openSpec' }
  /** Fetch the source again (the only way the preview makes a new request for a source). */
  | { type: 'refresh' };

/**
 * The allowed webview messages: each type and the fields it may carry (none, for now). The host
 * drops any message whose type is not listed or that carries anything else.
 */
export type WebviewMessageShapes = { [K in WebviewToHostMessage['type']]: readonly string[] };

/**
 * The `data-` attribute on `<body>` that carries the initial state as escaped JSON. A type, not a
 * constant, so this module stays type-only; both sides spell it by satisfying this type.
 */
export type InitialStateAttribute = 'data-initial-state';
