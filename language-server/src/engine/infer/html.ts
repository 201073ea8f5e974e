/**
 * Inference for HTML pages: find the repeated element that holds one record each (product
 * cards, list items, table rows), a short stable selector for it, the fields that vary from one
 * record to the next, and a "next page" link to follow.
 *
 * The page is parsed with cheerio in htmlparser2 mode (`cheerio/slim`), the parser the
 * extractor uses, so the selectors proposed here select the same elements at run time.
 */
import { load, type CheerioAPI } from 'cheerio/slim';
import { isTag, isText, type AnyNode, type Element } from 'domhandler';
import type { FieldType } from '../spec/model';
import type { DraftField, ScrapeDraft } from './draft';
import { collapseWhitespace, NameAllocator, snakeCase } from './text';

/** Groups smaller than this are not records. */
const MIN_REPEAT = 3;
/** Elements looked at when searching for repeated siblings; a bigger page is sampled. */
const MAX_ELEMENTS = 60_000;
/** Candidate groups given a selector and scored in full. */
const MAX_CANDIDATES = 12;
/** Records read to find fields. */
const ITEMS_ANALYSED = 30;
const MAX_FIELDS = 15;
const SAMPLES = 5;

/** Elements that never hold a record. */
const NOT_RECORDS = new Set([
  'script', 'style', 'noscript', 'template', 'head', 'meta', 'link', 'title', 'br', 'hr', 'option', 'optgroup',
  'td', 'th', 'col', 'colgroup', 'source', 'track', 'param', 'svg', 'path', 'g', 'use', 'defs', 'input', 'button', 'wbr', 'iframe', 'area', 'map',
]);
const SKIPPED_SUBTREES = new Set(['script', 'style', 'noscript', 'template', 'svg', 'head']);
/** Landmarks whose repeated elements are navigation, not content. */
const CHROME_TAGS = new Set(['nav', 'header', 'footer', 'aside']);
const CHROME_ROLES = /^(navigation|banner|contentinfo|menu|menubar|complementary)$/i;
const CHROME_WORDS = /(^|[-_\s])(nav|navbar|menu|footer|header|breadcrumbs?|pagination|pager|sidebar|side_categories)($|[-_\s])/i;
/** Layout classes (Bootstrap, Tailwind): stable, but they say nothing about what an element is. */
const WEAK_CLASS = /^(col|row|grid|flex|d|m[trblxy]?|p[trblxy]?|w|h|text|bg|border|container|clearfix|pull|float|hidden|visible|justify|items|align|gap|space|rounded|shadow|font|leading|tracking|order|offset|is|has|js)(-|$)/;
const PRICE = /(?:[£$€¥₹]|\b(?:USD|EUR|GBP|CHF|JPY)\b)\s?-?\d|-?\d[\d.,]*\s?(?:[£$€¥₹]|\b(?:USD|EUR|GBP|CHF|JPY)\b)/;
const PRICE_REGEX = '(-?[0-9][0-9.,]*)';
const RATING_CLASS = /rating|stars?\b|score/i;
const WORD_RATINGS = /\b(One|Two|Three|Four|Five)\b/;
const SAFE_IDENT = /^-?[_a-zA-Z][_a-zA-Z0-9-]*$/;
const SAFE_ATTR_VALUE = /^[A-Za-z0-9_:./-]{1,60}$/;
const TEST_ATTRIBUTES = ['data-testid', 'data-test', 'data-qa', 'data-cy', 'itemtype', 'itemprop'];

/**
 * Class names that build tools generate (CSS-in-JS, CSS modules, hashed utility classes) change
 * with every deploy, so a selector built on them breaks silently. They look like `css-1x2y3z`,
 * `sc-bdfBwQ`, `Card_title__a1B2c`, `jsx-2394`, or a short mix of letters and digits.
 */
export function isGeneratedClass(name: string): boolean {
  if (/^(css|sc|jsx|svelte|emotion|styled|chakra|mui|tw)-[A-Za-z0-9_-]*\d[A-Za-z0-9_-]*$/.test(name)) return true;
  if (/^sc-[A-Za-z]{5,}$/.test(name)) return true;
  if (/__[A-Za-z0-9_-]{5,}$/.test(name) && /\d/.test(name.slice(name.lastIndexOf('__')))) return true;
  const digits = (name.match(/\d/g) ?? []).length;
  if (!name.includes('-') && name.length >= 5 && digits >= 2 && /[A-Za-z]/.test(name) && !/^[A-Za-z]+[0-9]+$/.test(name)) return true;
  // Mixed case with digits in a short token (`aB3xY`) is a hash, not a word.
  if (/^_?[A-Za-z0-9]{5,8}$/.test(name) && digits >= 1 && /[a-z]/.test(name) && /[A-Z]/.test(name)) return true;
  return false;
}

function stableClasses(el: Element): string[] {
  const raw = el.attribs.class ?? '';
  return raw.split(/\s+/).filter((c) => c !== '' && SAFE_IDENT.test(c) && !isGeneratedClass(c));
}

function strongClasses(el: Element): string[] {
  return stableClasses(el).filter((c) => !WEAK_CLASS.test(c));
}

function elementChildren(el: Element): Element[] {
  return el.children.filter(isTag);
}

function ownText(el: Element): boolean {
  return el.children.some((c) => isText(c) && c.data.trim() !== '');
}

/**
 * Text of its own that makes an element a field: a wrapper whose own text is only a joining
 * word (`<div>… by <span>…</span></div>`) is not one; its children are.
 */
function fieldText(el: Element): boolean {
  if (!ownText(el)) return false;
  if (!el.children.some(isTag)) return true;
  const own = el.children.filter(isText).map((c) => c.data).join('').replace(/\s+/g, '');
  return own.length >= 4;
}

/** The step of a path from a record to one of its elements: the tag and its first stable class. */
function stepOf(el: Element): string {
  const cls = stableClasses(el)[0];
  return cls !== undefined ? `${el.name}.${cls}` : el.name;
}

/** A selector step made unique among its siblings with `:nth-of-type` when it has to be. */
function uniqueStep(el: Element): string {
  const step = stepOf(el);
  const parent = el.parent;
  if (!parent || !('children' in parent)) return step;
  const siblings = (parent.children as AnyNode[]).filter(isTag);
  if (siblings.filter((s) => stepOf(s) === step).length <= 1) return step;
  const sameTag = siblings.filter((s) => s.name === el.name);
  return `${step}:nth-of-type(${sameTag.indexOf(el) + 1})`;
}

function insideChrome(el: Element): boolean {
  for (let node: Element | null = el, depth = 0; node && depth < 30; node = node.parent && isTag(node.parent) ? node.parent : null, depth++) {
    // The body's classes describe the whole page (`has-sidebar`), not a part of it.
    if (node.name === 'body' || node.name === 'html') return false;
    if (CHROME_TAGS.has(node.name)) return true;
    if (CHROME_ROLES.test(node.attribs.role ?? '')) return true;
    if (CHROME_WORDS.test(`${node.attribs.class ?? ''} ${node.attribs.id ?? ''}`)) return true;
  }
  return false;
}

function cssString(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

interface Candidate {
  selector: string;
  items: Element[];
  score: number;
  /** Built without a stable class or attribute (only tags and structure). */
  structural: boolean;
}

/** Groups element children of every element by their signature; keeps groups of three or more. */
function repeatedGroups($: CheerioAPI): Element[][] {
  const groups: Element[][] = [];
  const stack: Element[] = $.root().children().toArray().filter(isTag);
  let seen = 0;
  while (stack.length > 0 && seen < MAX_ELEMENTS) {
    const el = stack.pop() as Element;
    seen++;
    if (SKIPPED_SUBTREES.has(el.name)) continue;
    const kids = elementChildren(el);
    if (kids.length >= MIN_REPEAT) {
      const bySignature = new Map<string, Element[]>();
      for (const kid of kids) {
        if (NOT_RECORDS.has(kid.name)) continue;
        const sig = `${kid.name}.${stableClasses(kid).sort().join('.')}`;
        const list = bySignature.get(sig);
        if (list) list.push(kid);
        else bySignature.set(sig, [kid]);
      }
      for (const list of bySignature.values()) {
        // Header rows are siblings of data rows in tables without <thead>.
        const members = list[0].name === 'tr' ? list.filter((tr) => tr.children.some((c) => isTag(c) && c.name === 'td')) : list;
        if (members.length >= MIN_REPEAT) groups.push(members);
      }
    }
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]);
  }
  return groups;
}

/**
 * Steps into single wrappers: in `li > article.product_pod` the article, with its meaningful
 * class, makes the better record selector than the grid cell around it.
 */
function unwrap(items: Element[]): Element[] {
  let current = items;
  for (let depth = 0; depth < 4; depth++) {
    const inner = current.map((el) => {
      const kids = elementChildren(el);
      return kids.length === 1 && !ownText(el) ? kids[0] : undefined;
    });
    if (inner.some((k) => k === undefined)) return current;
    const kids = inner as Element[];
    const sig = stepOf(kids[0]);
    if (!kids.every((k) => stepOf(k) === sig)) return current;
    const meaningful = strongClasses(kids[0]).length > 0 || TEST_ATTRIBUTES.some((a) => kids[0].attribs[a] !== undefined);
    const outerMeaningful = current.every((el) => strongClasses(el).length > 0);
    if (!meaningful || outerMeaningful || elementChildren(kids[0]).length === 0) return current;
    current = kids;
  }
  return current;
}

/**
 * The elements `selector` selects. Selectors are built here from safe identifiers; should one
 * still not compile, it selects nothing, and callers treat that as "not a candidate".
 */
function matches($: CheerioAPI, selector: string): Element[] {
  try {
    return $(selector).toArray().filter(isTag);
  } catch {
    return [];
  }
}

/** A selector for an ancestor, used as context: `#id`, `tag.class` or `tag`. */
function contextSelector(el: Element): string {
  const id = el.attribs.id;
  if (id !== undefined && SAFE_IDENT.test(id) && !isGeneratedClass(id)) return `#${id}`;
  const cls = strongClasses(el)[0] ?? stableClasses(el)[0];
  return cls !== undefined ? `${el.name}.${cls}` : el.name;
}

/**
 * Picks a short selector that selects exactly `items` on the page: a tag with a stable class,
 * then a test attribute, then the tag under a stable ancestor. Never `:nth-child`, never a
 * generated class. Falls back to the selector with the fewest extra matches.
 */
function recordSelector($: CheerioAPI, items: Element[]): { selector: string; structural: boolean } {
  const first = items[0];
  const tag = first.name;
  const common = stableClasses(first).filter((c) => items.every((el) => stableClasses(el).includes(c)));
  const strong = common.filter((c) => !WEAK_CLASS.test(c));
  const weak = common.filter((c) => WEAK_CLASS.test(c));
  const rowFilter = tag === 'tr' ? ':has(td)' : '';
  const tries: { selector: string; structural: boolean }[] = [];
  for (const c of strong) tries.push({ selector: `${tag}.${c}${rowFilter}`, structural: false });
  if (strong.length >= 2) tries.push({ selector: `${tag}.${strong[0]}.${strong[1]}${rowFilter}`, structural: false });
  for (const attr of TEST_ATTRIBUTES) {
    const value = first.attribs[attr];
    if (value !== undefined && SAFE_ATTR_VALUE.test(value) && items.every((el) => el.attribs[attr] === value)) {
      tries.push({ selector: `${tag}[${attr}=${cssString(value)}]`, structural: false });
    }
  }
  for (const c of weak) tries.push({ selector: `${tag}.${c}${rowFilter}`, structural: false });
  tries.push({ selector: `${tag}${rowFilter}`, structural: true });
  // Context: the parent, then the grandparent, each as `#id`, `tag.class` or `tag`.
  const parent = first.parent && isTag(first.parent) ? first.parent : undefined;
  const own = strong[0] !== undefined ? `${tag}.${strong[0]}` : tag;
  if (parent) {
    const p = contextSelector(parent);
    tries.push({ selector: `${p} > ${own}${rowFilter}`, structural: !p.includes('.') && !p.startsWith('#') && own === tag });
    const grand = parent.parent && isTag(parent.parent) ? parent.parent : undefined;
    if (grand) {
      const g = contextSelector(grand);
      tries.push({ selector: `${g} > ${p} > ${own}${rowFilter}`, structural: !`${g}${p}`.match(/[.#]/) && own === tag });
    }
  }
  let best: { selector: string; structural: boolean; extra: number } | undefined;
  for (const t of tries) {
    const found = matches($, t.selector);
    const foundSet = new Set(found);
    if (!items.every((el) => foundSet.has(el))) continue;
    const extra = found.length - items.length;
    if (extra === 0) return t;
    if (best === undefined || extra < best.extra) best = { ...t, extra };
  }
  return best ?? { selector: tag, structural: true };
}

function textOf($: CheerioAPI, el: Element): string {
  return collapseWhitespace($(el).text());
}

function hasDescendant(el: Element, test: (e: Element) => boolean, limit = 400): boolean {
  const stack: Element[] = [el];
  let seen = 0;
  while (stack.length > 0 && seen++ < limit) {
    const e = stack.pop() as Element;
    if (test(e)) return true;
    for (const k of e.children) if (isTag(k)) stack.push(k);
  }
  return false;
}

/** How record-like a group is: text, links, images, prices and varied content count. */
function richness($: CheerioAPI, items: Element[]): number {
  const sample = items.slice(0, ITEMS_ANALYSED);
  let total = 0;
  const texts = new Set<string>();
  let textLength = 0;
  let images = 0;
  let links = 0;
  for (const el of sample) {
    const text = textOf($, el);
    texts.add(text);
    textLength += text.length;
    let r = 0;
    if (text.length >= 3) r += 1;
    if (hasDescendant(el, (e) => e.name === 'a' && e.attribs.href !== undefined)) {
      r += 1;
      links++;
    }
    const img = hasDescendant(el, (e) => e.name === 'img');
    if (img) {
      r += 1;
      images++;
    }
    if (PRICE.test(text)) r += 1.5;
    let leaves = 0;
    hasDescendant(el, (e) => {
      if (ownText(e)) leaves++;
      return leaves >= 5;
    });
    r += Math.min(leaves, 5) * 0.3;
    total += r;
  }
  let score = total / sample.length;
  if (textLength / sample.length < 15 && images === 0) score *= 0.4;
  // Paragraphs of one article repeat too, but plain text without links or images is prose.
  if (links === 0 && images === 0) score *= 0.3;
  if (texts.size <= 1) score *= 0.3;
  // Rows that each start with a header cell are a key/value table: one record's details.
  if (sample[0].name === 'tr' && sample.every((tr) => elementChildren(tr)[0]?.name === 'th')) score *= 0.2;
  return score;
}

/** Below this score no group is taken for the records (three bare links score about 2). */
const MIN_SCORE = 3;

/**
 * Count × richness, with the count under a square root: a menu of fifty category links must not
 * outweigh ten search results because it is longer. Navigation, headers, footers and sidebars
 * are penalised hard.
 */
function groupScore(count: number, rich: number, chrome: boolean): number {
  return Math.sqrt(count) * rich * (chrome ? 0.15 : 1);
}

function candidates($: CheerioAPI): Candidate[] {
  const groups = repeatedGroups($)
    .map(unwrap)
    .map((items) => ({ items, pre: groupScore(items.length, richness($, items), insideChrome(items[0])) }))
    .sort((a, b) => b.pre - a.pre)
    .slice(0, MAX_CANDIDATES);
  const bySelector = new Map<string, Candidate>();
  for (const g of groups) {
    const { selector, structural } = recordSelector($, g.items);
    if (bySelector.has(selector)) continue;
    // A grid split into rows yields one group per row; the selector gathers them all.
    const items = matches($, selector);
    if (items.length < MIN_REPEAT) continue;
    const chrome = items.filter(insideChrome).length * 2 > items.length;
    const score = groupScore(items.length, richness($, items), chrome);
    bySelector.set(selector, { selector, items, score, structural });
  }
  return [...bySelector.values()].sort((a, b) => b.score - a.score);
}

// ---------------------------------------------------------------------------------------------
// Fields

interface Spot {
  /** Steps from the record to the element, each unique among its siblings. */
  steps: string[];
  el: Element;
}

/** Elements inside a record worth a field: text of their own, links, images, times, ratings. */
function spotsOf(record: Element): Spot[] {
  const spots: Spot[] = [];
  const visit = (el: Element, steps: string[], depth: number): void => {
    if (SKIPPED_SUBTREES.has(el.name) || depth > 12 || spots.length > 200) return;
    const interesting =
      ownText(el) ||
      (el.name === 'a' && el.attribs.href !== undefined) ||
      (el.name === 'img' && (el.attribs.src !== undefined || el.attribs['data-src'] !== undefined)) ||
      (el.name === 'time' && el.attribs.datetime !== undefined) ||
      RATING_CLASS.test(el.attribs.class ?? '');
    if (interesting) spots.push({ steps, el });
    for (const kid of elementChildren(el)) visit(kid, [...steps, uniqueStep(kid)], depth + 1);
  };
  visit(record, [], 0);
  return spots;
}

interface SpotGroup {
  key: string;
  steps: string[];
  /** Per analysed record, the element at this path (or undefined). */
  els: (Element | undefined)[];
  order: number;
}

/** The shortest suffix of `steps` that finds the right element first in every record. */
function relativeSelector($: CheerioAPI, group: SpotGroup, records: Element[]): string | undefined {
  if (group.steps.length === 0) return '';
  for (let from = group.steps.length - 1; from >= 0; from--) {
    const selector = group.steps.slice(from).join(' ');
    let ok = true;
    for (let i = 0; i < records.length && ok; i++) {
      const want = group.els[i];
      if (want === undefined) continue;
      let found: Element | undefined;
      try {
        found = $(records[i]).find(selector).toArray().filter(isTag)[0];
      } catch {
        found = undefined;
      }
      ok = found === want;
    }
    if (ok) return selector;
  }
  return undefined;
}

function distinct(values: (string | undefined)[]): number {
  return new Set(values.filter((v): v is string => v !== undefined && v !== '')).size;
}

const NAME_WORDS: [RegExp, string][] = [
  [/title|name|heading|headline/i, 'title'],
  [/price|cost|amount/i, 'price'],
  [/rating|stars?|score/i, 'rating'],
  [/author|byline|writer/i, 'author'],
  [/date|time|published|posted/i, 'date'],
  [/desc|summary|excerpt|teaser|snippet|blurb|abstract/i, 'description'],
  [/avail|stock/i, 'availability'],
  [/categor|genre|topic/i, 'category'],
];

function textFieldName(el: Element, headers: string[] | undefined, steps: string[]): string {
  if (headers && steps.length > 0) {
    const m = /^t[dh](?:\.[^:]+)?(?::nth-of-type\((\d+)\))?$/.exec(steps[0]);
    if (m) {
      const header = headers[Number(m[1] ?? '1') - 1];
      const name = header !== undefined ? snakeCase(header) : '';
      if (name !== '') return name;
    }
  }
  const parent = el.parent && isTag(el.parent) ? el.parent : undefined;
  // An unclassed element takes its meaning from its parent (`div.entry-summary > p`).
  const context = strongClasses(el).length === 0 && parent !== undefined && steps.length > 1 ? ` ${strongClasses(parent).join(' ')}` : '';
  const words = `${stableClasses(el).join(' ')} ${el.attribs.itemprop ?? ''} ${el.attribs.id ?? ''}${context}`;
  for (const [re, name] of NAME_WORDS) if (re.test(words)) return name;
  if (/^h[1-6]$/.test(el.name)) return 'title';
  for (let p = el.parent, i = 0; p && isTag(p) && i < 2; p = p.parent, i++) if (/^h[1-6]$/.test(p.name)) return 'title';
  if (el.name === 'time') return 'date';
  // The text of a record's link is most often its title (`<li><a href>Title</a> …</li>`).
  if (el.name === 'a') return 'title';
  const cls = strongClasses(el)[0];
  if (cls !== undefined) {
    const name = snakeCase(cls.replace(/^(product|item|card|post|entry|result|list)[-_]/i, ''));
    if (name !== '') return name;
  }
  return 'text';
}

function isNumeric(values: string[]): FieldType | undefined {
  if (values.length === 0) return undefined;
  if (values.every((v) => /^-?\d{1,15}$/.test(v))) return 'integer';
  if (values.every((v) => /^-?\d{1,15}(\.\d+)?$/.test(v))) return 'number';
  return undefined;
}

function applyRegex(value: string, regex: string | undefined): string | undefined {
  if (regex === undefined) return value;
  const m = new RegExp(regex).exec(value);
  if (!m) return undefined;
  return m[1] ?? m[0];
}

/** The headers of the table a row record belongs to, for naming its columns. */
function tableHeaders($: CheerioAPI, row: Element): string[] | undefined {
  const table = $(row).closest('table');
  if (table.length === 0) return undefined;
  const headerRow = table.find('tr').filter((_, tr) => $(tr).children('th').length > 0).first();
  if (headerRow.length === 0) return undefined;
  return headerRow.children('th, td').toArray().map((th) => collapseWhitespace($(th).text()));
}

function fieldsFor($: CheerioAPI, records: Element[], notes: string[]): DraftField[] {
  const analysed = records.slice(0, ITEMS_ANALYSED);
  const groups = new Map<string, SpotGroup>();
  let order = 0;
  analysed.forEach((record, index) => {
    for (const spot of spotsOf(record)) {
      const key = spot.steps.join(' > ');
      let group = groups.get(key);
      if (group === undefined) {
        group = { key, steps: spot.steps, els: new Array<Element | undefined>(analysed.length).fill(undefined), order: order++ };
        groups.set(key, group);
      }
      if (group.els[index] === undefined) group.els[index] = spot.el;
    }
  });
  const headers = records[0].name === 'tr' ? tableHeaders($, records[0]) : undefined;
  const minPresent = Math.max(2, Math.ceil(analysed.length * 0.4));
  const names = new NameAllocator();
  const fields: DraftField[] = [];
  const seenValues = new Set<string>();
  let urlCount = 0;
  const usedText = new Set<string>();

  const add = (selector: string, els: (Element | undefined)[], spec: Omit<DraftField, 'locator' | 'sample' | 'name'> & { name: string }): void => {
    if (fields.length >= MAX_FIELDS) return;
    const values = els.map((el) => {
      if (el === undefined) return undefined;
      const raw = spec.attribute !== undefined ? (el.attribs[spec.attribute] ?? '') : textOf($, el);
      return applyRegex(raw, spec.regex);
    });
    // Two fields that read the same values everywhere (an image link and a title link to the
    // same page) are one field.
    const signature = `${spec.attribute ?? 'text'}\u0000${JSON.stringify(values)}`;
    if (seenValues.has(signature)) return;
    seenValues.add(signature);
    const present = values.filter((v): v is string => v !== undefined);
    const missing = analysed.length - present.length;
    fields.push({
      ...spec,
      name: names.take(spec.name),
      locator: selector,
      sample: present.slice(0, SAMPLES),
      comment: missing > 0 ? `missing in ${missing} of ${analysed.length} records` : spec.comment,
    });
  };

  const sorted = [...groups.values()].sort((a, b) => a.order - b.order);
  for (const group of sorted) {
    const present = group.els.filter((e): e is Element => e !== undefined);
    if (present.length < Math.min(minPresent, analysed.length)) continue;
    const selector = relativeSelector($, group, analysed);
    if (selector === undefined) continue;
    const el = present[0];

    if (el.name === 'a' && el.attribs.href !== undefined) {
      const titles = group.els.map((e) => e?.attribs.title);
      if (distinct(titles) >= 2) {
        add(selector, group.els, { name: 'title', attribute: 'title', type: 'string' });
        // The link text is then usually the same title, shortened to fit the card.
        usedText.add(group.key);
      }
      if (distinct(group.els.map((e) => e?.attribs.href)) >= 2) {
        add(selector, group.els, { name: urlCount++ === 0 ? 'url' : 'link', attribute: 'href', type: 'url' });
      }
    }
    if (el.name === 'img') {
      const attr = el.attribs['data-src'] !== undefined && !/^https?:|^\//.test(el.attribs.src ?? '') ? 'data-src' : 'src';
      if (distinct(group.els.map((e) => e?.attribs[attr])) >= 2) add(selector, group.els, { name: 'image', attribute: attr, type: 'url' });
      continue;
    }
    if (el.name === 'time' && el.attribs.datetime !== undefined && distinct(group.els.map((e) => e?.attribs.datetime)) >= 2) {
      add(selector, group.els, { name: 'date', attribute: 'datetime', type: 'date' });
      continue;
    }
    const classes = group.els.map((e) => e?.attribs.class);
    if (RATING_CLASS.test(el.attribs.class ?? '') && distinct(classes) >= 2) {
      const words = classes.every((c) => c === undefined || WORD_RATINGS.test(c));
      add(selector, group.els, { name: 'rating', attribute: 'class', regex: words ? '(One|Two|Three|Four|Five)' : undefined, type: 'string' });
      if (!ownText(el)) continue;
    }
    if (!fieldText(el) || usedText.has(group.key)) continue;
    const texts = group.els.map((e) => (e === undefined ? undefined : textOf($, e)));
    if (distinct(texts) < 2) continue;
    const presentTexts = texts.filter((t): t is string => t !== undefined && t !== '');
    if (presentTexts.filter((t) => PRICE.test(t)).length * 2 > presentTexts.length) {
      add(selector, group.els, { name: 'price', regex: PRICE_REGEX, type: 'number', comment: 'the regex keeps the sign and the separators' });
      continue;
    }
    // A single letter (an initial on a placeholder image, a bullet) is decoration, not data.
    if (presentTexts.every((t) => t.length <= 1) && isNumeric(presentTexts) === undefined) continue;
    const numeric = isNumeric(presentTexts);
    add(selector, group.els, { name: textFieldName(el, headers, group.steps), type: numeric ?? 'string' });
  }
  if (fields.length >= MAX_FIELDS) notes.push(`Only the first ${MAX_FIELDS} fields were proposed; add others by hand.`);
  return fields;
}

// ---------------------------------------------------------------------------------------------
// Pagination, canonical, single-record pages

const NEXT_TEXTS = new Set(['next', 'next page', 'next »', 'next ›', 'next →', 'next>', 'next >', '›', '»', '→', '>', '>>', 'older posts', 'older entries', 'more']);

function nextLink($: CheerioAPI, records: Element[]): { selector: string; comment: string } | undefined {
  const recordSet = new Set(records);
  const outsideRecords = (el: Element): boolean => {
    for (let p: Element | null = el; p; p = p.parent && isTag(p.parent) ? p.parent : null) if (recordSet.has(p)) return false;
    return true;
  };
  const anchors = matches($, 'a[href]').filter(outsideRecords);
  const fits = (selector: string): boolean => {
    const found = matches($, selector);
    return found.length >= 1 && found.length <= 2;
  };
  if (anchors.some((a) => /(^|\s)next(\s|$)/i.test(a.attribs.rel ?? '')) && fits('a[rel~="next"]')) {
    return { selector: 'a[rel~="next"]', comment: 'Follow the link marked rel="next" to the next listing page.' };
  }
  for (const a of anchors) {
    const parent = a.parent && isTag(a.parent) ? a.parent : undefined;
    if (parent && stableClasses(parent).includes('next')) {
      const selector = `${parent.name}.next a`;
      if (fits(selector)) return { selector, comment: 'Follow the "next" pagination link to the next listing page.' };
    }
    const cls = stableClasses(a).find((c) => /(^|[-_])next$/i.test(c));
    if (cls !== undefined && fits(`a.${cls}`)) return { selector: `a.${cls}`, comment: 'Follow the "next" pagination link to the next listing page.' };
  }
  for (const a of anchors) {
    const text = collapseWhitespace($(a).text());
    if (NEXT_TEXTS.has(text.toLowerCase())) {
      // `text` equals one of our own words (compared without case), so it is safe to quote.
      const selector = `a:contains(${cssString(text)})`;
      if (fits(selector)) return { selector, comment: `Follow the link reading "${text}" to the next listing page.` };
    }
  }
  if (matches($, 'link[rel~="next"][href]').length === 1) {
    return { selector: 'link[rel~="next"]', comment: 'Follow the page\'s <link rel="next"> to the next listing page.' };
  }
  return undefined;
}

function canonicalOf($: CheerioAPI, pageUrl: string, notes: string[]): { startUrl: string; has: boolean } {
  const link = matches($, 'link[href]').find((l) => /(^|\s)canonical(\s|$)/i.test(l.attribs.rel ?? ''));
  if (link === undefined) return { startUrl: pageUrl, has: false };
  try {
    const base = new URL(pageUrl);
    const canonical = new URL(link.attribs.href, base);
    if ((canonical.protocol === 'http:' || canonical.protocol === 'https:') && canonical.host === base.host) {
      if (canonical.href !== base.href) notes.push('The page declares a canonical URL; it is used as the start URL.');
      return { startUrl: canonical.href, has: true };
    }
    notes.push('The page\'s canonical URL points to another site; the fetched URL is kept as the start URL.');
  } catch {
    notes.push('The page\'s canonical URL is not valid; it was ignored.');
  }
  return { startUrl: pageUrl, has: true };
}

/** A page-level selector whose first match is `el`: `tag.class`, then under a stable ancestor. */
function pageSelector($: CheerioAPI, el: Element): string | undefined {
  const own = stableClasses(el).map((c) => `${el.name}.${c}`);
  const tries = [...own];
  const id = el.attribs.id;
  if (id !== undefined && SAFE_IDENT.test(id) && !isGeneratedClass(id)) tries.unshift(`#${id}`);
  for (let p = el.parent, depth = 0; p && isTag(p) && depth < 3; p = p.parent, depth++) {
    const ctx = contextSelector(p);
    if (ctx !== p.name) for (const o of own.length > 0 ? own : [el.name]) tries.push(`${ctx} ${o}`);
  }
  return tries.find((t) => matches($, t)[0] === el);
}

/**
 * Fields of a page that is one record (a detail page, an article): its heading, a price, a
 * rating, the rows of a key/value table, the meta description, a date and the canonical URL.
 */
function singleRecordFields($: CheerioAPI): DraftField[] {
  const fields: DraftField[] = [];
  const names = new NameAllocator();
  const push = (f: Omit<DraftField, 'name'> & { name: string }): void => {
    if (fields.length < MAX_FIELDS) fields.push({ ...f, name: names.take(f.name) });
  };
  const content = matches($, 'body *').filter((el) => !SKIPPED_SUBTREES.has(el.name) && !insideChrome(el));
  const h1 = content.find((el) => el.name === 'h1' && textOf($, el) !== '') ?? matches($, 'h1')[0];
  const title = matches($, 'title')[0];
  if (h1 !== undefined && textOf($, h1) !== '') {
    const selector = pageSelector($, h1) ?? 'h1';
    push({ name: 'title', locator: selector, sample: [textOf($, h1)], type: 'string' });
  } else if (title !== undefined) {
    push({ name: 'title', locator: 'title', sample: [textOf($, title)], type: 'string' });
  }
  const price = content.find((el) => fieldText(el) && /price/i.test(el.attribs.class ?? '') && PRICE.test(textOf($, el)));
  const priceSelector = price !== undefined ? pageSelector($, price) : undefined;
  if (price !== undefined && priceSelector !== undefined) {
    const sample = applyRegex(textOf($, price), PRICE_REGEX);
    push({ name: 'price', locator: priceSelector, regex: PRICE_REGEX, type: 'number', sample: sample !== undefined ? [sample] : [], comment: 'the regex keeps the sign and the separators' });
  }
  const rating = content.find((el) => RATING_CLASS.test(el.attribs.class ?? '') && WORD_RATINGS.test(el.attribs.class ?? ''));
  const ratingSelector = rating !== undefined ? pageSelector($, rating) : undefined;
  if (rating !== undefined && ratingSelector !== undefined) {
    const sample = applyRegex(rating.attribs.class ?? '', '(One|Two|Three|Four|Five)');
    push({ name: 'rating', locator: ratingSelector, attribute: 'class', regex: '(One|Two|Three|Four|Five)', type: 'string', sample: sample !== undefined ? [sample] : [] });
  }
  const availability = content.find((el) => fieldText(el) && /avail|stock/i.test(el.attribs.class ?? ''));
  const availabilitySelector = availability !== undefined ? pageSelector($, availability) : undefined;
  if (availability !== undefined && availabilitySelector !== undefined) {
    push({ name: 'availability', locator: availabilitySelector, type: 'string', sample: [textOf($, availability)] });
  }
  // Key/value tables (`<tr><th>UPC</th><td>…</td></tr>`): one field per row.
  const table = content.find((el) => el.name === 'table');
  if (table !== undefined) {
    const tableSel = pageSelector($, table);
    const rows = $(table).find('tr').toArray().filter(isTag).slice(0, 12);
    rows.forEach((tr) => {
      const cells = elementChildren(tr);
      if (tableSel === undefined || cells.length !== 2 || cells[0].name !== 'th' || cells[1].name !== 'td') return;
      // `:nth-of-type` counts the row among its siblings: the rows of its tbody when it has one.
      const rowSiblings = tr.parent ? elementChildren(tr.parent as Element).filter((e) => e.name === 'tr') : [];
      const selector = `${tableSel} tr:nth-of-type(${rowSiblings.indexOf(tr) + 1}) td`;
      if (matches($, selector)[0] !== cells[1]) return;
      const value = textOf($, cells[1]);
      push({ name: snakeCase(textOf($, cells[0])) || 'value', locator: selector, type: isNumeric([value]) ?? 'string', sample: [value] });
    });
  }
  const description = matches($, 'meta[name="description"][content]')[0];
  if (description !== undefined) {
    push({ name: 'description', locator: 'meta[name="description"]', attribute: 'content', sample: [collapseWhitespace(description.attribs.content)], type: 'string' });
  }
  const time = matches($, 'time[datetime]')[0];
  if (time !== undefined) push({ name: 'date', locator: 'time[datetime]', attribute: 'datetime', sample: [time.attribs.datetime], type: 'date' });
  const canonical = matches($, 'link[rel="canonical"][href]')[0];
  if (canonical !== undefined) push({ name: 'url', locator: 'link[rel="canonical"]', attribute: 'href', sample: [canonical.attribs.href], type: 'url' });
  return fields;
}

/** Deeper than this, the page is cut: real pages nest a few dozen levels, hostile ones thousands. */
const MAX_TREE_DEPTH = 128;

/**
 * Drops everything nested deeper than MAX_TREE_DEPTH. Descendant selectors walk ancestors, so on
 * a page nested thousands of levels deep every query would cost depth × size; cut, it is bounded.
 */
function pruneDeepNesting($: CheerioAPI, notes: string[]): void {
  const stack: { el: Element; depth: number }[] = $.root().children().toArray().filter(isTag).map((el) => ({ el, depth: 1 }));
  let pruned = false;
  while (stack.length > 0) {
    const { el, depth } = stack.pop() as { el: Element; depth: number };
    if (depth >= MAX_TREE_DEPTH) {
      if (el.children.length > 0) {
        el.children = [];
        pruned = true;
      }
      continue;
    }
    for (const kid of el.children) if (isTag(kid)) stack.push({ el: kid, depth: depth + 1 });
  }
  if (pruned) notes.push(`The page nests elements more than ${MAX_TREE_DEPTH} levels deep; the deeper part was ignored.`);
}

/** Proposes a scrape source from an HTML page. */
export function inferHtml(body: string, pageUrl: string, notes: string[]): ScrapeDraft {
  let $: CheerioAPI;
  try {
    $ = load(body);
  } catch {
    $ = load('');
    notes.push('The page could not be parsed as HTML.');
  }
  pruneDeepNesting($, notes);
  const titleEl = matches($, 'title')[0];
  const title = titleEl !== undefined ? textOf($, titleEl) : undefined;
  const { startUrl, has } = canonicalOf($, pageUrl, notes);

  const found = candidates($);
  const best = found[0];
  if (best === undefined || best.score < MIN_SCORE) {
    notes.push('No repeated record-like elements were found; the page is proposed as a single record.');
    const fields = singleRecordFields($);
    return {
      kind: 'scrape',
      startUrl,
      recordCount: 1,
      fields,
      follow: nextLink($, []),
      hasCanonical: has,
      title,
      // A detail page with many fields is a fair guess, but never a confident one.
      confidence: Math.min(0.35, 0.1 + 0.03 * fields.length),
      notes,
    };
  }
  const fields = fieldsFor($, best.items, notes);
  let confidence = 0.45 + 0.1 * Math.min(fields.length, 4) + (best.items.length >= 10 ? 0.05 : 0);
  const runnerUp = found[1];
  if (runnerUp !== undefined && runnerUp.score > best.score * 0.8) {
    confidence -= 0.2;
    notes.push(`Another repeated element (\`${runnerUp.selector}\`, ${runnerUp.items.length} matches) is almost as likely to be the records.`);
  }
  if (best.structural) {
    confidence -= 0.1;
    notes.push('The records have no stable class or test attribute, so the selector relies on the page structure and may break when the site changes.');
  }
  if (fields.length === 0) {
    confidence = 0.2;
    notes.push('No field varies across the records; add fields by hand.');
  }
  return {
    kind: 'scrape',
    startUrl,
    recordSelector: best.selector,
    recordCount: best.items.length,
    fields,
    follow: nextLink($, best.items),
    hasCanonical: has,
    title,
    confidence: Math.min(confidence, 0.95),
    notes,
  };
}
