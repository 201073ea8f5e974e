/**
 * RFC 9309 matching: which group applies to a user agent and which rule decides a path.
 *
 * Each agent's rules are compiled once per RobotsTxt (cached in a WeakMap keyed by the parsed
 * object). Rules without a wildcard go into a radix tree over their text: a check walks the
 * tree along the path and meets exactly the rules that are prefixes of it. Rules with a
 * wildcard are indexed by their longest literal piece in an Aho-Corasick automaton: one pass
 * over the path finds the rules whose piece occurs in it, and only those are finished with a
 * linear two-pointer wildcard match. No regular expression is built or run per rule, so a
 * 500 KiB robots.txt costs microseconds per URL once compiled.
 */
import { productToken, type RobotsRule, type RobotsTxt } from './parse';

/** The decision for one path and one user agent. */
export interface RobotsVerdict {
  allowed: boolean;
  /** The rule that decided; absent when no rule matched (allowed by default). */
  rule?: { line: number; text: string; kind: 'allow' | 'disallow'; pattern: string };
  /** The largest `Crawl-delay` among the groups that apply. */
  crawlDelaySeconds?: number;
  /** Line of that `Crawl-delay`. */
  crawlDelayLine?: number;
  /** `Content-Signal` values that apply to this agent (global lines merged with the groups'). */
  contentSignal?: Record<string, string>;
  /** The product token whose groups applied, or `*` when the catch-all groups applied. */
  matchedAgent: string;
}

interface CompiledRule {
  rule: RobotsRule;
  /** Normalised pattern; `*` in it is always a wildcard (a literal star is kept as `%2A`). */
  body: string;
  /** The literal prefix (up to the first wildcard) and its length. */
  prefix: string;
  prefixLength: number;
  hasWildcard: boolean;
  /** The pattern ended in `$`: it must match the whole path. */
  anchored: boolean;
  /** Specificity: octets of the normalised pattern, `$` included. */
  length: number;
}

interface TrieNode {
  label: string;
  children?: Map<string, TrieNode>;
  rules?: CompiledRule[];
}

/** A node of the Aho-Corasick automaton over the wildcard rules' literal pieces. */
interface AcNode {
  next: Map<number, AcNode>;
  fail?: AcNode;
  /** Rules whose piece ends exactly here. */
  rules?: CompiledRule[];
  /** The nearest node on the fail chain that has rules (so outputs are found without a scan). */
  output?: AcNode;
}

interface CompiledAgent {
  root: TrieNode;
  wildcards: AcNode;
  /** Wildcard rules with no literal piece at all (such as `*`): always candidates. */
  always: CompiledRule[];
  matchedAgent: string;
  crawlDelaySeconds?: number;
  crawlDelayLine?: number;
  contentSignal?: Record<string, string>;
}

const compiledCache = new WeakMap<RobotsTxt, Map<string, CompiledAgent>>();

const HEX = '0123456789ABCDEF';

function isHex(code: number): boolean {
  return (code >= 48 && code <= 57) || (code >= 65 && code <= 70) || (code >= 97 && code <= 102);
}

function isUnreserved(code: number): boolean {
  return (
    (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || (code >= 48 && code <= 57) ||
    code === 45 || code === 46 || code === 95 || code === 126
  );
}

// Reserved characters (RFC 3986 gen-delims and sub-delims) may appear raw in a URL and keep
// their meaning, so they are left as they are; `*` and `$` are handled by the callers.
const RAW_ALLOWED = new Set(":/?#[]@!&'()+,;=".split('').map((c) => c.charCodeAt(0)));

function encodeByte(byte: number): string {
  return '%' + HEX[byte >> 4]! + HEX[byte & 15]!;
}

/**
 * Brings a path or pattern to one canonical spelling so that equivalent percent-encodings
 * compare equal: `%XX` of an unreserved character is decoded, other `%xx` are upper-cased,
 * non-ASCII characters are UTF-8 percent-encoded, and characters that are not valid raw in a
 * URL are encoded. A `%2F` stays distinct from `/`, since RFC 3986 gives them different meanings.
 * In a pattern, `*` is the wildcard and a final `$` the end anchor; everywhere else (and in a
 * path) they are literal and are written `%2A` / `%24` so that they cannot act as wildcards.
 */
function normalise(input: string, isPattern: boolean): { text: string; anchored: boolean } {
  let out = '';
  let anchored = false;
  let end = input.length;
  if (isPattern && end > 0 && input.charCodeAt(end - 1) === 36 /* $ */) {
    anchored = true;
    end -= 1;
  }
  for (let i = 0; i < end; i++) {
    const code = input.charCodeAt(i);
    if (code === 37 /* % */) {
      if (i + 2 < end && isHex(input.charCodeAt(i + 1)) && isHex(input.charCodeAt(i + 2))) {
        const byte = parseInt(input.slice(i + 1, i + 3), 16);
        out += isUnreserved(byte) ? String.fromCharCode(byte) : encodeByte(byte);
        i += 2;
      } else {
        out += '%25';
      }
    } else if (code === 42 /* * */) {
      if (!isPattern) out += '%2A';
      else if (out.charCodeAt(out.length - 1) !== 42) out += '*';
    } else if (code === 36 /* $ */) {
      out += '%24';
    } else if (code < 0x80) {
      out += isUnreserved(code) || RAW_ALLOWED.has(code) ? input[i] : encodeByte(code);
    } else {
      const codePoint = input.codePointAt(i)!;
      if (codePoint > 0xffff) i++;
      for (const byte of Buffer.from(String.fromCodePoint(codePoint), 'utf8')) out += encodeByte(byte);
    }
  }
  return { text: out, anchored };
}

// Characters that a path may hold as they are: most real paths consist only of these, and
// skip the rebuilding in `normalise` altogether.
const PLAIN = new Uint8Array(128);
for (let code = 0; code < 128; code++) PLAIN[code] = isUnreserved(code) || RAW_ALLOWED.has(code) ? 1 : 0;

/** Normalises a path (and query) for matching; exported for the cache and for tests. */
export function normalisePath(pathAndQuery: string): string {
  for (let i = 0; i < pathAndQuery.length; i++) {
    const code = pathAndQuery.charCodeAt(i);
    if (code >= 128 || PLAIN[code] === 0) return normalise(pathAndQuery, false).text;
  }
  return pathAndQuery;
}

function compileRule(rule: RobotsRule): CompiledRule | undefined {
  // An empty pattern matches nothing (RFC 9309: an empty Disallow disallows nothing).
  if (rule.pattern === '') return undefined;
  const { text, anchored } = normalise(rule.pattern, true);
  const star = text.indexOf('*');
  return {
    rule,
    body: text,
    prefix: star < 0 ? text : text.slice(0, star),
    prefixLength: star < 0 ? text.length : star,
    hasWildcard: star >= 0,
    anchored,
    length: text.length + (anchored ? 1 : 0),
  };
}

function insert(root: TrieNode, key: string, rule: CompiledRule): void {
  let node = root;
  let i = 0;
  for (;;) {
    if (i === key.length) {
      (node.rules ??= []).push(rule);
      return;
    }
    const first = key[i]!;
    node.children ??= new Map();
    const child = node.children.get(first);
    if (!child) {
      node.children.set(first, { label: key.slice(i), rules: [rule] });
      return;
    }
    let common = 0;
    while (common < child.label.length && i + common < key.length && child.label[common] === key[i + common]) common++;
    if (common < child.label.length) {
      // Split the edge so that the shared part becomes its own node.
      const middle: TrieNode = { label: child.label.slice(0, common), children: new Map() };
      child.label = child.label.slice(common);
      middle.children!.set(child.label[0]!, child);
      node.children.set(first, middle);
      node = middle;
    } else {
      node = child;
    }
    i += common;
  }
}

/**
 * Does `rule` match `path`, given that the path already starts with the rule's literal prefix?
 * A greedy two-pointer match that remembers the last `*`: linear in practice and never
 * exponential, unlike a backtracking regex.
 */
function matchesRest(rule: CompiledRule, path: string): boolean {
  if (!rule.hasWildcard) return !rule.anchored || path.length === rule.prefixLength;
  const pattern = rule.body;
  const m = pattern.length;
  const n = path.length;
  let p = rule.prefixLength;
  let s = rule.prefixLength;
  let star = -1;
  let mark = 0;
  for (;;) {
    // Without an anchor a pattern only has to match a prefix of the path.
    if (p === m && !rule.anchored) return true;
    if (s === n) break;
    if (p < m && pattern.charCodeAt(p) === 42) {
      star = p++;
      mark = s;
    } else if (p < m && pattern.charCodeAt(p) === path.charCodeAt(s)) {
      p++;
      s++;
    } else if (star >= 0) {
      p = star + 1;
      s = ++mark;
    } else {
      return false;
    }
  }
  while (p < m && pattern.charCodeAt(p) === 42) p++;
  return p === m;
}

function mergeSignal(target: Record<string, string> | undefined, source: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!source) return target;
  const merged = { ...target };
  for (const [key, value] of Object.entries(source)) {
    // When groups disagree, the restrictive reading wins: ambiguity never grants permission.
    if (merged[key] === 'no') continue;
    merged[key] = value;
  }
  return merged;
}

function compileAgent(robots: RobotsTxt, token: string): CompiledAgent {
  let groups = token === '' ? [] : robots.groups.filter((g) => g.userAgents.includes(token));
  let matchedAgent = token;
  // The catch-all groups apply only when no group names this agent (RFC 9309 2.2.1).
  if (groups.length === 0) {
    groups = robots.groups.filter((g) => g.userAgents.includes('*'));
    matchedAgent = '*';
  }
  // Content-Signal states the site's wishes about how its content is used, not who may fetch
  // it, so the catch-all groups' signals (where sites put them) stand for every agent unless
  // the agent's own groups say otherwise.
  let signal = robots.globalContentSignal;
  if (matchedAgent !== '*') {
    let catchAll: Record<string, string> | undefined;
    for (const group of robots.groups) if (group.userAgents.includes('*')) catchAll = mergeSignal(catchAll, group.contentSignal);
    if (catchAll) signal = { ...signal, ...catchAll };
  }
  let own: Record<string, string> | undefined;
  for (const group of groups) own = mergeSignal(own, group.contentSignal);
  if (own) signal = { ...signal, ...own };
  const compiled: CompiledAgent = { root: { label: '' }, wildcards: { next: new Map() }, always: [], matchedAgent, contentSignal: signal };
  // The same pattern written twice with the same kind decides the same way; keeping only its
  // first line saves checking duplicates, which generated robots.txt files are full of.
  const seen = new Set<string>();
  for (const group of groups) {
    for (const rule of group.rules) {
      const c = compileRule(rule);
      if (!c) continue;
      const identity = `${c.rule.kind} ${c.anchored ? '$' : ''}${c.body}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      if (!c.hasWildcard) {
        insert(compiled.root, c.body, c);
        continue;
      }
      const piece = c.body.split('*').reduce((a, b) => (b.length > a.length ? b : a), '');
      if (piece === '') compiled.always.push(c);
      else acInsert(compiled.wildcards, piece, c);
    }
    if (group.crawlDelaySeconds !== undefined && (compiled.crawlDelaySeconds === undefined || group.crawlDelaySeconds > compiled.crawlDelaySeconds)) {
      compiled.crawlDelaySeconds = group.crawlDelaySeconds;
      compiled.crawlDelayLine = group.crawlDelayLine;
    }
  }
  acLink(compiled.wildcards);
  sortBuckets(compiled);
  return compiled;
}

/** Most specific first, Allow before Disallow on a tie: the first match in a bucket is its best. */
function bySpecificity(a: CompiledRule, b: CompiledRule): number {
  return b.length - a.length || (a.rule.kind === b.rule.kind ? 0 : a.rule.kind === 'allow' ? -1 : 1);
}

function sortBuckets(compiled: CompiledAgent): void {
  compiled.always.sort(bySpecificity);
  const stack: AcNode[] = [compiled.wildcards];
  while (stack.length > 0) {
    const node = stack.pop()!;
    node.rules?.sort(bySpecificity);
    for (const child of node.next.values()) stack.push(child);
  }
  const trie: TrieNode[] = [compiled.root];
  while (trie.length > 0) {
    const node = trie.pop()!;
    node.rules?.sort(bySpecificity);
    if (node.children) for (const child of node.children.values()) trie.push(child);
  }
}

function acInsert(root: AcNode, piece: string, rule: CompiledRule): void {
  let node = root;
  for (let i = 0; i < piece.length; i++) {
    const code = piece.charCodeAt(i);
    let child = node.next.get(code);
    if (!child) {
      child = { next: new Map() };
      node.next.set(code, child);
    }
    node = child;
  }
  (node.rules ??= []).push(rule);
}

/** Sets the fail and output links, breadth first, as Aho-Corasick requires. */
function acLink(root: AcNode): void {
  const queue: AcNode[] = [];
  for (const child of root.next.values()) {
    child.fail = root;
    queue.push(child);
  }
  for (let head = 0; head < queue.length; head++) {
    const node = queue[head]!;
    for (const [code, child] of node.next) {
      let fail = node.fail;
      while (fail && !fail.next.has(code)) fail = fail.fail;
      child.fail = fail ? fail.next.get(code)! : root;
      child.output = child.fail.rules ? child.fail : child.fail.output;
      queue.push(child);
    }
  }
}

function compiledFor(robots: RobotsTxt, token: string): CompiledAgent {
  let perAgent = compiledCache.get(robots);
  if (!perAgent) {
    perAgent = new Map();
    compiledCache.set(robots, perAgent);
  }
  let compiled = perAgent.get(token);
  if (!compiled) {
    compiled = compileAgent(robots, token);
    perAgent.set(token, compiled);
  }
  return compiled;
}

// A crawler asks with the same User-Agent every time; remembering its token saves a regex per check.
let lastAgent = '';
let lastToken = '';

/** The path and query of `input`: a path is taken as it is (minus any fragment), a URL is reduced to it. */
function pathOf(input: string): string {
  let path = input;
  if (!path.startsWith('/')) {
    try {
      const url = new URL(path);
      path = url.pathname + url.search;
    } catch {
      path = '/' + path;
    }
  }
  const hash = path.indexOf('#');
  if (hash >= 0) path = path.slice(0, hash);
  return path === '' ? '/' : path;
}

/**
 * Decides whether `userAgent` may fetch `pathAndQuery` (a path such as `/a/b?c=d`, or a full
 * URL) under `robots`, following RFC 9309: the product token is matched case-insensitively, all
 * groups naming it are merged, the `*` groups apply only when none does, the longest matching
 * pattern wins with Allow winning a tie, `*` and `$` are honoured, percent-encodings are compared
 * in a normal form, an empty Disallow disallows nothing and `/robots.txt` is always allowed.
 */
export function evaluateRobots(robots: RobotsTxt, userAgent: string, pathAndQuery: string): RobotsVerdict {
  if (userAgent !== lastAgent) {
    lastAgent = userAgent;
    lastToken = productToken(userAgent);
  }
  const compiled = compiledFor(robots, lastToken);
  const verdict: RobotsVerdict = { allowed: true, matchedAgent: compiled.matchedAgent };
  if (compiled.crawlDelaySeconds !== undefined) {
    verdict.crawlDelaySeconds = compiled.crawlDelaySeconds;
    verdict.crawlDelayLine = compiled.crawlDelayLine;
  }
  if (compiled.contentSignal) verdict.contentSignal = { ...compiled.contentSignal };

  const path = normalisePath(pathOf(pathAndQuery));
  // RFC 9309 2.2.2: the robots.txt file itself is implicitly allowed.
  if (path === '/robots.txt' || path.startsWith('/robots.txt?')) return verdict;

  let best: CompiledRule | undefined;
  const consider = (rules: CompiledRule[] | undefined): void => {
    if (!rules) return;
    // Buckets are sorted most specific first, so the first rule that cannot beat `best`
    // ends the bucket, and the first rule that matches is the bucket's best.
    for (const rule of rules) {
      if (best && (rule.length < best.length || (rule.length === best.length && (best.rule.kind === 'allow' || rule.rule.kind === 'disallow')))) break;
      if ((!rule.hasWildcard || path.startsWith(rule.prefix)) && matchesRest(rule, path)) {
        best = rule;
        break;
      }
    }
  };
  let node = compiled.root;
  let i = 0;
  consider(node.rules);
  while (i < path.length) {
    const child = node.children?.get(path[i]!);
    if (!child || !path.startsWith(child.label, i)) break;
    i += child.label.length;
    node = child;
    consider(node.rules);
  }
  consider(compiled.always);
  if (compiled.wildcards.next.size > 0) {
    // One pass of the automaton reports every wildcard rule whose longest literal piece occurs
    // in the path; a rule reported twice is simply checked twice (pieces rarely repeat).
    const root = compiled.wildcards;
    let state = root;
    for (let k = 0; k < path.length; k++) {
      const code = path.charCodeAt(k);
      while (state !== root && !state.next.has(code)) state = state.fail!;
      state = state.next.get(code) ?? root;
      for (let out: AcNode | undefined = state.rules ? state : state.output; out; out = out.output) consider(out.rules);
    }
  }
  if (best) {
    const r = best.rule;
    verdict.allowed = r.kind === 'allow';
    verdict.rule = { line: r.line, text: r.text, kind: r.kind, pattern: r.pattern };
  }
  return verdict;
}

/**
 * Whether one robots-style pattern (`*` wildcard, final `$` anchor, percent-encoding compared in
 * normal form) matches a path. Used for TDMRep `location` values, which share the syntax.
 */
export function patternMatches(pattern: string, pathAndQuery: string): boolean {
  const compiled = compileRule({ kind: 'allow', pattern, line: 0, text: pattern });
  if (!compiled) return false;
  const path = normalisePath(pathOf(pathAndQuery));
  return path.startsWith(compiled.prefix) && matchesRest(compiled, path);
}
