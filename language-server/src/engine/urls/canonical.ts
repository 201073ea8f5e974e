/**
 * URL canonicalisation and link scope.
 *
 * The crawler de-duplicates its queue and its records by URL, so two spellings of the same
 * resource must produce the same string. We start from the WHATWG URL parser (which already
 * lower-cases the scheme and host, converts IDN hosts to punycode, drops default ports and
 * resolves `.`/`..` segments) and then remove what WHATWG deliberately keeps: fragments,
 * tracking parameters, lower-case or needless percent-escapes, and parameter order.
 */

/** Query parameters that only track the visitor and never change the resource. */
const TRACKING_PARAMS = new Set(['gclid', 'fbclid', 'mc_cid', 'mc_eid', '_ga', 'yclid', 'msclkid']);

/** True when `name` (already percent-decoded) is a tracking parameter. */
export function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return lower.startsWith('utm_') || TRACKING_PARAMS.has(lower);
}

const UNRESERVED = /^[A-Za-z0-9\-._~]$/;

/**
 * Upper-cases every percent-escape and decodes the ones that encode an unreserved character
 * (RFC 3986 §6.2.2.2): `%7e` and `%7E` both become `~`, `%2f` becomes `%2F` (a reserved
 * character keeps its escape because decoding it would change the meaning).
 */
function normalizePercent(text: string): string {
  if (!text.includes('%')) return text;
  return text.replace(/%([0-9A-Fa-f]{2})/g, (_match, hex: string) => {
    const char = String.fromCharCode(parseInt(hex, 16));
    return UNRESERVED.test(char) ? char : `%${hex.toUpperCase()}`;
  });
}

/** Decodes a query-parameter name for comparison only; a malformed escape stays as it is. */
function decodeName(name: string): string {
  try {
    return decodeURIComponent(name.replace(/\+/g, ' '));
  } catch {
    // A lone `%` is legal in the wild; comparing the raw text is the best we can do.
    return name;
  }
}

/**
 * The canonical form of `url` (resolved against `base` when relative), or undefined when it is
 * not a valid http(s) URL — `javascript:`, `mailto:`, `data:` and garbage all give undefined.
 *
 * Canonical means: fragment dropped; tracking parameters (`utm_*`, `gclid`, `fbclid`, `mc_cid`,
 * `mc_eid`, `_ga`, `yclid`, `msclkid`) dropped; default port dropped; scheme and host lower case;
 * IDN host in punycode; percent-escapes upper case, unreserved ones decoded; query parameters
 * sorted by name (stable, so repeated names keep their order); an empty `?` removed. Path case
 * is kept, since paths are case-sensitive on most servers.
 */
export function canonicalizeUrl(url: string, base?: string): string | undefined {
  let parsed: URL;
  try {
    parsed = base === undefined ? new URL(url.trim()) : new URL(url.trim(), base);
  } catch {
    return undefined;
  }
  return canonicalOf(parsed);
}

/** The canonical form of a parsed URL (see canonicalizeUrl). */
function canonicalOf(parsed: URL): string | undefined {
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  if (parsed.hostname === '') return undefined;

  // The fragment is dropped by leaving `hash` out of the rebuilt string below; assigning
  // `parsed.hash = ''` would make the URL re-serialise itself, which costs more than the parse.
  const pathname = normalizePercent(parsed.pathname);
  const search = canonicalQuery(parsed.search);
  // Rebuild by hand: assigning `search` back to URL would re-encode characters our sort kept.
  const auth = parsed.username !== '' ? `${parsed.username}${parsed.password !== '' ? `:${parsed.password}` : ''}@` : '';
  return `${parsed.protocol}//${auth}${parsed.host}${pathname}${search}`;
}

/** The canonical `?query` (or '' when nothing is left). */
function canonicalQuery(search: string): string {
  if (search.length <= 1) return '';
  const params = search
    .slice(1)
    .split('&')
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      const rawName = eq === -1 ? part : part.slice(0, eq);
      return { name: normalizePercent(rawName), text: normalizePercent(part), decoded: decodeName(rawName) };
    })
    .filter((param) => !isTrackingParam(param.decoded));
  if (params.length === 0) return '';
  // Array.prototype.sort is stable (ES2019), so `a=2&a=1` keeps its order: servers often read
  // repeated parameters as an ordered list.
  params.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  return `?${params.map((param) => param.text).join('&')}`;
}

/**
 * A relative reference made only of these (unreserved characters and `/`), with no `.`/`..`
 * segment and not starting with `//`, is simple: resolving one against a base is plain string
 * concatenation, and the result needs no further normalisation.
 */
const SIMPLE_CHARS = /^[A-Za-z0-9\-._~/]+$/;

/**
 * For text already known to be made of SIMPLE_CHARS: not `//`-led and free of dot segments. Any
 * `.` right after a `/` or at the start counts (so, conservatively, do dot files, which then take
 * the slow path); lookaheads doing the same cost more than a URL parse.
 */
function hasNoDotSegment(path: string): boolean {
  return !path.startsWith('//') && !path.startsWith('.') && !path.includes('/.');
}

/** Resolves and canonicalises many references against one base (one page's links). */
export interface UrlResolver {
  /** The absolute URL as WHATWG resolves it (not canonicalised), or undefined when invalid or not http(s). */
  resolve(href: string): string | undefined;
  /** `canonicalizeUrl(href, base)`. */
  canonical(href: string): string | undefined;
}

/**
 * A resolver for one base URL. Listing pages carry dozens of links like `book_12/index.html`;
 * for those simple references the result is the base directory plus the reference, which we
 * build by concatenation instead of a full URL parse per link (the parse dominated link
 * extraction in bench/extract-bench.ts). Everything else goes through the URL parser, so the
 * results are always identical to {@link canonicalizeUrl} and `new URL(href, base).href`.
 */
export function createUrlResolver(base: string): UrlResolver {
  let parsedBase: URL | undefined;
  try {
    parsedBase = new URL(base);
  } catch {
    parsedBase = undefined;
  }
  const httpBase = parsedBase !== undefined && (parsedBase.protocol === 'http:' || parsedBase.protocol === 'https:') && parsedBase.hostname !== '';
  const rawPrefix = httpBase ? prefixes(parsedBase!.href) : undefined;
  const canonicalBase = httpBase ? canonicalOf(parsedBase!) : undefined;
  const canonicalPrefix = canonicalBase !== undefined ? prefixes(canonicalBase) : undefined;

  return {
    resolve(href: string): string | undefined {
      const fast = rawPrefix !== undefined ? resolveSimple(href, rawPrefix) : undefined;
      if (fast !== undefined) return fast;
      let url: URL;
      try {
        url = parsedBase !== undefined ? new URL(href.trim(), parsedBase) : new URL(href.trim());
      } catch {
        return undefined;
      }
      return url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
    },
    canonical(href: string): string | undefined {
      const fast = canonicalPrefix !== undefined ? resolveSimple(href, canonicalPrefix) : undefined;
      if (fast !== undefined) return fast;
      return parsedBase !== undefined ? canonicalizeUrl(href, parsedBase.href) : canonicalizeUrl(href);
    },
  };
}

/**
 * Resolves a simple reference by string operations, or returns undefined for the URL parser to
 * handle. Leading `../` and `./` are applied to the base directory as RFC 3986 §5.2.4 does
 * (never above the root); what follows them must itself be simple.
 */
function resolveSimple(href: string, prefix: { origin: string; directory: string }): string | undefined {
  if (!SIMPLE_CHARS.test(href)) return undefined;
  if (href.charCodeAt(0) === 0x2f /* / */) return hasNoDotSegment(href) ? prefix.origin + href : undefined;
  let rest = href;
  let up = 0;
  for (;;) {
    if (rest.startsWith('../')) {
      up++;
      rest = rest.slice(3);
    } else if (rest.startsWith('./')) {
      rest = rest.slice(2);
    } else {
      break;
    }
  }
  // `rest` is a suffix of `href`, so its characters are simple too.
  if (rest === '' || rest.startsWith('/') || !hasNoDotSegment(rest)) return undefined;
  if (up === 0) return prefix.directory + rest;
  let path = prefix.directory.slice(prefix.origin.length);
  for (let i = 0; i < up && path.length > 1; i++) path = path.slice(0, path.lastIndexOf('/', path.length - 2) + 1);
  return prefix.origin + path + rest;
}

/** `origin` is scheme://authority; `directory` runs to the last `/` of the path. */
function prefixes(absolute: string): { origin: string; directory: string } {
  const cut = absolute.search(/[?#]/);
  const withoutQuery = cut === -1 ? absolute : absolute.slice(0, cut);
  const pathStart = withoutQuery.indexOf('/', withoutQuery.indexOf('//') + 2);
  const origin = pathStart === -1 ? withoutQuery : withoutQuery.slice(0, pathStart);
  const directory = withoutQuery.slice(0, withoutQuery.lastIndexOf('/') + 1);
  return { origin, directory: pathStart === -1 ? `${origin}/` : directory };
}

/** Which followed URLs a rule accepts: one `allow` regex must match (if any), no `deny` may. */
export interface ScopeRule {
  allow: readonly string[];
  deny: readonly string[];
}

/** Compiled scope regexes by source text; null marks an invalid pattern (the spec checker reports it). */
const regexCache = new Map<string, RegExp | null>();
const REGEX_CACHE_LIMIT = 1000;

function compiled(pattern: string): RegExp | null {
  let regex = regexCache.get(pattern);
  if (regex === undefined) {
    try {
      regex = new RegExp(pattern, 'u');
    } catch {
      try {
        // Many users write patterns that are valid only without the `u` flag (e.g. `\-`).
        regex = new RegExp(pattern);
      } catch {
        regex = null;
      }
    }
    // The patterns come from a handful of specs; the bound only guards a runaway editor session.
    if (regexCache.size >= REGEX_CACHE_LIMIT) regexCache.clear();
    regexCache.set(pattern, regex);
  }
  return regex;
}

/**
 * True when `url` is an http(s) URL that the rule accepts: it matches at least one `allow`
 * pattern (or there are none) and no `deny` pattern. Patterns are unanchored regexes tested
 * against the URL as given (callers pass the canonical form). A pattern that does not compile
 * matches nothing; the spec checker reports it as an error, so no crawl starts with one.
 */
export function inScope(url: string, rule: ScopeRule): boolean {
  return scopeTest(rule)(url);
}

/** A regex literal inside a function is a new object at every call; this one is tested per link. */
const HTTP_URL = /^https?:\/\//i;

/** {@link inScope} for one rule, its patterns looked up once: what a page's many links are tested with. */
export function scopeTest(rule: ScopeRule): (url: string) => boolean {
  const allow = rule.allow.map(compiled);
  const deny = rule.deny.map(compiled);
  const matchesAny = (regexes: (RegExp | null)[], url: string): boolean => {
    for (const regex of regexes) if (regex !== null && regex.test(url)) return true;
    return false;
  };
  return (url) => HTTP_URL.test(url) && (allow.length === 0 || matchesAny(allow, url)) && !matchesAny(deny, url);
}
