/**
 * Record and link extraction from HTML pages.
 *
 * We parse with htmlparser2 (`parseDocument`) and query with css-select directly: the same two
 * libraries cheerio's htmlparser2 mode (`cheerio/slim`) is built on, without cheerio's wrapper
 * objects, and with every selector compiled once per extractor instead of once per call. parse5
 * would be more spec-faithful on pathological markup but is several times slower, and a crawl
 * parses every page it fetches. htmlparser2 never throws on bad markup; it closes what it can.
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
import type { AnyNode, Document, Element, ParentNode } from 'domhandler';
import * as DomUtils from 'domutils';
import { parseDocument } from 'htmlparser2';
import type { FollowRule, HtmlFieldSpec, ScrapeSource } from '../spec/model';
import type { ExtractedRecord } from '../records/types';
import { createUrlResolver, inScope } from '../urls/canonical';
import { applyRegex, compileFieldRegex, finishField } from './field-value';
import type { CompiledRegex } from './field-value';

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
}

interface CompiledField {
  spec: HtmlFieldSpec;
  /** Selectors in the order tried; `self` stands for the record element itself. */
  chain: (CompiledSelector | 'self')[];
  regex?: CompiledRegex;
  /** The regex did not compile: the field never has a value. */
  broken: boolean;
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

/** Matches every element (to list a record's descendants). */
const ANY = (): boolean => true;

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

const NEEDS_COLLAPSE = /\s\s|[\t\n\r\f\v\u00A0\u1680\u2000-\u200A\u2028\u2029\u202F\u205F\u3000\uFEFF]|^\s|\s$/;

/** Collapses runs of whitespace to one space and trims; most short texts need nothing done. */
function collapse(text: string): string {
  return NEEDS_COLLAPSE.test(text) ? text.replace(/\s+/g, ' ').trim() : text;
}

/**
 * Compiles the selectors and regexes of `source` once. Invalid ones are reported in `warnings`
 * and match nothing; compiling never throws.
 */
export function compileHtmlExtractor(source: ScrapeSource): HtmlExtractor {
  const warnings: string[] = [];
  /** Compiled selectors by text, so a selector repeated across fields is compiled once. */
  const compiledByText = new Map<string, CompiledSelector | string>();
  const compileOne = (text: string, what: string): CompiledSelector | undefined => {
    let compiled = compiledByText.get(text);
    if (compiled === undefined) {
      try {
        compiled = { text, query: compileUnsafe<AnyNode, Element>(text, CSS_OPTIONS) };
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
    return { spec, chain, regex, broken: warning !== undefined };
  });

  const follow = source.follow.flatMap((rule) => {
    const compiled = compileOne(rule.selector, `follow ${rule.selector}`);
    return compiled ? [{ rule, query: compiled.query }] : [];
  });

  /**
   * One pass over the document collects the record elements, the elements of every follow rule,
   * `<base href>` and `<link rel=canonical>`: each would otherwise walk the whole tree again, and
   * on a product page those walks cost more than the field selectors.
   */
  const walk = (document: Document): { records: Element[]; follow: Element[][]; base?: Element; canonical?: Element } => {
    const result: { records: Element[]; follow: Element[][]; base?: Element; canonical?: Element } = { records: [], follow: follow.map(() => []) };
    const recordTest = recordSelector?.query;
    const stack: AnyNode[][] = [document.children];
    const indexes: number[] = [0];
    while (stack.length > 0) {
      const nodes = stack[stack.length - 1];
      const index = indexes[indexes.length - 1]++;
      if (index >= nodes.length) {
        stack.pop();
        indexes.pop();
        continue;
      }
      const node = nodes[index];
      if (!isElement(node)) continue;
      if (recordTest && recordTest(node)) result.records.push(node);
      for (let i = 0; i < follow.length; i++) if (follow[i].query(node)) result.follow[i].push(node);
      if (node.name === 'base' && result.base === undefined && node.attribs.href !== undefined) result.base = node;
      else if (node.name === 'link' && result.canonical === undefined && node.attribs.href !== undefined && /(?:^|\s)canonical(?:\s|$)/i.test(node.attribs.rel ?? '')) {
        result.canonical = node;
      }
      if (node.children.length > 0) {
        stack.push(node.children);
        indexes.push(0);
      }
    }
    return result;
  };

  /** The raw text a field takes from one element, before regex and coercion. */
  const rawOf = (node: AnyNode, spec: HtmlFieldSpec): string | undefined => {
    switch (spec.extract) {
      case 'text':
        return textOf(node);
      case 'html':
        try {
          return getInnerHTML(node, { encodeEntities: 'utf8' }).trim();
        } catch {
          // dom-serializer recurses per level; a pathologically deep page yields no HTML rather than a crash.
          return undefined;
        }
      case 'attribute': {
        if (!isElement(node) || spec.attribute === undefined) return undefined;
        return node.attribs[spec.attribute.toLowerCase()];
      }
    }
  };

  /** The values a field finds in a record element, or undefined when no selector yields one. */
  const findValues = (field: CompiledField, record: ParentNode, descendants: Element[] | undefined): string[] | undefined => {
    if (field.broken) return undefined;
    const { spec, regex } = field;
    for (const step of field.chain) {
      // Without `all` or a regex the first match decides, and findOne stops searching early.
      let nodes: AnyNode[];
      if (step === 'self') nodes = [record];
      else if (descendants === undefined) {
        if (spec.all || regex) nodes = findAll(step.query, record.children);
        else {
          const one = findOne(step.query, record.children);
          nodes = one ? [one] : [];
        }
      } else if (spec.all || regex) nodes = descendants.filter(step.query);
      else {
        nodes = [];
        for (const element of descendants) {
          if (step.query(element)) {
            nodes.push(element);
            break;
          }
        }
      }
      const values: string[] = [];
      for (const node of nodes) {
        let value = rawOf(node, spec);
        if (value !== undefined && regex) value = applyRegex(value, regex);
        if (value === undefined || value.trim() === '') continue;
        values.push(value);
        if (!spec.all) break;
      }
      // An element that is present but empty (or fails the regex) falls through to the fallbacks.
      if (values.length > 0) return values;
    }
    return undefined;
  };

  const extract = (html: string, pageUrl: string): HtmlExtraction => {
    const pageWarnings = [...warnings];
    let document: Document;
    try {
      document = parseDocument(typeof html === 'string' ? html : String(html), { decodeEntities: true });
    } catch (error) {
      // htmlparser2 is tolerant by design; this guards the promise that extraction never throws.
      pageWarnings.push(`the page could not be parsed (${errorText(error)})`);
      document = parseDocument('');
    }

    let found: ReturnType<typeof walk>;
    try {
      found = walk(document);
    } catch (error) {
      // Only a selector feature we did not make iterative could get here (e.g. on a pathological
      // page); the page then yields nothing rather than stopping the crawl.
      pageWarnings.push(`the page could not be searched (${errorText(error)})`);
      found = { records: [], follow: follow.map(() => []) };
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
    const matchCounts: Record<string, number> = {};
    if (recordsSpec) {
      for (const field of fields) matchCounts[field.spec.name] = 0;
      let recordNodes: ParentNode[];
      if (recordSelector) recordNodes = found.records;
      else if (recordSelectorBroken) recordNodes = [];
      else recordNodes = [document];
      if (recordSelector && recordNodes.length === 0) pageWarnings.push(`records: selector "${recordSelector.text}" matched nothing on this page`);

      for (const node of recordNodes) {
        const record: ExtractedRecord = { values: {}, errors: [] };
        const parent = node.parent;
        node.parent = null;
        // Every field searches the same subtree: list a record element's descendants once, in
        // document order. Not for a whole-page record, where most fields match near the top and
        // a search that stops at the first match beats listing the whole page.
        const descendants = node.type === 'root' ? undefined : findAll(ANY, node.children);
        try {
          for (const field of fields) {
            let found: string[] | undefined;
            try {
              found = findValues(field, node, descendants);
            } catch (error) {
              // Selectors and regexes were compiled; only a pathological page gets here, and it
              // costs this field of this record, not the page.
              record.errors.push({ field: field.spec.name, reason: `${field.spec.name}: could not be read (${errorText(error)})` });
            }
            const { value, matched } = finishField(field.spec, found, baseUrl, record.errors, resolver.resolve);
            record.values[field.spec.name] = value;
            if (matched) matchCounts[field.spec.name]++;
          }
        } finally {
          // Reattach even if a field throws, so links and later records see the whole page.
          node.parent = parent;
        }
        records.push(record);
      }
    }

    const links: ExtractedLink[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < follow.length; i++) {
      const rule = follow[i].rule;
      for (const element of found.follow[i]) {
        const href = element.attribs.href;
        if (href === undefined) continue;
        // canonicalizeUrl rejects javascript:, mailto:, tel:, data: and anything not http(s).
        const url = resolver.canonical(href);
        if (url === undefined || !inScope(url, rule)) continue;
        const id = `${rule.source}\n${url}`;
        if (seen.has(id)) continue;
        seen.add(id);
        links.push({ url, rule, source: rule.source });
      }
    }

    const result: HtmlExtraction = { records, links, matchCounts, recordCount: records.length, warnings: pageWarnings };
    if (canonicalUrl !== undefined) result.canonicalUrl = canonicalUrl;
    return result;
  };

  return { extract, warnings };
}
