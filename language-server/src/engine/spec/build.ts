/**
 * Model building: the clean value from validation (snake_case keys, units converted, defaults
 * filled) → the camelCase model of model.ts. Nothing here reports; anything missing falls back.
 */
import type {
  ApiSource,
  AuthSpec,
  CollectionSpec,
  DerivedField,
  FieldType,
  FollowRule,
  HtmlFieldSpec,
  IntendedUse,
  JsonFieldSpec,
  PaginationSpec,
  RecordFieldRule,
  ScrapeSource,
  SourceSpec,
  StopConditions,
} from './model';
import type { CleanMap, CleanObject } from './validate';

type Any = Record<string, unknown>;

const obj = (v: unknown): Any => (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map) ? (v as Any) : {});
const map = (v: unknown): CleanMap => (v instanceof Map ? v : new Map());
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strs = (v: unknown): string[] => arr(v).filter((x): x is string => typeof x === 'string');
const s = (v: unknown, d = ''): string => (typeof v === 'string' ? v : d);
const n = (v: unknown, d: number): number => (typeof v === 'number' ? v : d);
const b = (v: unknown, d: boolean): boolean => (typeof v === 'boolean' ? v : d);

/** The built-in defaults, for a spec with nothing in it. */
export function defaultSpec(): CollectionSpec {
  return buildModel({});
}

/** Builds the model from a clean value. */
export function buildModel(c: CleanObject): CollectionSpec {
  const lic = obj(c.licence);
  const pol = obj(c.politeness);
  const conc = obj(pol.concurrency);
  const budget = obj(pol.budget);
  const timeouts = obj(pol.timeouts);
  const retries = obj(pol.retries);
  const rec = obj(c.records);
  const dedupe = obj(rec.dedupe);
  const near = rec.dedupe && obj(dedupe).near_duplicates ? obj(dedupe.near_duplicates) : undefined;
  const out = obj(c.output);
  const spec: CollectionSpec = {
    metadata: { version: 1, name: s(c.name), description: s(c.description), userAgent: s(c.user_agent) },
    licence: { intendedUse: strs(lic.intended_use) as IntendedUse[] },
    politeness: {
      robots: pol.robots === 'ignore' ? 'ignore' : 'obey',
      delayMs: n(pol.delay, 1000),
      jitter: n(pol.jitter, 0.1),
      concurrencyPerHost: n(conc.per_host, 1),
      concurrencyTotal: n(conc.total, 4),
      autoThrottle: b(pol.autothrottle, true),
      budget: {},
      timeouts: { connectMs: n(timeouts.connect, 10_000), headersMs: n(timeouts.headers, 15_000), requestMs: n(timeouts.request, 60_000) },
      maxResponseBytes: n(pol.max_response_size, 10_000_000),
      maxRedirects: n(pol.max_redirects, 10),
      retries: {
        max: n(retries.max, 3),
        backoffMs: n(retries.backoff, 1000),
        maxBackoffMs: n(retries.max_backoff, 60_000),
        retryAfterCapMs: n(retries.retry_after_cap, 120_000),
      },
      allowPrivateNetwork: b(pol.allow_private_network, false),
    },
    sources: [],
    records: {
      fields: [...map(rec.fields)].map(([name, v]) => recordRule(name, obj(v))),
      key: strs(rec.key),
      dedupe: { contentHash: b(dedupe.content_hash, true) },
      derived: [...map(rec.derived)].map(([name, v]) => derivedField(name, obj(v))),
    },
    output: {
      format: out.format === 'csv' || out.format === 'parquet' ? out.format : 'jsonl',
      directory: s(out.directory, 'runs'),
      provenance: b(out.provenance, true),
      neutralizeFormulas: b(out.neutralize_formulas, true),
    },
  };
  if (typeof c.owner === 'string') spec.metadata.owner = c.owner;
  if (typeof lic.spdx === 'string') spec.licence.spdx = lic.spdx;
  if (typeof lic.attribution === 'string') spec.licence.attribution = lic.attribution;
  if (typeof lic.terms_url === 'string') spec.licence.termsUrl = lic.terms_url;
  if (typeof pol.robots_justification === 'string') spec.politeness.robotsJustification = pol.robots_justification;
  for (const [from, to] of [['pages', 'pages'], ['depth', 'depth'], ['records', 'records'], ['time', 'timeMs']] as const) {
    if (typeof budget[from] === 'number') spec.politeness.budget[to] = budget[from] as number;
  }
  if (near && typeof near.field === 'string') spec.records.dedupe.nearDuplicates = { field: near.field, threshold: n(near.threshold, 0.9) };
  arr(c.sources).forEach((raw, i) => {
    const src = buildSource(obj(raw), ['sources', i]);
    if (src) spec.sources.push(src);
  });
  return spec;
}

function fieldType(v: unknown): FieldType {
  return typeof v === 'string' && ['string', 'number', 'integer', 'boolean', 'date', 'url'].includes(v) ? (v as FieldType) : 'string';
}

function recordRule(name: string, v: Any): RecordFieldRule {
  const r: RecordFieldRule = { name, type: fieldType(v.type), required: b(v.required, false), path: ['records', 'fields', name] };
  if (typeof v.min === 'number') r.min = v.min;
  if (typeof v.max === 'number') r.max = v.max;
  if (typeof v.min_length === 'number') r.minLength = v.min_length;
  if (typeof v.max_length === 'number') r.maxLength = v.max_length;
  if (typeof v.pattern === 'string') r.pattern = v.pattern;
  if (Array.isArray(v.enum)) r.enum = v.enum.filter((e): e is string | number | boolean => e !== undefined);
  return r;
}

function derivedField(name: string, v: Any): DerivedField {
  const d: DerivedField = { name, from: s(v.from), path: ['records', 'derived', name] };
  if (v.map instanceof Map) d.map = Object.fromEntries(v.map);
  if (Array.isArray(v.ranges)) {
    d.ranges = v.ranges.filter((r) => r !== undefined).map((r) => {
      const o = obj(r);
      const range: { min?: number; max?: number; value: unknown } = { value: o.value };
      if (typeof o.min === 'number') range.min = o.min;
      if (typeof o.max === 'number') range.max = o.max;
      return range;
    });
  }
  if (v.default !== undefined) d.default = v.default;
  return d;
}

function buildSource(c: Any, path: (string | number)[]): SourceSpec | undefined {
  if (c.kind === 'scrape') return buildScrape(c, path);
  if (c.kind === 'api') return buildApi(c, path);
  return undefined;
}

function buildScrape(c: Any, path: (string | number)[]): ScrapeSource {
  const id = s(c.id);
  const src: ScrapeSource = {
    kind: 'scrape',
    id,
    startUrls: strs(c.start_urls),
    follow: [],
    useCanonical: b(c.use_canonical, true),
    path,
  };
  if (typeof c.sitemap === 'string') src.sitemap = c.sitemap;
  arr(c.follow).forEach((raw, i) => {
    if (raw === undefined) return;
    const f = obj(raw);
    if (typeof f.selector !== 'string') return;
    const rule: FollowRule = { selector: f.selector, source: s(f.source, id), allow: strs(f.allow), deny: strs(f.deny), path: [...path, 'follow', i] };
    if (typeof f.max_depth === 'number') rule.maxDepth = f.max_depth;
    src.follow.push(rule);
  });
  if (c.records !== undefined) {
    const r = obj(c.records);
    src.records = {
      fields: [...map(r.fields)].map(([name, raw]): HtmlFieldSpec => {
        const f = obj(raw);
        const field: HtmlFieldSpec = {
          name,
          fallback: strs(f.fallback),
          // Naming an attribute without saying what to extract can only mean "read the attribute".
          extract: f.extract === 'html' || f.extract === 'attribute' || f.extract === 'text' ? f.extract : typeof f.attribute === 'string' ? 'attribute' : 'text',
          type: fieldType(f.type),
          all: b(f.all, false),
          path: [...path, 'records', 'fields', name],
        };
        if (typeof f.selector === 'string') field.selector = f.selector;
        if (typeof f.attribute === 'string') field.attribute = f.attribute;
        if (typeof f.regex === 'string') field.regex = f.regex;
        if (f.default !== undefined) field.default = f.default;
        return field;
      }),
    };
    if (typeof r.selector === 'string') src.records.selector = r.selector;
  }
  return src;
}

function stopOf(v: unknown): StopConditions {
  const o = obj(v);
  const st: StopConditions = { whenEmpty: b(o.when_empty, true) };
  if (typeof o.max_pages === 'number') st.maxPages = o.max_pages;
  if (typeof o.while === 'string') st.whilePath = o.while;
  return st;
}

function authOf(v: unknown): AuthSpec {
  const a = obj(v);
  switch (a.type) {
    case 'api_key':
      return { type: 'api_key', in: a.in === 'query' ? 'query' : 'header', name: s(a.name), value: s(a.value) };
    case 'bearer':
      return { type: 'bearer', token: s(a.token) };
    case 'basic':
      return { type: 'basic', username: s(a.username), password: s(a.password) };
    case 'oauth2': {
      const o: AuthSpec = { type: 'oauth2', tokenUrl: s(a.token_url), clientId: s(a.client_id), clientSecret: s(a.client_secret) };
      if (typeof a.scope === 'string') o.scope = a.scope;
      return o;
    }
    default:
      return { type: 'none' };
  }
}

function paginationOf(v: unknown): PaginationSpec {
  const p = obj(v);
  const stop = stopOf(p.stop);
  switch (p.type) {
    case 'page': {
      const out: PaginationSpec = { type: 'page', param: s(p.param, 'page'), start: n(p.start, 1), stop };
      if (typeof p.size_param === 'string') out.sizeParam = p.size_param;
      if (typeof p.size === 'number') out.size = p.size;
      return out;
    }
    case 'offset':
      return { type: 'offset', param: s(p.param, 'offset'), start: n(p.start, 0), sizeParam: s(p.size_param, 'limit'), size: n(p.size, 100), stop };
    case 'cursor':
      return { type: 'cursor', param: s(p.param, 'cursor'), cursorPath: s(p.cursor_path), stop };
    case 'link_header':
      return { type: 'link_header', stop };
    case 'next_url':
      return { type: 'next_url', nextPath: s(p.next_path), stop };
    default:
      return { type: 'none' };
  }
}

function buildApi(c: Any, path: (string | number)[]): ApiSource {
  const req = obj(c.request);
  const rec = obj(c.records);
  const src: ApiSource = {
    kind: 'api',
    id: s(c.id),
    request: {
      method: req.method === 'POST' || req.method === 'HEAD' ? req.method : 'GET',
      url: s(req.url),
      params: Object.fromEntries([...map(req.params)].filter(([, v]) => typeof v === 'string')) as Record<string, string>,
      headers: Object.fromEntries([...map(req.headers)].filter(([, v]) => typeof v === 'string')) as Record<string, string>,
    },
    auth: authOf(c.auth),
    pagination: paginationOf(c.pagination),
    records: {
      path: s(rec.path, '$'),
      fields: [...map(rec.fields)].map(([name, raw]): JsonFieldSpec => {
        const f = obj(raw);
        const field: JsonFieldSpec = { name, path: s(f.path, '$'), type: fieldType(f.type), all: b(f.all, false), specPath: [...path, 'records', 'fields', name] };
        if (typeof f.regex === 'string') field.regex = f.regex;
        if (f.default !== undefined) field.default = f.default;
        return field;
      }),
    },
    path,
  };
  if (req.body !== undefined) src.request.body = req.body;
  return src;
}

