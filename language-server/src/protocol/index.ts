/**
 * Gleaner's custom LSP methods and settings types, declared once and imported by both sides: the
 * language server (`language-server/src/server`) and the extension (`extension/src`). Method names
 * are never typed by hand anywhere else, so the two sides cannot drift apart.
 *
 * This module may import only `vscode-languageserver-protocol` (and therefore `vscode-jsonrpc`):
 * the extension bundles it, and it must not drag the engine or the server in with it.
 */
import { NotificationType, RequestType } from 'vscode-languageserver-protocol';
import type { Range } from 'vscode-languageserver-protocol';

/** Settings under the `gleaner` section, as the server reads them via `workspace/configuration`. */
export interface GleanerSettings {
  network: {
    /**
     * `gleaner.network.enabled` (default true). When false the server makes no request at all:
     * it validates specs but checks no robots.txt.
     */
    enabled: boolean;
  };
}

/** The settings the server assumes when the client sends none. */
export const DEFAULT_SETTINGS: GleanerSettings = { network: { enabled: true } };

/** The configuration section the server asks for (`workspace/configuration`, `section`). */
export const SETTINGS_SECTION = 'gleaner';

/**
 * What the client passes as `initializationOptions` in `initialize`. `trusted` mirrors VS Code's
 * Workspace Trust: absent or false means the server never touches the network (validation only)
 * until a `gleaner/setTrusted` notification arrives.
 */
export interface GleanerInitializationOptions {
  trusted?: boolean;
}

/** Parameters of `gleaner/setTrusted`. */
export interface SetTrustedParams {
  trusted: boolean;
}

/**
 * `gleaner/setTrusted` — notification, client → server. Sent when the user grants Workspace
 * Trust (the extension's `onDidGrantWorkspaceTrust`). The server then starts its network features
 * (robots.txt checks) for the open specs. Trust is never revoked within a session in VS Code, but
 * `trusted: false` is honoured too and stops further requests.
 */
export const setTrusted = {
  method: 'gleaner/setTrusted',
  type: new NotificationType<SetTrustedParams>('gleaner/setTrusted'),
} as const;

/** Parameters of `gleaner/listSources`. */
export interface ListSourcesParams {
  /** The spec document's URI (it must be open in the server). */
  uri: string;
}

/** One source of a spec, as the sidebar and CodeLens show it. */
export interface SourceSummary {
  id: string;
  kind: 'scrape' | 'api';
  /** Range of the whole source entry in the spec. */
  range: Range;
  /** Range of the source's `id` value (where to put the cursor when the user picks it). */
  idRange: Range;
  /** Start URLs of a scrape source, or the request URL of an API source (templated as written). */
  urls: string[];
}

/** Result of `gleaner/listSources`. */
export interface ListSourcesResult {
  /** The document version the answer was computed from. */
  version: number;
  sources: SourceSummary[];
}

/**
 * `gleaner/listSources` — request, client → server. Returns the sources of an open spec (id,
 * kind, range, URLs), so the extension's sidebar and commands never parse YAML themselves.
 * Ranges are for `version`, the document's current version; in a very large spec being edited
 * the list may lag a keystroke behind (it comes from the last parse, mapped through the edits).
 * Unknown or closed URIs answer `{ version: -1, sources: [] }`.
 */
export const listSources = {
  method: 'gleaner/listSources',
  type: new RequestType<ListSourcesParams, ListSourcesResult, void>('gleaner/listSources'),
} as const;

/** Parameters of `gleaner/robotsCheck`. */
export interface RobotsCheckParams {
  url: string;
  /** The User-Agent to decide for, e.g. the spec's `GleanerBot/1.0 (+mailto:…)`. */
  userAgent: string;
}

/** The robots.txt verdict for one URL, as the engine's RobotsCache decides it. */
export interface RobotsCheckResult {
  allowed: boolean;
  /** A sentence saying why, for the user. */
  reason: string;
  /** What decided: a rule, no rule, the robots.txt status, or a failure to reach it. */
  basis: 'rule' | 'no-rule' | 'status' | 'unreachable' | 'network-disabled';
  /** The deciding robots.txt line (1-based) and its text. */
  rule?: { line: number; text: string };
  crawlDelayMs?: number;
  robotsUrl: string;
  contentSignal?: Record<string, string>;
  status?: number;
}

/**
 * `gleaner/robotsCheck` — request, client → server. Asks for the robots.txt verdict for `url`
 * and `userAgent` through the server's shared robots cache (at most 24 h per origin). When the
 * workspace is untrusted or `gleaner.network.enabled` is off, the server answers without any
 * request: `allowed: false`, basis `network-disabled`.
 */
export const robotsCheck = {
  method: 'gleaner/robotsCheck',
  type: new RequestType<RobotsCheckParams, RobotsCheckResult, void>('gleaner/robotsCheck'),
} as const;

/** Command ids the server's code lenses carry; the extension registers their handlers. */
export const COMMANDS = {
  /** Arguments `[uri: string, sourceId: string]`: preview one source's response and records. */
  previewSource: 'gleaner.previewSource',
  /** Arguments `[uri: string, sourceId: string]`: run the collection (starting from that source's spec). */
  runCollection: 'gleaner.runCollection',
} as const;

/** Diagnostic codes the server itself adds to the spec parser's (robots.txt and AI opt-out). */
export const SERVER_DIAGNOSTIC_CODES = [
  'robots-disallowed',
  'robots-allowed',
  'robots-crawl-delay',
  'robots-unreachable',
  'ai-opt-out',
] as const;
