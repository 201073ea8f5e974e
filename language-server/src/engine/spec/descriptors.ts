/**
 * The descriptor table: the single source of truth for every key a spec may contain.
 *
 * Structural validation (validate.ts), the JSON Schema (schema.ts, committed as
 * schema/collect.schema.json), hover text and completion all read this table, so a key added here
 * is checked, documented and completed everywhere at once.
 */
import { INTENDED_USES, type SpecPath } from './model';

/** Scalar value kinds. `duration` and `size` accept a number or a unit string. */
export type ScalarKind = 'string' | 'integer' | 'number' | 'boolean' | 'duration' | 'size' | 'scalar' | 'any';

/** What a string value is, so semantic checks know how to look at it. */
export type StringFormat = 'url' | 'css-selector' | 'jsonpath' | 'regex' | 'spdx' | 'template';

interface BaseDescriptor {
  /** One or two sentences shown on hover and written into the JSON Schema. */
  doc: string;
  required?: boolean;
  /** Why the key is deprecated and what to use instead. */
  deprecated?: string;
  /** Set on an alias entry: the canonical key it stands for (e.g. `license` → `licence`). */
  aliasOf?: string;
}

/** A scalar key: its kind, allowed values, default and bounds. */
export interface ScalarDescriptor extends BaseDescriptor {
  kind: ScalarKind;
  enum?: readonly (string | number | boolean)[];
  /** The default in the form a user would write it (e.g. `1s`). */
  default?: unknown;
  minimum?: number;
  maximum?: number;
  format?: StringFormat;
}

/** A mapping with a fixed set of keys. */
export interface ObjectDescriptor extends BaseDescriptor {
  kind: 'object';
  props: Record<string, Descriptor>;
}

/** A list of items of one descriptor. */
export interface ArrayDescriptor extends BaseDescriptor {
  kind: 'array';
  items: Descriptor;
  /** Also accept a single item written without the list. */
  oneOrMany?: boolean;
}

/** A mapping whose keys are user-chosen names (fields, headers); YAML order is kept. */
export interface MapDescriptor extends BaseDescriptor {
  kind: 'map';
  values: Descriptor;
  /** What the user-chosen key names, for hover (e.g. "field name"). */
  keyDoc: string;
}

/** A mapping whose allowed keys depend on the value of one key (`type`, `kind`). */
export interface TaggedDescriptor extends BaseDescriptor {
  kind: 'tagged';
  tag: string;
  tagDoc: string;
  /** Keys allowed whatever the tag. */
  common: Record<string, Descriptor>;
  variants: Record<string, { doc: string; props: Record<string, Descriptor> }>;
  /** The tag value assumed when the key is absent; absent means the tag is required. */
  defaultTag?: string;
}

/** Any entry of the descriptor table. */
export type Descriptor = ScalarDescriptor | ObjectDescriptor | ArrayDescriptor | MapDescriptor | TaggedDescriptor;

const str = (doc: string, extra: Partial<ScalarDescriptor> = {}): ScalarDescriptor => ({ kind: 'string', doc, ...extra });
const int = (doc: string, extra: Partial<ScalarDescriptor> = {}): ScalarDescriptor => ({ kind: 'integer', doc, ...extra });
const num = (doc: string, extra: Partial<ScalarDescriptor> = {}): ScalarDescriptor => ({ kind: 'number', doc, ...extra });
const bool = (doc: string, dflt?: boolean): ScalarDescriptor => ({ kind: 'boolean', doc, default: dflt });
const dur = (doc: string, dflt?: string): ScalarDescriptor => ({ kind: 'duration', doc, default: dflt });
const obj = (doc: string, props: Record<string, Descriptor>, extra: Partial<ObjectDescriptor> = {}): ObjectDescriptor => ({ kind: 'object', doc, props, ...extra });
const list = (doc: string, items: Descriptor, extra: Partial<ArrayDescriptor> = {}): ArrayDescriptor => ({ kind: 'array', doc, items, ...extra });
const req = <T extends Descriptor>(d: T): T => ({ ...d, required: true });

const FIELD_TYPES = ['string', 'number', 'integer', 'boolean', 'date', 'url'] as const;

const fieldType = str('Type the extracted text is converted to; a value that does not convert fails the record.', { enum: FIELD_TYPES, default: 'string' });
const fieldRegex = str('Regular expression applied to the value; the first capture group (or the whole match) becomes the value.', { format: 'regex' });
const fieldAll = bool('Collect every match as a list instead of only the first.', false);
const fieldDefault: ScalarDescriptor = { kind: 'any', doc: 'Value used when nothing matches, instead of leaving the field empty.' };

const stop = obj('When to stop paginating. The first condition met stops.', {
  max_pages: int('Stop after this many pages.', { minimum: 1 }),
  when_empty: bool('Stop when a page yields no records.', true),
  while: str('JSONPath evaluated on each response; stop when it is false, null or missing (e.g. `$.has_more`).', { format: 'jsonpath' }),
});

const templated = (doc: string): ScalarDescriptor => str(doc, { format: 'template' });

const htmlField = obj('How one field is read from the record element.', {
  selector: str('CSS selector relative to the record element. Absent: the record element itself.', { format: 'css-selector' }),
  fallback: list('Further CSS selectors tried in order when `selector` matches nothing.', str('A CSS selector.', { format: 'css-selector' }), { oneOrMany: true }),
  extract: str('What to take from the matched element: its text, its inner HTML or an attribute. Defaults to `attribute` when `attribute` is set.', { enum: ['text', 'html', 'attribute'] }),
  attribute: str('Attribute to read (with `extract: attribute`), e.g. `href`.'),
  regex: fieldRegex,
  type: fieldType,
  all: fieldAll,
  default: fieldDefault,
});

const jsonField = obj('How one field is read from a JSON record.', {
  path: req(str('RFC 9535 JSONPath relative to the record (`$` is the record), e.g. `$.title`.', { format: 'jsonpath' })),
  regex: fieldRegex,
  type: fieldType,
  all: fieldAll,
  default: fieldDefault,
});

const follow = obj('A rule for links to follow from a page of this source.', {
  selector: req(str('CSS selector of the links (elements with `href`) to follow.', { format: 'css-selector' })),
  source: str('Id of the source that handles the followed pages. Default: this source.'),
  allow: list('Regexes; a followed URL must match at least one (when any are given).', str('A regex.', { format: 'regex' }), { oneOrMany: true }),
  deny: list('Regexes; a followed URL matching any of them is skipped.', str('A regex.', { format: 'regex' }), { oneOrMany: true }),
  max_depth: int('How many links deep this rule follows from a start page.', { minimum: 0 }),
});

const secretHint = ' Write a `${env:NAME}` or `${secret:NAME}` reference, never the secret itself.';

const auth: TaggedDescriptor = {
  kind: 'tagged',
  doc: 'How requests to this API authenticate.',
  tag: 'type',
  tagDoc: 'Authentication scheme.',
  defaultTag: 'none',
  common: {},
  variants: {
    none: { doc: 'No authentication.', props: {} },
    api_key: {
      doc: 'An API key sent in a header or a query parameter.',
      props: {
        in: str('Where the key goes.', { enum: ['header', 'query'], default: 'header' }),
        name: req(str('Header or query parameter name, e.g. `X-API-Key`.')),
        value: req(templated('The key.' + secretHint)),
      },
    },
    bearer: { doc: 'A bearer token in the `Authorization` header.', props: { token: req(templated('The token.' + secretHint)) } },
    basic: {
      doc: 'HTTP Basic authentication.',
      props: { username: req(templated('User name.')), password: req(templated('Password.' + secretHint)) },
    },
    oauth2: {
      doc: 'OAuth 2.0 client credentials: a token is fetched from `token_url` and renewed before it expires.',
      props: {
        token_url: req(str('Token endpoint URL.', { format: 'url' })),
        client_id: req(templated('Client id.')),
        client_secret: req(templated('Client secret.' + secretHint)),
        scope: str('Space-separated scopes to request.'),
      },
    },
  },
};

const pagination: TaggedDescriptor = {
  kind: 'tagged',
  doc: 'How to get the next page of results.',
  tag: 'type',
  tagDoc: 'Pagination style.',
  defaultTag: 'none',
  common: { stop },
  variants: {
    none: { doc: 'A single request.', props: {} },
    page: {
      doc: 'A page-number query parameter, incremented per request.',
      props: {
        param: str('Query parameter holding the page number.', { default: 'page' }),
        start: int('First page number.', { default: 1 }),
        size_param: str('Query parameter holding the page size.'),
        size: int('Page size to request.', { minimum: 1 }),
      },
    },
    offset: {
      doc: 'An offset query parameter advanced by the page size.',
      props: {
        param: str('Query parameter holding the offset.', { default: 'offset' }),
        start: int('First offset.', { default: 0 }),
        size_param: str('Query parameter holding the page size.', { default: 'limit' }),
        size: int('Page size; the offset advances by this much.', { default: 100, minimum: 1 }),
      },
    },
    cursor: {
      doc: 'A cursor read from each response and sent back as a query parameter.',
      props: {
        param: str('Query parameter the cursor is sent in.', { default: 'cursor' }),
        cursor_path: req(str('JSONPath of the next cursor in the response; null or missing stops.', { format: 'jsonpath' })),
      },
    },
    link_header: { doc: 'The `Link: <…>; rel="next"` response header (RFC 8288).', props: {} },
    next_url: {
      doc: 'A next-page URL read from the response body.',
      props: { next_path: req(str('JSONPath of the next page URL in the response; null or missing stops.', { format: 'jsonpath' })) },
    },
  },
};

const scrapeProps: Record<string, Descriptor> = {
  start_urls: list('Pages the crawl starts from.', str('An http(s) URL.', { format: 'url' }), { oneOrMany: true }),
  sitemap: str('Sitemap URL whose pages are crawled as start pages.', { format: 'url' }),
  follow: list('Rules for links to follow from each page.', follow),
  records: obj('How records are extracted from each page. Absent: the source only follows links.', {
    selector: str('CSS selector; each match is one record. Absent: the page is one record.', { format: 'css-selector' }),
    fields: req({ kind: 'map', doc: 'The fields of each record, in order.', keyDoc: 'Field name.', values: htmlField }),
  }),
  use_canonical: bool('Use the page\'s `<link rel="canonical">` as its identity for de-duplication.', true),
};

const apiProps: Record<string, Descriptor> = {
  request: req(
    obj('The first request; pagination derives the following ones.', {
      method: str('HTTP method.', { enum: ['GET', 'POST', 'HEAD'], default: 'GET' }),
      url: req(str('Request URL; may contain `${env:NAME}` references.', { format: 'url' })),
      params: { kind: 'map', doc: 'Query parameters added to the URL.', keyDoc: 'Query parameter name.', values: { kind: 'scalar', doc: 'Parameter value.', format: 'template' } },
      headers: { kind: 'map', doc: 'Request headers.', keyDoc: 'Header name.', values: { kind: 'scalar', doc: 'Header value.', format: 'template' } },
      body: { kind: 'any', doc: 'Request body (sent as JSON) for `POST`.' },
    }),
  ),
  auth,
  pagination,
  records: req(
    obj('How records are read from each response.', {
      path: req(str('RFC 9535 JSONPath selecting the records in a response, e.g. `$.items[*]`.', { format: 'jsonpath' })),
      fields: req({ kind: 'map', doc: 'The fields of each record, in order.', keyDoc: 'Field name.', values: jsonField }),
    }),
  ),
};

const source: TaggedDescriptor = {
  kind: 'tagged',
  doc: 'One place records come from: web pages (`scrape`) or a JSON API (`api`).',
  tag: 'kind',
  tagDoc: 'What kind of source this is.',
  common: { id: req(str('Identifier of the source, unique in the spec; follow rules name it.')) },
  variants: {
    scrape: { doc: 'Web pages read with CSS selectors, following links.', props: scrapeProps },
    api: { doc: 'A JSON API read with JSONPath, with auth and pagination.', props: apiProps },
  },
};

const licence = obj('The licence of the source data and what you intend to do with it; checked against each other.', {
  spdx: str('SPDX licence expression of the source data, e.g. `CC-BY-4.0` or `MIT OR Apache-2.0`.', { format: 'spdx' }),
  intended_use: list('What the collected data will be used for.', str('An intended use.', { enum: INTENDED_USES }), { oneOrMany: true }),
  attribution: str('Attribution text to credit the source, required by BY licences.'),
  terms_url: str('URL of the source\'s terms of use.', { format: 'url' }),
});

const politeness = obj('How gently to crawl: robots.txt, delays, concurrency, budgets, timeouts and retries.', {
  robots: str('Whether to obey robots.txt. `ignore` needs `robots_justification`.', { enum: ['obey', 'ignore'], default: 'obey' }),
  robots_justification: str('Why the operator may ignore robots.txt (e.g. written permission); required with `robots: ignore`.'),
  delay: dur('Minimum gap between two requests to the same host: `500ms`, `2s`, `5m`, `1h` or a number of seconds.', '1s'),
  jitter: num('Random extra delay as a fraction of `delay` (0 to 1).', { default: 0.1, minimum: 0, maximum: 1 }),
  concurrency: obj('How many requests may be in flight at once.', {
    per_host: int('Requests in flight to one host.', { default: 1, minimum: 1 }),
    total: int('Requests in flight overall.', { default: 4, minimum: 1 }),
  }),
  autothrottle: bool('Adapt the delay to the observed latency; it never goes under `delay`.', true),
  budget: obj('Limits that stop the run; a crawl that follows links should have one.', {
    pages: int('Maximum number of pages or API responses fetched.', { minimum: 1 }),
    depth: int('Maximum link depth from a start page.', { minimum: 0 }),
    records: int('Stop after this many records.', { minimum: 1 }),
    time: dur('Stop after this much time: `30m`, `2h` or seconds.'),
  }),
  timeouts: obj('Network timeouts.', {
    connect: dur('Time to open a connection.', '10s'),
    headers: dur('Time from sending the request to receiving the response headers.', '15s'),
    request: dur('Whole-request deadline, which also bounds slow bodies.', '60s'),
  }),
  max_response_size: { kind: 'size', doc: 'Largest response body read: `10MB`, `512KiB` or bytes; larger bodies are cut off and the page fails.', default: '10MB' },
  max_redirects: int('Redirects followed per request.', { default: 10, minimum: 0 }),
  retries: obj('Retries of failed requests (network errors, 429, 5xx), with exponential backoff.', {
    max: int('Retries per request.', { default: 3, minimum: 0 }),
    backoff: dur('First backoff; it doubles per retry.', '1s'),
    max_backoff: dur('Longest backoff.', '60s'),
    retry_after_cap: dur('Longest `Retry-After` honoured; a longer one stops the host with a reason.', '120s'),
  }),
  allow_private_network: bool('Allow loopback, private and link-local addresses (off by default; local demos turn it on).', false),
});

const recordFieldRule = obj('Validation rules for one output field; a record that breaks one is quarantined with the reason.', {
  type: fieldType,
  required: bool('The record fails when the field is missing or empty.', false),
  min: num('Smallest allowed number.'),
  max: num('Largest allowed number.'),
  min_length: int('Shortest allowed string.', { minimum: 0 }),
  max_length: int('Longest allowed string.', { minimum: 0 }),
  pattern: str('Regex the whole string value must match.', { format: 'regex' }),
  enum: list('The allowed values.', { kind: 'scalar', doc: 'An allowed value.' }),
});

const derived = obj('A field computed from another, e.g. a sentiment label from a star rating.', {
  from: req(str('The field the value is computed from.')),
  map: { kind: 'map', doc: 'Exact value → derived value (keys compared as strings).', keyDoc: 'Source value.', values: { kind: 'any', doc: 'Derived value.' } },
  ranges: list(
    'Numeric ranges, first match wins; bounds are inclusive.',
    obj('One range.', {
      min: num('Lower bound (inclusive).'),
      max: num('Upper bound (inclusive).'),
      value: req({ kind: 'any', doc: 'Derived value for this range.' }),
    }),
  ),
  default: { kind: 'any', doc: 'Value when neither `map` nor `ranges` matches.' },
});

const records = obj('The output record: validation rules, key, de-duplication and derived fields.', {
  fields: { kind: 'map', doc: 'Validation rules per output field.', keyDoc: 'Field name.', values: recordFieldRule },
  key: list('Field names whose values together identify a record (de-duplication key).', str('A field name.'), { oneOrMany: true }),
  dedupe: obj('De-duplication of records.', {
    content_hash: bool('Drop records whose content is identical to an earlier one.', true),
    near_duplicates: obj('MinHash near-duplicate detection on a text field.', {
      field: req(str('The text field compared.')),
      threshold: num('Estimated Jaccard similarity at or above which records count as duplicates.', { default: 0.9, minimum: 0, maximum: 1 }),
    }),
  }),
  derived: { kind: 'map', doc: 'Fields computed from others, in order.', keyDoc: 'Derived field name.', values: derived },
});

const output = obj('Where and how records are written.', {
  format: str(
    'File format of the records: `jsonl` (JSON Lines), `csv` (RFC 4180) or `parquet` (typed, nullable columns; records are appended to a crash-safe `records.jsonl` during the run and `records.parquet` is written from it when the run ends).',
    { enum: ['jsonl', 'csv', 'parquet'], default: 'jsonl' },
  ),
  directory: str('Directory, relative to the spec file, under which each run gets its own folder.', { default: 'runs' }),
  provenance: bool('Write a provenance manifest, a Croissant description and a datasheet with each run.', true),
  neutralize_formulas: bool('Prefix CSV cells starting with = + - @ so spreadsheets do not run them.', true),
});

/** The root of the table: every top-level key of a `*.collect.yaml` file. */
export const SPEC_DESCRIPTOR: ObjectDescriptor = obj('A Gleaner collection spec.', {
  gleaner: req({ kind: 'integer', doc: 'Spec format version; write `gleaner: 1`.', enum: [1] }),
  name: req(str('Short name of the collection, used for run folders and the dataset card.')),
  description: str('What is collected and why; goes into the datasheet.'),
  owner: str('Who answers for the collection: "Name <email>" or a URL.'),
  user_agent: req(str('Product token and contact sent with every request, e.g. `GleanerBot/1.0 (+mailto:data@example.org)`; robots.txt rules are matched against the product token.')),
  licence,
  license: { ...licence, doc: 'Alias of `licence`.', aliasOf: 'licence' },
  politeness,
  sources: req(list('Where records come from: web pages and APIs.', source)),
  records,
  output,
});

/** What hover shows for one path. */
export interface PathDescription {
  doc: string;
  /** A short type label, e.g. `string`, `duration`, `list of string`, `mapping`. */
  type: string;
  enum?: readonly (string | number | boolean)[];
  default?: unknown;
  required?: boolean;
  deprecated?: string;
}

/** A completion candidate: a key allowed in a mapping, or a value allowed for a scalar. */
export interface CompletionCandidate {
  label: string;
  kind: 'key' | 'value';
  doc: string;
  type?: string;
  required?: boolean;
}

/** A short label of a descriptor's type for hover and completion details. */
export function typeLabel(d: Descriptor): string {
  switch (d.kind) {
    case 'object':
    case 'tagged':
      return 'mapping';
    case 'map':
      return `mapping of ${d.keyDoc.replace(/\.$/, '').toLowerCase()} → ${typeLabel(d.values)}`;
    case 'array':
      return `list of ${typeLabel(d.items)}`;
    case 'duration':
      return 'duration (e.g. 2s, 500ms, or seconds)';
    case 'size':
      return 'size (e.g. 10MB, 512KiB, or bytes)';
    case 'scalar':
      return 'string, number or boolean';
    default:
      return d.kind;
  }
}

const taggedCache = new WeakMap<TaggedDescriptor, Map<string, Record<string, Descriptor>>>();

/** The keys a tagged mapping allows, given its tag value when known. Do not mutate the result. */
export function taggedProps(d: TaggedDescriptor, tagValue?: unknown): Record<string, Descriptor> {
  // Computed once per descriptor and tag: validation asks for every source and auth block.
  const key = typeof tagValue === 'string' && Object.hasOwn(d.variants, tagValue) ? tagValue : '';
  let byTag = taggedCache.get(d);
  if (!byTag) taggedCache.set(d, (byTag = new Map()));
  const hit = byTag.get(key);
  if (hit) return hit;
  const computed = computeTaggedProps(d, key || undefined);
  byTag.set(key, computed);
  return computed;
}

function computeTaggedProps(d: TaggedDescriptor, tagValue?: string): Record<string, Descriptor> {
  const tagDesc: ScalarDescriptor = {
    kind: 'string',
    doc: d.tagDoc,
    enum: Object.keys(d.variants),
    required: d.defaultTag === undefined,
    default: d.defaultTag,
  };
  const props: Record<string, Descriptor> = { [d.tag]: tagDesc, ...d.common };
  const variant = typeof tagValue === 'string' && Object.hasOwn(d.variants, tagValue) ? d.variants[tagValue] : undefined;
  if (variant) return { ...props, ...variant.props };
  // Unknown tag: every key of every variant is possible; the first variant that has a key wins.
  for (const v of Object.values(d.variants)) {
    for (const [k, p] of Object.entries(v.props)) if (!Object.hasOwn(props, k)) props[k] = p;
  }
  return props;
}

/** Options for path look-ups that depend on the document (the tag chosen in a tagged mapping). */
export interface DescribeOptions {
  /** Tag values (`kind`, `type`) present in the document, keyed by the path of their mapping. */
  tagAt?: (path: SpecPath) => unknown;
}

/** The descriptor for `path`, or undefined when the path is not part of the format. */
export function descriptorAt(path: SpecPath, options: DescribeOptions = {}): Descriptor | undefined {
  let d: Descriptor = SPEC_DESCRIPTOR;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    switch (d.kind) {
      case 'object': {
        if (typeof seg !== 'string' || !Object.hasOwn(d.props, seg)) return undefined;
        d = d.props[seg];
        break;
      }
      case 'tagged': {
        if (typeof seg !== 'string') return undefined;
        const props = taggedProps(d, options.tagAt?.(path.slice(0, i)));
        if (!Object.hasOwn(props, seg)) return undefined;
        d = props[seg];
        break;
      }
      case 'array': {
        if (typeof seg !== 'number') return undefined;
        d = d.items;
        break;
      }
      case 'map': {
        if (typeof seg !== 'string') return undefined;
        d = d.values;
        break;
      }
      default:
        return undefined;
    }
  }
  return d;
}

/** Hover information for the key or value at `path`: doc, type, enum values and default. */
export function describePath(path: SpecPath, options: DescribeOptions = {}): PathDescription | undefined {
  const d = descriptorAt(path, options);
  if (!d) return undefined;
  const out: PathDescription = { doc: d.doc, type: typeLabel(d) };
  if (d.required) out.required = true;
  if (d.deprecated) out.deprecated = d.deprecated;
  if (d.kind === 'array' && 'enum' in d.items && d.items.enum) out.enum = d.items.enum;
  if ('enum' in d && d.enum) out.enum = d.enum;
  if ('default' in d && d.default !== undefined) out.default = d.default;
  if (d.kind === 'tagged' && d.defaultTag !== undefined) out.default = { [d.tag]: d.defaultTag };
  return out;
}

/**
 * Completion candidates at `path`: when `path` names a mapping, the keys allowed in it (minus
 * `present`); when it names a scalar with fixed values, those values.
 */
export function completionsAt(path: SpecPath, options: DescribeOptions & { present?: readonly string[] } = {}): CompletionCandidate[] {
  const d = descriptorAt(path, options);
  if (!d) return [];
  const present = new Set(options.present ?? []);
  const keys = (props: Record<string, Descriptor>): CompletionCandidate[] =>
    Object.entries(props)
      .filter(([k, p]) => !present.has(k) && p.aliasOf === undefined)
      .map(([k, p]) => ({ label: k, kind: 'key' as const, doc: p.doc, type: typeLabel(p), ...(p.required ? { required: true } : {}) }));
  const values = (s: Descriptor): CompletionCandidate[] =>
    'enum' in s && s.enum ? s.enum.map((v) => ({ label: String(v), kind: 'value' as const, doc: s.doc })) : s.kind === 'boolean' ? [true, false].map((v) => ({ label: String(v), kind: 'value' as const, doc: s.doc })) : [];
  switch (d.kind) {
    case 'object':
      return keys(d.props);
    case 'tagged':
      return keys(taggedProps(d, options.tagAt?.(path)));
    case 'array':
      return d.items.kind === 'object' ? keys(d.items.props) : d.items.kind === 'tagged' ? keys(taggedProps(d.items)) : values(d.items);
    case 'map':
      return [];
    default:
      return values(d);
  }
}
