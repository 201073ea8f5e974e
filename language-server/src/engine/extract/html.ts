/**
 * Record and link extraction from HTML pages.
 *
 * We parse with htmlparser2 (its Parser and a DomHandler, so the same tree as `parseDocument`
 * gives, without source positions) and query with css-select directly: the same two
 * libraries cheerio's htmlparser2 mode (`cheerio/slim`) is built on, without cheerio's wrapper
 * objects, and with every selector compiled once per extractor instead of once per call. parse5
 * would be more spec-faithful on pathological markup but is several times slower, and a crawl
 * parses every page it fetches. htmlparser2 never throws on bad markup; it closes what it can.
 *
 * Selectors find their candidates through an index, not by walking the tree per selector: one
 * walk after the parse numbers the elements in document order, notes where each element's subtree
 * ends, and files the elements under the compounds the selectors end in (the `a` of `h3 a`, the
 * `p.price` of `div p.price`: tag name plus one id or class). A selector is then only tried on
 * the elements of its list in the range of the record (or page) it searches, and only on those
 * inside an element of each compound its descendant and child combinators name (an `a` outside
 * every `h3` cannot match `h3 a`). These are necessary conditions; the compiled css-select query
 * still decides, except where the index states the whole selector: a lone compound (`p.price`),
 * or two joined by a descendant combinator (`h3 a`), which an element matches when it lies inside
 * an element of the left one's list (within the record, for a field). So what matches is exactly
 * what css-select alone would match, in the same order. Walking the tree per
 * selector, and css-select's ancestor checks on elements that cannot match, were most of what
 * extraction added to the parse of a product page (bench/extract-bench.ts measures the two).
 *
 * Field selectors are relative to the record element, as in cheerio's `find`: they match
 * descendants of the record, and the compounds on their left may match the record itself but
 * never an ancestor outside it (`div p` does not match a `p` in the record just because the page
 * wraps everything in a `div`). We get that by detaching the record from its parent while its
 * fields are read, which also bounds every ancestor walk css-select makes at the record and is
 * what makes field queries cheap. A leading `>` means a child of the record; a leading `+` or
 * `~` (a sibling of the record) matches nothing.
 *
 * The extractor is synchronous and keeps per-record scratch state, so one extractor must not be
 * used from two extractions at once (JavaScript's single thread makes that automatic unless a
 * caller re-enters from inside a callback, and there are none).
 */
import { _compileUnsafe as compileUnsafe } from 'css-select';
import type { Options as CssSelectOptions } from 'css-select';
import { isTraversal, parse as parseSelector, SelectorType, type Selector } from 'css-what';
import { DomHandler } from 'domhandler';
import type { AnyNode, Document, Element, ParentNode } from 'domhandler';
import * as DomUtils from 'domutils';
import { Parser } from 'htmlparser2';
import type { FollowRule, HtmlFieldSpec, ScrapeSource } from '../spec/model';
import type { ExtractedRecord } from '../records/types';
import { createUrlResolver, scopeTest } from '../urls/canonical';
import { applyRegex, byField, compileFieldRegex, finishField, foundAny } from './field-value';
import type { CompiledRegex, FinishSpec } from './field-value';

export type { ExtractedRecord, FieldError } from '../records/types';

/** A link found by a follow rule: canonical, in scope, unique within its page. */
export interface ExtractedLink {
  url: string;
  rule: FollowRule;
  /** Id of the source that handles the linked page. */
  source: string;
}

/** Everything extracted from one page. */
export interface HtmlExtraction {
  records: ExtractedRecord[];
  links: ExtractedLink[];
  /** The page's `<link rel="canonical">`, canonicalised, when it has a valid one. */
  canonicalUrl?: string;
  /** Per field: how many records had a value from the page (defaults do not count). */
  matchCounts: Record<string, number>;
  recordCount: number;
  /** Selector or regex problems, and pages where the record selector matched nothing. */
  warnings: string[];
}

/** A compiled extractor for one scrape source; reusable across pages, not re-entrant. */
export interface HtmlExtractor {
  extract(html: string, pageUrl: string): HtmlExtraction;
  /** Problems found while compiling (invalid selectors or regexes), also repeated per page. */
  readonly warnings: readonly string[];
}

/**
 * A compiled selector as a predicate on elements. We use css-select's `_compileUnsafe`, which
 * skips the "is this an element?" wrapper around every call: our own traversals (findAll,
 * findOne, the page walk) only ever pass elements.
 */
type Query = (elem: Element) => boolean;

interface CompiledSelector {
  text: string;
  query: Query;
  /** Which of the page index's candidate lists holds every element the query can match. */
  candidates: number;
  /** Candidate lists of which every match has an ancestor in each (see shapeOf). */
  ancestors: number[];
  /** The candidates are exactly the matches (see shapeOf). */
  exact: boolean;
  /**
   * For `A B` where both compounds say no more than their admissions (see shapeOf), the
   * candidate list of A: a candidate of B matches exactly when it lies inside an element of it.
   */
  pairAncestor?: number;
}

/**
 * A field as extraction uses it. Every one is built by the same literal, so that the few hundred
 * reads of its properties per page all see one object shape (the specs it comes from differ in
 * which optional keys they have).
 */
interface CompiledField {
  name: string;
  /** What coercion needs; one shape too. */
  finish: FinishSpec;
  /** What the field reads from an element it selects. */
  reading: HtmlFieldSpec['extract'];
  all: boolean;
  /** Selectors in the order tried; `self` stands for the record element itself. */
  chain: (CompiledSelector | 'self')[];
  regex?: CompiledRegex;
  /** The regex did not compile: the field never has a value. */
  broken: boolean;
  /** Without `all` or a regex the first matching element decides, and the search stops there. */
  firstOnly: boolean;
  /** The attribute to read (lowercase, as htmlparser2 stores names), with `extract: attribute`. */
  attribute?: string;
}

/** True for element nodes (htmlparser2 gives `<script>` and `<style>` their own types). */
function isElement(node: AnyNode): node is Element {
  const type = node.type;
  return type === 'tag' || type === 'script' || type === 'style';
}

/**
 * Visits every element in the subtrees of `nodes` in document order until `visit` returns true.
 * Iterative: broken pages nest thousands of unclosed tags, and recursion would overflow.
 */
function walkElements(nodes: AnyNode[], visit: (elem: Element) => boolean): void {
  const stack: AnyNode[][] = [nodes];
  const indexes: number[] = [0];
  while (stack.length > 0) {
    const level = stack[stack.length - 1];
    const index = indexes[indexes.length - 1]++;
    if (index >= level.length) {
      stack.pop();
      indexes.pop();
      continue;
    }
    const node = level[index];
    if (!isElement(node)) continue;
    if (visit(node)) return;
    if (node.children.length > 0) {
      stack.push(node.children);
      indexes.push(0);
    }
  }
}

/** Every element in the subtrees of `nodes` (document order) that passes `test`. */
function findAll(test: (elem: Element) => boolean, nodes: AnyNode[]): Element[] {
  const result: Element[] = [];
  walkElements(nodes, (elem) => {
    if (test(elem)) result.push(elem);
    return false;
  });
  return result;
}

/** The first element in the subtrees of `nodes` (document order) that passes `test`. */
function findOne(test: (elem: Element) => boolean, nodes: AnyNode[]): Element | null {
  let found: Element | null = null;
  walkElements(nodes, (elem) => {
    if (!test(elem)) return false;
    found = elem;
    return true;
  });
  return found;
}

/**
 * css-select's default adapter is the `domutils` module namespace, whose CommonJS re-export
 * getters cost a property lookup through a getter on every call; profiling showed a fifth of the
 * selector time there. A plain object of the same functions (plus direct field reads for the
 * hottest calls) behaves identically.
 */
const ADAPTER: NonNullable<CssSelectOptions<AnyNode, Element>['adapter']> = {
  ...DomUtils,
  isTag: isElement,
  getAttributeValue: (elem: Element, name: string) => elem.attribs[name],
  hasAttrib: (elem: Element, name: string) => Object.prototype.hasOwnProperty.call(elem.attribs, name) && elem.attribs[name] != null,
  getName: (elem: Element) => elem.name,
  getParent: (node: Element) => node.parent,
  getChildren: (node: AnyNode) => ('children' in node ? node.children : []),
  findAll,
  findOne,
  // `:has()` and `:contains()` go through these; domutils' versions recurse, and a page of
  // thousands of unclosed tags would overflow the stack.
  existsOne: (test: (elem: Element) => boolean, nodes: AnyNode[]) => findOne(test, nodes) !== null,
  getText: (node: AnyNode) => collectText(node),
};

/**
 * css-select's result cache (a WeakSet per descendant combinator) costs more than it saves on
 * product pages, whose trees are shallow; and field queries run on detached records (see the top
 * of the file), whose changing shape would make a cache lie.
 */
const CSS_OPTIONS: CssSelectOptions<AnyNode, Element> = { xmlMode: false, adapter: ADAPTER, cacheResults: false };

const { getInnerHTML } = DomUtils;

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The text of `node`'s subtree (like `textContent`: comments left out), without recursion. */
function collectText(node: AnyNode): string {
  const parts: string[] = [];
  const stack: AnyNode[] = [node];
  while (stack.length > 0) {
    const current = stack.pop() as AnyNode;
    if (current.type === 'text') parts.push(current.data);
    else if (current.type !== 'comment' && 'children' in current) {
      for (let i = current.children.length - 1; i >= 0; i--) stack.push(current.children[i]);
    }
  }
  return parts.length === 1 ? parts[0] : parts.join('');
}

/** The element's text with runs of whitespace (incl. no-break spaces) collapsed to one space, trimmed. */
function textOf(node: AnyNode): string {
  if (node.type === 'text') return collapse(node.data);
  // Most fields read an element holding one text node; skip the traversal for those.
  if ('children' in node && node.children.length === 1 && node.children[0].type === 'text') return collapse(node.children[0].data);
  return collapse(collectText(node));
}

/** The whitespace of JavaScript's `\s` beyond Latin-1, which V8 rules out of one-byte strings without scanning them. */
const WIDE_WHITESPACE = /[\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]/;

/**
 * Whether `text` holds whitespace other than the plain space (`\s` without U+0020). Six
 * single-character searches, which V8 vectorises, cost about a quarter of one pass of a
 * character-class regex over a long description.
 */
function hasOtherWhitespace(text: string): boolean {
  return (
    text.includes('\n') ||
    text.includes('\t') ||
    text.includes('\r') ||
    text.includes('\u00a0') ||
    text.includes('\f') ||
    text.includes('\v') ||
    WIDE_WHITESPACE.test(text)
  );
}

/** Anything but whitespace (in JavaScript's sense, as `trim` has it): a value without it counts as empty. */
const NOT_BLANK = /\S/;

/**
 * Collapses runs of whitespace to one space and trims. Trimming first is cheap and is all that
 * most texts need (a label indented on its own line); the regex replace, which builds a new
 * string run by run, is left for texts with whitespace to collapse inside them.
 */
function collapse(text: string): string {
  const trimmed = text.trim();
  return trimmed.includes('  ') || hasOtherWhitespace(trimmed) ? trimmed.replace(/\s+/g, ' ') : trimmed;
}

/**
 * What an element must be to match one alternative of a selector list, read off the compound the
 * alternative ends in: its tag name (lowercase, as htmlparser2 stores names and css-select
 * compares them) and, when the compound has one, an id or a class it must carry.
 */
interface Admission {
  name: string;
  id?: string;
  className?: string;
}

/** The admission of the compound `tokens` (no combinators), or undefined when it names no plain tag. */
function admissionOfCompound(tokens: Selector[]): Admission | undefined {
  let name: string | undefined;
  let id: string | undefined;
  let className: string | undefined;
  for (const token of tokens) {
    if (token.type === SelectorType.Tag && token.namespace === null) name = token.name.toLowerCase();
    // Only case-sensitive comparisons, as css-select makes them for `#id` and `.class` in
    // HTML documents without quirks mode, and only the forms whose test we repeat exactly.
    if (token.type !== SelectorType.Attribute || token.namespace !== null || token.ignoreCase === true || token.value === '') continue;
    const attribute = token.name.toLowerCase();
    if (attribute === 'id' && token.action === 'equals') id = token.value;
    else if (attribute === 'class' && token.action === 'element' && !/\s/.test(token.value)) className ??= token.value;
  }
  if (name === undefined) return undefined;
  // An id is the narrower filter; keeping one test per element keeps the index cheap.
  return id !== undefined ? { name, id } : className !== undefined ? { name, className } : { name };
}

/**
 * What the index can tell about the elements `selector` matches. `subject`: one admission per
 * alternative of the list, or undefined when some alternative ends in a compound without a plain
 * tag name (`.price`, `*`, `:is(h1, h2)`), so that any element can match. `ancestors`: for a
 * selector without alternatives, the compounds joined to the subject by descendant and child
 * combinators only (the `div.related` of `div.related > p a`), each of which some ancestor of a
 * match must pass. `exact`: every alternative is one compound that says no more than its
 * admission, so that the candidate list holds exactly the matches and the query need not run.
 * `pair`: the selector is `A B` (one descendant combinator) and both compounds say no more than
 * their admissions, so that being inside an element of A decides a candidate of B.
 */
function shapeOf(selector: string): { subject?: Admission[]; ancestors: Admission[]; exact: boolean; pair?: Admission } {
  const alternatives = parseSelector(selector);
  const subject: Admission[] = [];
  let subjectKnown = true;
  let exact = true;
  for (const alternative of alternatives) {
    let start = alternative.length;
    while (start > 0 && !isTraversal(alternative[start - 1])) start--;
    const admission = admissionOfCompound(alternative.slice(start));
    if (admission === undefined) subjectKnown = false;
    else subject.push(admission);
    // `p`, `p.price` or `div#main` alone say no more than the admission: the index decides them.
    if (start !== 0 || alternative.length !== tokensSaid(admission)) exact = false;
  }
  let pair: Admission | undefined;
  if (alternatives.length === 1) {
    const tokens = alternatives[0];
    const combinator = tokens.findIndex(isTraversal);
    if (combinator > 0 && tokens[combinator].type === SelectorType.Descendant && !tokens.slice(combinator + 1).some(isTraversal)) {
      const left = admissionOfCompound(tokens.slice(0, combinator));
      const right = admissionOfCompound(tokens.slice(combinator + 1));
      if (left !== undefined && right !== undefined && combinator === tokensSaid(left) && tokens.length - combinator - 1 === tokensSaid(right)) pair = left;
    }
  }
  const ancestors: Admission[] = [];
  if (alternatives.length === 1) {
    const tokens = alternatives[0];
    let end = tokens.length;
    while (end > 0 && !isTraversal(tokens[end - 1])) end--;
    // `end - 1` is the combinator left of the subject; walk left while it makes an ancestor.
    while (end > 0 && (tokens[end - 1].type === SelectorType.Descendant || tokens[end - 1].type === SelectorType.Child)) {
      let start = end - 1;
      while (start > 0 && !isTraversal(tokens[start - 1])) start--;
      const admission = admissionOfCompound(tokens.slice(start, end - 1));
      if (admission !== undefined) ancestors.push(admission);
      end = start;
    }
  }
  return { subject: subjectKnown ? subject : undefined, ancestors, exact: subjectKnown && exact, pair };
}

/** How many selector tokens an admission accounts for: its tag name and its id or class, if any; -1 for none. */
function tokensSaid(admission: Admission | undefined): number {
  if (admission === undefined) return -1;
  return 1 + (admission.id !== undefined || admission.className !== undefined ? 1 : 0);
}

/** Whether `attribs` pass `admission` (its tag name already matched). */
type AttributeFilter = (attribs: Record<string, string>) => boolean;

/**
 * The filter of an admission, with the test css-select itself makes: `#id` compares the whole
 * value, `.class` looks for the class among whitespace-separated words (JavaScript's `\s`).
 */
function filterOf(admission: Admission): AttributeFilter | undefined {
  const { id, className } = admission;
  if (id !== undefined) return (attribs) => attribs.id === id;
  if (className === undefined) return undefined;
  const word = new RegExp(`(?:^|\\s)${className.replace(/[-[\]{}()*+?.,\\^$|#]/g, '\\$&')}(?:$|\\s)`);
  return (attribs) => {
    const value = attribs.class;
    return value !== undefined && (value === className || (value.length > className.length && word.test(value)));
  };
}

/** The parse options of extraction: no source positions, which only the preview needs (and parses for itself). */
const PARSE_OPTIONS = { decodeEntities: true };

/**
 * A parsed page and its element index: `elements` in document order and per candidate list (see
 * IndexPlan) the indexes of its elements in ascending order.
 */
interface IndexedPage {
  document: Document;
  elements: Element[];
  /** `ends[i]` is one past the last descendant of `elements[i]`, so its subtree is the range `i + 1 .. ends[i]`. */
  ends: number[];
  lists: number[][];
  /** Per list, computed on first use: `maxEnds[list][k]` is the largest subtree end among its first k + 1 elements. */
  maxEnds: (number[] | undefined)[];
}

/** One way into a candidate list: for elements named `name` that pass `filter`, if any. */
interface ListEntry {
  name: string;
  list: number;
  filter?: AttributeFilter;
}

/**
 * Which candidate lists a page index keeps, and how elements get in. The entries are filed by the
 * first character of their tag name: the walk sees every element of the page, most of them in
 * no list, and an array read rejects those faster than hashing the name (a fresh string from
 * the tokenizer each time) for a map lookup would. `keys` describes each list, so that selectors
 * ending in the same compounds share one.
 */
interface IndexPlan {
  keys: string[];
  /** Entries by the first character code of the name, for codes below 128. */
  byFirstCode: (ListEntry[] | undefined)[];
  /** Entries by the first character, for the rest (custom names may start with any letter). */
  byFirstOther: Map<string, ListEntry[]>;
}

/** The entries for elements named `name` (and other names with the same first character). */
function entriesFor(plan: IndexPlan, name: string): ListEntry[] | undefined {
  const code = name.charCodeAt(0);
  return code < 128 ? plan.byFirstCode[code] : plan.byFirstOther.get(name[0]);
}

/** The list index of a selector that can match any element: it searches `elements` itself. */
const ANY_ELEMENT = -1;

/**
 * Parses `html` with htmlparser2's own tree handler, then indexes the elements in one walk of the
 * tree in document order, which also closes each subtree where its end is known. Elements are
 * never moved once created (htmlparser2 closes tags implicitly but never re-parents). Hooking the
 * handler's callbacks to index while parsing measured slower than this walk: the hooks sit on
 * the parser's hottest path.
 */
function parseIndexed(html: string, plan: IndexPlan): IndexedPage {
  const handler = new DomHandler();
  new Parser(handler, PARSE_OPTIONS).end(html);
  const document = handler.root;
  const elements: Element[] = [];
  const ends: number[] = [];
  const lists: number[][] = plan.keys.map(() => []);
  /** Indexes of the elements whose subtrees the walk is in. */
  const open: number[] = [];
  let node: AnyNode | null = document.children.length > 0 ? document.children[0] : null;
  while (node !== null) {
    if (isElement(node)) {
      const index = elements.length;
      elements.push(node);
      ends.push(index + 1);
      const entries = entriesFor(plan, node.name);
      if (entries !== undefined) {
        for (const { name, list, filter } of entries) {
          if (name !== node.name || (filter !== undefined && !filter(node.attribs))) continue;
          const target = lists[list];
          // `p.a, p.b` gives a list two ways in; an element with both classes enters once.
          if (target.length === 0 || target[target.length - 1] !== index) target.push(index);
        }
      }
      if (node.children.length > 0) {
        open.push(index);
        node = node.children[0];
        continue;
      }
    }
    // On to the next sibling, closing each subtree the walk climbs out of. Only elements are
    // descended into, so every parent below the document is one of `open`.
    while (node !== null && node.next === null) {
      const parent: ParentNode | null = node.parent;
      if (parent === null || parent === document) node = null;
      else {
        ends[open.pop() as number] = elements.length;
        node = parent;
      }
    }
    if (node !== null) node = node.next;
  }
  return { document, elements, ends, lists, maxEnds: [] };
}

/** The first position in the ascending `list` whose value is at least `value`. */
function lowerBound(list: number[], value: number): number {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (list[middle] < value) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Whether the element at `index` lies inside an element of candidate list `list`. The subtrees
 * of a tree are nested or disjoint, so it does exactly when some list element before it has its
 * subtree end after it, that is when the largest end so far does.
 */
function inside(page: IndexedPage, list: number, index: number): boolean {
  const candidates = page.lists[list];
  const before = lowerBound(candidates, index);
  if (before === 0) return false;
  let maxEnds = page.maxEnds[list];
  if (maxEnds === undefined) {
    maxEnds = new Array<number>(candidates.length);
    let max = 0;
    const ends = page.ends;
    for (let k = 0; k < candidates.length; k++) maxEnds[k] = max = Math.max(max, ends[candidates[k]]);
    page.maxEnds[list] = maxEnds;
  }
  return maxEnds[before - 1] > index;
}

/** How many candidates insideFrom looks at before it leaves the question to the query. */
const INSIDE_FROM_STEPS = 32;

/**
 * Whether the element at `index` lies inside an element of candidate list `list` whose own index
 * is at least `lowest` (the record being read: the left of a field selector may match it, never
 * an ancestor of it). The nearest candidates before `index` are tried first; undefined when the
 * answer would take more than INSIDE_FROM_STEPS of them.
 */
function insideFrom(page: IndexedPage, list: number, index: number, lowest: number): boolean | undefined {
  const candidates = page.lists[list];
  const ends = page.ends;
  let steps = 0;
  for (let k = lowerBound(candidates, index) - 1; k >= 0 && candidates[k] >= lowest; k--) {
    if (ends[candidates[k]] > index) return true;
    if (++steps === INSIDE_FROM_STEPS) return undefined;
  }
  return false;
}

/**
 * Whether the element at `index` passes `selector` when searching from `from` (0 for the whole
 * page, else one past the record): the index's answers where they are complete, else its
 * necessary conditions and then the query itself.
 */
function matches(selector: CompiledSelector, page: IndexedPage, index: number, from: number): boolean {
  if (selector.exact) return true;
  if (selector.pairAncestor !== undefined) {
    const verdict = from === 0 ? inside(page, selector.pairAncestor, index) : insideFrom(page, selector.pairAncestor, index, from - 1);
    if (verdict !== undefined) return verdict;
  }
  for (const list of selector.ancestors) if (!inside(page, list, index)) return false;
  return selector.query(page.elements[index]);
}

/** Appends to `out`, in document order, the indexes of the elements in `from .. to - 1` that `selector` matches. */
function select(selector: CompiledSelector, page: IndexedPage, from: number, to: number, out: number[]): void {
  if (selector.candidates === ANY_ELEMENT) {
    for (let i = from; i < to; i++) if (matches(selector, page, i, from)) out.push(i);
    return;
  }
  const list = page.lists[selector.candidates];
  for (let j = from === 0 ? 0 : lowerBound(list, from); j < list.length; j++) {
    const i = list[j];
    if (i >= to) return;
    if (matches(selector, page, i, from)) out.push(i);
  }
}

/**
 * The index of the first element in `start .. to - 1` that `selector` matches when searching
 * `from .. to - 1` (see matches), or -1.
 */
function selectFirst(selector: CompiledSelector, page: IndexedPage, from: number, to: number, start = from): number {
  if (selector.candidates === ANY_ELEMENT) {
    for (let i = start; i < to; i++) if (matches(selector, page, i, from)) return i;
    return -1;
  }
  const list = page.lists[selector.candidates];
  for (let j = start === 0 ? 0 : lowerBound(list, start); j < list.length; j++) {
    const i = list[j];
    if (i >= to) return -1;
    if (matches(selector, page, i, from)) return i;
  }
  return -1;
}

/**
 * Compiles the selectors and regexes of `source` once. Invalid ones are reported in `warnings`
 * and match nothing; compiling never throws.
 */
export function compileHtmlExtractor(source: ScrapeSource): HtmlExtractor {
  const warnings: string[] = [];
  const plan: IndexPlan = { keys: [], byFirstCode: new Array<ListEntry[] | undefined>(128).fill(undefined), byFirstOther: new Map() };
  /** The candidate list for `admissions`, shared by every selector with the same ones. */
  const listOf = (admissions: Admission[] | undefined): number => {
    if (admissions === undefined) return ANY_ELEMENT;
    const key = JSON.stringify(admissions.map((a) => [a.name, a.id, a.className]).sort());
    let list = plan.keys.indexOf(key);
    if (list === -1) {
      list = plan.keys.push(key) - 1;
      for (const admission of admissions) {
        const entry: ListEntry = { name: admission.name, list, filter: filterOf(admission) };
        const entries = entriesFor(plan, admission.name);
        if (entries !== undefined) entries.push(entry);
        else if (admission.name.charCodeAt(0) < 128) plan.byFirstCode[admission.name.charCodeAt(0)] = [entry];
        else plan.byFirstOther.set(admission.name[0], [entry]);
      }
    }
    return list;
  };
  /** Compiled selectors by text, so a selector repeated across fields is compiled once. */
  const compiledByText = new Map<string, CompiledSelector | string>();
  const compileOne = (text: string, what: string): CompiledSelector | undefined => {
    let compiled = compiledByText.get(text);
    if (compiled === undefined) {
      try {
        const query = compileUnsafe<AnyNode, Element>(text, CSS_OPTIONS);
        const shape = shapeOf(text);
        compiled = {
          text,
          query,
          candidates: listOf(shape.subject),
          ancestors: shape.ancestors.map((admission) => listOf([admission])),
          exact: shape.exact,
          pairAncestor: shape.pair !== undefined ? listOf([shape.pair]) : undefined,
        };
      } catch (error) {
        compiled = errorText(error);
      }
      compiledByText.set(text, compiled);
    }
    if (typeof compiled === 'string') {
      warnings.push(`${what}: selector "${text}" is not valid (${compiled}); it matches nothing`);
      return undefined;
    }
    return compiled;
  };

  const recordsSpec = source.records;
  const recordSelector = recordsSpec?.selector !== undefined ? compileOne(recordsSpec.selector, 'records') : undefined;
  const recordSelectorBroken = recordsSpec?.selector !== undefined && recordSelector === undefined;

  const fields: CompiledField[] = (recordsSpec?.fields ?? []).map((spec) => {
    const chain: (CompiledSelector | 'self')[] = [];
    const texts = [...(spec.selector !== undefined ? [spec.selector] : []), ...spec.fallback];
    if (texts.length === 0) chain.push('self');
    for (const text of texts) {
      const compiled = compileOne(text, `field ${spec.name}`);
      if (compiled) chain.push(compiled);
    }
    const { regex, warning } = compileFieldRegex(spec.regex, spec.name);
    if (warning) warnings.push(warning);
    return {
      name: spec.name,
      finish: { name: spec.name, type: spec.type, all: spec.all, default: spec.default },
      reading: spec.extract,
      all: spec.all,
      chain,
      regex,
      broken: warning !== undefined,
      firstOnly: !spec.all && regex === undefined,
      attribute: spec.attribute?.toLowerCase(),
    };
  });

  const blank = byField(fields.map((field) => field.name), null);

  const follow = source.follow.flatMap((rule) => {
    const compiled = compileOne(rule.selector, `follow ${rule.selector}`);
    return compiled ? [{ rule, selector: compiled, inScope: scopeTest(rule) }] : [];
  });

  // `<base href>` and `<link rel=canonical>` are looked up through the index too.
  const baseList = listOf([{ name: 'base' }]);
  const linkList = listOf([{ name: 'link' }]);

  /** The raw text a field takes from one element, before regex and coercion. */
  const rawOf = (node: AnyNode, field: CompiledField): string | undefined => {
    switch (field.reading) {
      case 'text':
        return textOf(node);
      case 'html':
        try {
          return getInnerHTML(node, { encodeEntities: 'utf8' }).trim();
        } catch {
          // dom-serializer recurses per level; a pathologically deep page yields no HTML rather than a crash.
          return undefined;
        }
      case 'attribute':
        return isElement(node) && field.attribute !== undefined ? node.attribs[field.attribute] : undefined;
    }
  };

  /** The value a field takes from one element: raw text through the regex; undefined when blank or unmatched. */
  const valueOf = (node: AnyNode, field: CompiledField): string | undefined => {
    let value = rawOf(node, field);
    if (value !== undefined && field.regex) value = applyRegex(value, field.regex);
    if (value === undefined) return undefined;
    // A printable ASCII character first settles it without a regex scan, and most values start with one.
    const first = value.charCodeAt(0);
    return (first > 32 && first < 127) || NOT_BLANK.test(value) ? value : undefined;
  };

  /**
   * The list a single value is handed over in. finishField reads it and keeps nothing, and a
   * fresh array per field of every record was a good part of what extraction left for the
   * garbage collector, whose scavenges copy the page being extracted.
   */
  const one: string[] = [''];

  /**
   * The last first-match query and its answer. Fields often read the same element (a title and a
   * URL from one link), and their queries then come one after the other. Cleared after each page,
   * so that the extractor does not keep a page alive.
   */
  const lastFirst: { selector?: CompiledSelector; page?: IndexedPage; from: number; to: number; index: number } = { from: 0, to: 0, index: -1 };
  const firstMatch = (selector: CompiledSelector, page: IndexedPage, from: number, to: number): number => {
    if (lastFirst.selector === selector && lastFirst.page === page && lastFirst.from === from && lastFirst.to === to) return lastFirst.index;
    const index = selectFirst(selector, page, from, to);
    lastFirst.selector = selector;
    lastFirst.page = page;
    lastFirst.from = from;
    lastFirst.to = to;
    lastFirst.index = index;
    return index;
  };

  /**
   * The values a field finds in a record element whose descendants are the page's elements
   * `from .. to - 1`, or undefined when no selector yields one. A single value comes in `one`,
   * valid until the next call.
   */
  const findValues = (field: CompiledField, record: ParentNode, page: IndexedPage, from: number, to: number): string[] | undefined => {
    if (field.broken) return undefined;
    for (const step of field.chain) {
      // An element that is present but empty (or fails the regex) falls through to the fallbacks.
      let value: string | undefined;
      if (step === 'self') value = valueOf(record, field);
      else if (field.all) {
        const indexes: number[] = [];
        select(step, page, from, to, indexes);
        let values: string[] | undefined;
        for (const index of indexes) {
          const found = valueOf(page.elements[index], field);
          if (found !== undefined) (values ??= []).push(found);
        }
        if (values !== undefined) return values;
      } else {
        // With a regex, the first match whose text passes it decides; without, the first match.
        for (let index = firstMatch(step, page, from, to); index !== -1; index = field.firstOnly ? -1 : selectFirst(step, page, from, to, index + 1)) {
          value = valueOf(page.elements[index], field);
          if (value !== undefined) break;
        }
      }
      if (value !== undefined) {
        one[0] = value;
        return one;
      }
    }
    return undefined;
  };

  const extract = (html: string, pageUrl: string): HtmlExtraction => {
    const pageWarnings = [...warnings];
    let page: IndexedPage;
    try {
      page = parseIndexed(typeof html === 'string' ? html : String(html), plan);
    } catch (error) {
      // htmlparser2 is tolerant by design; this guards the promise that extraction never throws.
      pageWarnings.push(`the page could not be parsed (${errorText(error)})`);
      page = parseIndexed('', plan);
    }
    const { elements } = page;

    const found: { records: number[]; follow: number[][]; base?: Element; canonical?: Element } = { records: [], follow: follow.map(() => []) };
    try {
      if (recordSelector) select(recordSelector, page, 0, elements.length, found.records);
      for (let i = 0; i < follow.length; i++) select(follow[i].selector, page, 0, elements.length, found.follow[i]);
    } catch (error) {
      // Only a selector feature we did not make iterative could get here (e.g. on a pathological
      // page); the page then yields nothing rather than stopping the crawl.
      pageWarnings.push(`the page could not be searched (${errorText(error)})`);
      found.records = [];
      found.follow = follow.map(() => []);
    }
    for (const index of page.lists[baseList]) {
      if (elements[index].attribs.href !== undefined) {
        found.base = elements[index];
        break;
      }
    }
    for (const index of page.lists[linkList]) {
      const { attribs } = elements[index];
      if (attribs.href !== undefined && /(?:^|\s)canonical(?:\s|$)/i.test(attribs.rel ?? '')) {
        found.canonical = elements[index];
        break;
      }
    }
    const baseHref = found.base?.attribs.href;
    let baseUrl = pageUrl;
    if (baseHref !== undefined) {
      try {
        baseUrl = new URL(baseHref.trim(), pageUrl).href;
      } catch {
        pageWarnings.push(`<base href="${baseHref}"> is not a valid URL; links resolve against the page URL`);
      }
    }
    const resolver = createUrlResolver(baseUrl);
    const canonicalUrl = found.canonical ? resolver.canonical(found.canonical.attribs.href) : undefined;

    const records: ExtractedRecord[] = [];
    const matchCounts = byField(fields.map((field) => field.name), 0);
    if (recordsSpec) {
      // Counted by position and named once per page: a store under a different property name at
      // each step of the loop is one of V8's slow (megamorphic) cases.
      const counts = new Array<number>(fields.length).fill(0);
      // A record is an element and its subtree, or the whole page when there is no record selector.
      const recordIndexes = recordSelector ? found.records : recordSelectorBroken ? [] : [-1];
      const { ends } = page;
      if (recordSelector && recordIndexes.length === 0) pageWarnings.push(`records: selector "${recordSelector.text}" matched nothing on this page`);

      for (const recordIndex of recordIndexes) {
        const node: ParentNode = recordIndex === -1 ? page.document : elements[recordIndex];
        const from = recordIndex + 1;
        const to = recordIndex === -1 ? elements.length : ends[recordIndex];
        const record: ExtractedRecord = { values: { ...blank }, errors: [] };
        const parent = node.parent;
        node.parent = null;
        try {
          for (let i = 0; i < fields.length; i++) {
            const field = fields[i];
            let found: string[] | undefined;
            try {
              found = findValues(field, node, page, from, to);
            } catch (error) {
              // Selectors and regexes were compiled; only a pathological page gets here, and it
              // costs this field of this record, not the page.
              record.errors.push({ field: field.name, reason: `${field.name}: could not be read (${errorText(error)})` });
            }
            record.values[field.name] = finishField(field.finish, found, baseUrl, record.errors, resolver.resolve);
            if (foundAny(found)) counts[i]++;
          }
        } finally {
          // Reattach even if a field throws, so links and later records see the whole page.
          node.parent = parent;
        }
        records.push(record);
      }
      for (let i = 0; i < fields.length; i++) matchCounts[fields[i].name] += counts[i];
    }

    const links: ExtractedLink[] = [];
    /** URLs already linked, per target source (a set each, not one set of joined keys to build and hash). */
    const seen = new Map<string, Set<string>>();
    for (let i = 0; i < follow.length; i++) {
      const { rule, inScope } = follow[i];
      let seenForSource = seen.get(rule.source);
      if (seenForSource === undefined) seen.set(rule.source, (seenForSource = new Set()));
      for (const index of found.follow[i]) {
        const href = elements[index].attribs.href;
        if (href === undefined) continue;
        // canonicalizeUrl rejects javascript:, mailto:, tel:, data: and anything not http(s).
        const url = resolver.canonical(href);
        if (url === undefined || seenForSource.has(url) || !inScope(url)) continue;
        seenForSource.add(url);
        links.push({ url, rule, source: rule.source });
      }
    }

    lastFirst.page = undefined;
    const result: HtmlExtraction = { records, links, matchCounts, recordCount: records.length, warnings: pageWarnings };
    if (canonicalUrl !== undefined) result.canonicalUrl = canonicalUrl;
    return result;
  };

  return { extract, warnings };
}
