/**
 * The collection-spec model: what a `*.collect.yaml` file means once parsed and checked.
 *
 * Every value here is already normalised (durations in milliseconds, sizes in bytes, defaults
 * filled in). Where the text was wrong the parser still produces a model, with the offending
 * piece left at its default, and reports a diagnostic; callers that must not act on a broken
 * spec check `diagnostics` for errors first.
 */

/** A zero-based position, as LSP counts it (line, UTF-16 character). */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** A replacement offered as a quick fix: put `newText` in place of `range`. */
export interface TextEdit {
  range: Range;
  newText: string;
}

export interface QuickFix {
  title: string;
  edits: TextEdit[];
  /** True when this is the single obvious fix (VS Code's "preferred" fix). */
  preferred?: boolean;
}

/**
 * A finding about a spec. `code` is stable (documented in docs/spec-format.md) so that users
 * and tests can rely on it; `message` says what is wrong and, where it can, how to fix it.
 */
export interface SpecDiagnostic {
  range: Range;
  severity: Severity;
  code: string;
  message: string;
  fixes?: QuickFix[];
  /** Extra places that explain the finding (e.g. the robots.txt line that decides). */
  related?: { message: string; range?: Range; uri?: string }[];
}

/** A path into the YAML document: keys and sequence indexes from the root. */
export type SpecPath = readonly (string | number)[];

export const INTENDED_USES = [
  'research',
  'non-commercial-training',
  'commercial-training',
  'internal-analytics',
  'redistribution',
  'derived-dataset',
] as const;
export type IntendedUse = (typeof INTENDED_USES)[number];

export interface SpecMetadata {
  /** Spec format version; only 1 exists. */
  version: 1;
  name: string;
  description: string;
  /** Who answers for the collection: "Name <email>" or a URL. */
  owner?: string;
  /** Product token and contact, e.g. `GleanerBot/1.0 (+mailto:data@example.org)`. */
  userAgent: string;
}

export interface LicenceSpec {
  /** SPDX licence expression of the source data, e.g. `CC-BY-4.0` or `MIT OR Apache-2.0`. */
  spdx?: string;
  intendedUse: IntendedUse[];
  attribution?: string;
  termsUrl?: string;
}

export interface PolitenessSpec {
  robots: 'obey' | 'ignore';
  /** Required when `robots` is `ignore`: why the operator may ignore robots.txt. */
  robotsJustification?: string;
  /** Minimum gap between two requests to the same host, in ms. */
  delayMs: number;
  /** Random extra delay as a fraction of `delayMs` (0..1). */
  jitter: number;
  concurrencyPerHost: number;
  concurrencyTotal: number;
  /** Adapt the delay to observed latency (AutoThrottle). It never goes under `delayMs`. */
  autoThrottle: boolean;
  budget: {
    pages?: number;
    depth?: number;
    records?: number;
    timeMs?: number;
  };
  timeouts: {
    connectMs: number;
    headersMs: number;
    /** Whole-request deadline, which also bounds slow-drip bodies. */
    requestMs: number;
  };
  maxResponseBytes: number;
  maxRedirects: number;
  retries: {
    max: number;
    backoffMs: number;
    maxBackoffMs: number;
    /** The longest `Retry-After` honoured; a longer one stops the host with a reason. */
    retryAfterCapMs: number;
  };
  /** Allow loopback, private and link-local addresses (off by default; the demo turns it on). */
  allowPrivateNetwork: boolean;
}

/** A string that may contain `${env:NAME}` / `${secret:NAME}` references, resolved at run time. */
export type TemplatedString = string;

export type AuthSpec =
  | { type: 'none' }
  | { type: 'api_key'; in: 'header' | 'query'; name: string; value: TemplatedString }
  | { type: 'bearer'; token: TemplatedString }
  | { type: 'basic'; username: TemplatedString; password: TemplatedString }
  | {
      type: 'oauth2';
      tokenUrl: string;
      clientId: TemplatedString;
      clientSecret: TemplatedString;
      scope?: string;
    };

export interface StopConditions {
  maxPages?: number;
  /** Stop when a page yields no records (default true). */
  whenEmpty: boolean;
  /** Stop when this JSONPath evaluates to false / null / missing (e.g. `$.has_more`). */
  whilePath?: string;
}

export type PaginationSpec =
  | { type: 'none' }
  | { type: 'page'; param: string; start: number; sizeParam?: string; size?: number; stop: StopConditions }
  | { type: 'offset'; param: string; start: number; sizeParam?: string; size: number; stop: StopConditions }
  | { type: 'cursor'; param: string; cursorPath: string; stop: StopConditions }
  | { type: 'link_header'; stop: StopConditions }
  | { type: 'next_url'; nextPath: string; stop: StopConditions };

export type FieldType = 'string' | 'number' | 'integer' | 'boolean' | 'date' | 'url';

/** How one record field is read from an HTML element. */
export interface HtmlFieldSpec {
  name: string;
  /** CSS selector, relative to the record element. Absent: the record element itself. */
  selector?: string;
  /** Further selectors tried in order when `selector` matches nothing. */
  fallback: string[];
  extract: 'text' | 'html' | 'attribute';
  /** With `extract: attribute`. */
  attribute?: string;
  /** Regex whose first capture group (or whole match) becomes the value. */
  regex?: string;
  type: FieldType;
  /** Collect every match as a list instead of the first. */
  all: boolean;
  default?: unknown;
  path: SpecPath;
}

/** How one record field is read from a JSON record. */
export interface JsonFieldSpec {
  name: string;
  /** RFC 9535 JSONPath relative to the record (`$` is the record). */
  path: string;
  regex?: string;
  type: FieldType;
  all: boolean;
  default?: unknown;
  specPath: SpecPath;
}

export interface FollowRule {
  /** CSS selector of the links (elements with `href`) to follow. */
  selector: string;
  /** Id of the source that handles the followed pages (default: this source). */
  source: string;
  /** Regexes; a followed URL must match one `allow` (if any) and no `deny`. */
  allow: string[];
  deny: string[];
  maxDepth?: number;
  path: SpecPath;
}

export interface ScrapeSource {
  kind: 'scrape';
  id: string;
  startUrls: string[];
  sitemap?: string;
  follow: FollowRule[];
  /** Absent: the source only follows links and yields no records. */
  records?: {
    /** Each match is one record; absent means the page is one record. */
    selector?: string;
    fields: HtmlFieldSpec[];
  };
  /** Use `<link rel=canonical>` as the page's identity for de-duplication. */
  useCanonical: boolean;
  path: SpecPath;
}

export interface ApiSource {
  kind: 'api';
  id: string;
  request: {
    method: 'GET' | 'POST' | 'HEAD';
    url: TemplatedString;
    params: Record<string, TemplatedString>;
    headers: Record<string, TemplatedString>;
    body?: unknown;
  };
  auth: AuthSpec;
  pagination: PaginationSpec;
  records: {
    /** RFC 9535 JSONPath selecting the records in a response. */
    path: string;
    fields: JsonFieldSpec[];
  };
  path: SpecPath;
}

export type SourceSpec = ScrapeSource | ApiSource;

/** Validation rules for one field of the output record. */
export interface RecordFieldRule {
  name: string;
  type: FieldType;
  required: boolean;
  min?: number;
  max?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  enum?: (string | number | boolean)[];
  path: SpecPath;
}

/** A field computed from others, e.g. a sentiment label from a star rating. */
export interface DerivedField {
  name: string;
  from: string;
  /** Exact value → derived value (keys compared as strings). */
  map?: Record<string, unknown>;
  /** Numeric ranges, first match wins: `{ min?, max?, value }` with inclusive bounds. */
  ranges?: { min?: number; max?: number; value: unknown }[];
  default?: unknown;
  path: SpecPath;
}

export interface RecordsSpec {
  fields: RecordFieldRule[];
  /** Field names whose values together identify a record (de-duplication key). */
  key: string[];
  dedupe: {
    contentHash: boolean;
    /** MinHash near-duplicate detection on a text field. */
    nearDuplicates?: { field: string; threshold: number };
  };
  derived: DerivedField[];
}

export interface OutputSpec {
  /** `parquet` appends to JSON Lines during the run and writes the Parquet file at its end. */
  format: 'jsonl' | 'csv' | 'parquet';
  /** Directory under which each run gets its own folder, relative to the spec file. */
  directory: string;
  provenance: boolean;
  /** Prefix cells that start with = + - @ so spreadsheets do not run them (CSV only). */
  neutralizeFormulas: boolean;
}

export interface CollectionSpec {
  metadata: SpecMetadata;
  licence: LicenceSpec;
  politeness: PolitenessSpec;
  sources: SourceSpec[];
  records: RecordsSpec;
  output: OutputSpec;
}

/** What the parser returns: always a model, plus what is wrong with the text. */
export interface SpecParseResult {
  model: CollectionSpec;
  diagnostics: SpecDiagnostic[];
  /** Where things are in the text, for hover, definition, symbols and quick fixes. */
  locate: SpecLocator;
}

/** Answers "where in the text is this path?" for a parsed spec. */
export interface SpecLocator {
  /** Range of the value at `path`, or undefined when the path is absent. */
  valueRange(path: SpecPath): Range | undefined;
  /** Range of the key naming `path`'s last segment (for mappings). */
  keyRange(path: SpecPath): Range | undefined;
  /** The deepest path whose key or value contains the position. */
  pathAt(position: Position): SpecPath;
}
