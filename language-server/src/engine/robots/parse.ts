/**
 * A tolerant robots.txt parser (RFC 9309 section 2.2). It never throws: whatever the text, it
 * returns the groups it could read, and lines it could not read are skipped, as the RFC asks
 * ("crawlers MUST try to parse each line ... and ignore what they cannot").
 */

/** One `Allow` or `Disallow` line of a group. */
export interface RobotsRule {
  kind: 'allow' | 'disallow';
  /** The path pattern as written (trimmed, comment removed); may be empty. */
  pattern: string;
  /** 1-based line number in the robots.txt text. */
  line: number;
  /** The original line, without its line ending. */
  text: string;
}

/** A group: one or more `User-agent` lines and the records that follow them. */
export interface RobotsGroup {
  /** Product tokens as written in the file, lower-cased (`*` for the catch-all group). */
  userAgents: string[];
  /** Line of the group's first `User-agent` line (1-based). */
  line: number;
  rules: RobotsRule[];
  /** `Crawl-delay` in seconds, when the group has a valid one (the last one wins). */
  crawlDelaySeconds?: number;
  /** Line of the `Crawl-delay` that set `crawlDelaySeconds`. */
  crawlDelayLine?: number;
  /** `Content-Signal` key/values of the group (keys and values lower-cased). */
  contentSignal?: Record<string, string>;
}

/** A parsed robots.txt file. */
export interface RobotsTxt {
  groups: RobotsGroup[];
  /** `Sitemap` URLs in file order (they may appear anywhere, inside or outside groups). */
  sitemaps: string[];
  /** `Content-Signal` lines found before any `User-agent` line: they apply to every agent. */
  globalContentSignal?: Record<string, string>;
  /** True when the text was longer than the parse limit and its tail was ignored. */
  truncated: boolean;
  /** UTF-8 size of the text that was parsed. */
  parsedBytes: number;
}

/** The RFC's floor for how much of a robots.txt a crawler must parse. */
export const DEFAULT_MAX_ROBOTS_BYTES = 512 * 1024;

type Directive = 'user-agent' | 'allow' | 'disallow' | 'crawl-delay' | 'sitemap' | 'content-signal';

// Misspellings seen in the wild and accepted by Google's reference parser; being lenient here
// is the polite choice, since a site owner who wrote "Dissallow" meant to keep us out.
const DIRECTIVES: Record<string, Directive> = {
  'user-agent': 'user-agent',
  useragent: 'user-agent',
  'user agent': 'user-agent',
  allow: 'allow',
  disallow: 'disallow',
  dissallow: 'disallow',
  dissalow: 'disallow',
  disalow: 'disallow',
  diasllow: 'disallow',
  disallaw: 'disallow',
  'crawl-delay': 'crawl-delay',
  crawldelay: 'crawl-delay',
  sitemap: 'sitemap',
  'site-map': 'sitemap',
  'content-signal': 'content-signal',
};

/**
 * Cuts `text` to at most `maxBytes` UTF-8 bytes, dropping a final incomplete line so that a cut
 * never turns `Disallow: /private/` into a different, shorter rule.
 */
function limitText(text: string, maxBytes: number): { text: string; truncated: boolean; bytes: number } {
  // Every UTF-16 code unit is at most 3 UTF-8 bytes, so short texts need no encoding at all.
  if (text.length * 3 <= maxBytes) return { text, truncated: false, bytes: Buffer.byteLength(text, 'utf8') };
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= maxBytes) return { text, truncated: false, bytes: bytes.length };
  let cut = bytes.subarray(0, Math.max(0, maxBytes)).toString('utf8');
  const lastBreak = Math.max(cut.lastIndexOf('\n'), cut.lastIndexOf('\r'));
  cut = lastBreak >= 0 ? cut.slice(0, lastBreak + 1) : '';
  return { text: cut, truncated: true, bytes: Buffer.byteLength(cut, 'utf8') };
}

/** Splits one line into a directive and its value, or undefined when it is not a record. */
function splitLine(line: string): { key: string; value: string } | undefined {
  const hash = line.indexOf('#');
  const content = (hash >= 0 ? line.slice(0, hash) : line).trim();
  if (content === '') return undefined;
  const colon = content.indexOf(':');
  if (colon >= 0) {
    return { key: content.slice(0, colon).trim().toLowerCase(), value: content.slice(colon + 1).trim() };
  }
  // A missing colon ("Disallow /") is accepted when the line is exactly a name and a value,
  // as Google's parser does; anything longer is too ambiguous to guess at.
  const parts = content.split(/[ \t]+/);
  if (parts.length !== 2) return undefined;
  return { key: parts[0]!.toLowerCase(), value: parts[1]! };
}

/**
 * The product token of a `User-agent` value or of a client's User-Agent header: the leading run
 * of letters, `_` and `-`, lower-cased. `GleanerBot/0.1 (+mailto:x)` → `gleanerbot`;
 * `*` stays `*`. Empty when there is no token.
 */
export function productToken(userAgent: string): string {
  const trimmed = userAgent.trim();
  // `*` is the catch-all only on its own (`*bot` is no token at all), as in Google's parser.
  if (trimmed === '*' || /^\*\s/.test(trimmed)) return '*';
  const match = /^[A-Za-z_-]+/.exec(trimmed);
  return match ? match[0].toLowerCase() : '';
}

/** Parses `Content-Signal: search=yes, ai-train=no` into `{ search: 'yes', 'ai-train': 'no' }`. */
export function parseContentSignal(value: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const part of value.split(/[,;]/)) {
    const eq = part.indexOf('=');
    if (eq <= 0) continue;
    const key = part.slice(0, eq).trim().toLowerCase();
    const v = part.slice(eq + 1).trim().toLowerCase();
    if (key !== '' && v !== '') result[key] = v;
  }
  return result;
}

/**
 * Parses robots.txt text. Reads at least the first `maxBytes` UTF-8 bytes (512 KiB by default,
 * the RFC's minimum) and ignores the rest. Tolerates a byte-order mark, CR, LF and CRLF line
 * endings, comments, a missing colon, unknown lines and directive names in any case. Never throws.
 */
export function parseRobots(text: string, maxBytes: number = DEFAULT_MAX_ROBOTS_BYTES): RobotsTxt {
  const limited = limitText(typeof text === 'string' ? text : '', maxBytes);
  let body = limited.text;
  if (body.charCodeAt(0) === 0xfeff) body = body.slice(1);
  const lines = body.split(/\r\n|\r|\n/);

  const robots: RobotsTxt = { groups: [], sitemaps: [], truncated: limited.truncated, parsedBytes: limited.bytes };
  let current: RobotsGroup | undefined;
  // True while consecutive User-agent lines are still adding agents to the same group; the
  // first group member (rule, delay, signal) closes the list, so a later User-agent starts anew.
  let collectingAgents = false;

  for (let index = 0; index < lines.length; index++) {
    const raw = lines[index]!;
    const parsed = splitLine(raw);
    if (!parsed) continue;
    const directive = DIRECTIVES[parsed.key];
    if (directive === undefined) continue;
    const lineNumber = index + 1;
    switch (directive) {
      case 'user-agent': {
        const token = productToken(parsed.value);
        if (!collectingAgents || !current) {
          current = { userAgents: [], line: lineNumber, rules: [] };
          robots.groups.push(current);
          collectingAgents = true;
        }
        // An empty or unreadable agent still belongs to the group's line structure, but it can
        // never match anyone, so it is not recorded.
        if (token !== '') current.userAgents.push(token);
        break;
      }
      case 'allow':
      case 'disallow':
        // Rules before the first User-agent line belong to no group and are ignored (RFC 9309 2.1).
        if (!current) break;
        collectingAgents = false;
        current.rules.push({ kind: directive, pattern: parsed.value, line: lineNumber, text: raw });
        break;
      case 'crawl-delay': {
        if (!current) break;
        collectingAgents = false;
        const seconds = Number(parsed.value);
        if (parsed.value !== '' && Number.isFinite(seconds) && seconds >= 0) {
          current.crawlDelaySeconds = seconds;
          current.crawlDelayLine = lineNumber;
        }
        break;
      }
      case 'content-signal': {
        const signal = parseContentSignal(parsed.value);
        if (!current) {
          robots.globalContentSignal = { ...robots.globalContentSignal, ...signal };
        } else {
          collectingAgents = false;
          current.contentSignal = { ...current.contentSignal, ...signal };
        }
        break;
      }
      case 'sitemap':
        // Sitemap is not a group member: it neither opens nor closes a group.
        if (parsed.value !== '') robots.sitemaps.push(parsed.value);
        break;
    }
  }
  return robots;
}
