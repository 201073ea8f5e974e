/**
 * Syntax checks of the small languages embedded in a spec: CSS selectors (as cheerio reads them),
 * RFC 9535 JSONPath and regular expressions. Each returns the problem with offsets into the
 * checked string, or undefined when it is fine. None of them throws.
 */
import { compile } from 'css-select';
import { parse as parseCss, type Selector } from 'css-what';
import parseJsonPath from 'jsonpath-rfc9535/parser';

/** A problem inside an embedded expression, with offsets relative to the expression. */
export interface SyntaxProblem {
  message: string;
  start: number;
  end: number;
}

// The editor re-parses the spec on every keystroke and specs repeat their selectors and paths,
// so results are remembered. The checks are pure; the caches are bounded and hold short strings.
const CACHE_LIMIT = 5000;
const MAX_CACHED_LENGTH = 1000;
const cssCache = new Map<string, SyntaxProblem | undefined>();
const jsonPathCache = new Map<string, SyntaxProblem | undefined>();
const regexCache = new Map<string, SyntaxProblem | undefined>();

function memo(cache: Map<string, SyntaxProblem | undefined>, key: string, check: (s: string) => SyntaxProblem | undefined): SyntaxProblem | undefined {
  if (key.length > MAX_CACHED_LENGTH) return check(key);
  if (cache.has(key)) return cache.get(key);
  const result = check(key);
  if (cache.size >= CACHE_LIMIT) cache.clear();
  cache.set(key, result);
  return result;
}

/** Selectors longer than this are still checked, but the error is reported on the whole value. */
const MAX_LOCATE_LENGTH = 512;

// cheerio adds jQuery's positional pseudo-classes on top of css-select; accept them here too.
const positional = (): boolean => true;
const CHEERIO_PSEUDOS = { first: positional, last: positional, eq: positional, nth: positional, gt: positional, lt: positional, even: positional, odd: positional };

function cssParses(s: string): boolean {
  try {
    parseCss(s);
    return true;
  } catch {
    return false;
  }
}

const COMBINATORS = new Set(['child', 'descendant', 'sibling', 'adjacent', 'parent', 'column-combinator']);

function structuralProblem(sel: string, parsed: Selector[][]): SyntaxProblem | undefined {
  for (const group of parsed) {
    const last = group[group.length - 1];
    if (last && COMBINATORS.has(last.type) && last.type !== 'descendant') {
      const at = sel.trimEnd().length - 1;
      return { message: 'The selector ends with a combinator; something must follow it.', start: Math.max(0, at), end: Math.max(0, at) + 1 };
    }
    for (const t of group) {
      if (t.type === 'attribute' && (t.name === 'class' || t.name === 'id') && t.action !== 'exists' && (t.value === '' || /^[.#]/.test(t.value))) {
        const m = /\.\.|\.(?=[\s>+~,.#[:]|$)|#(?=[\s>+~,.[:]|$)/.exec(sel);
        const start = m ? m.index : 0;
        return { message: `Empty ${t.name === 'class' ? 'class' : 'id'} name in the selector.`, start, end: start + (m ? m[0].length : sel.length) };
      }
    }
  }
  return undefined;
}

/** Checks a CSS selector with the parser and compiler cheerio uses. */
export function checkCssSelector(sel: string): SyntaxProblem | undefined {
  return memo(cssCache, sel, uncachedCss);
}

function uncachedCss(sel: string): SyntaxProblem | undefined {
  if (sel.trim() === '') return { message: 'The selector is empty.', start: 0, end: sel.length };
  let parsed: Selector[][];
  try {
    parsed = parseCss(sel);
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    // css-what's errors carry no offset: the first character after the longest prefix that
    // still parses is where the selector goes wrong.
    if (sel.length > MAX_LOCATE_LENGTH) return { message: `Invalid CSS selector: ${reason}.`, start: 0, end: sel.length };
    let good = 0;
    for (let i = sel.length - 1; i > 0; i--) {
      if (cssParses(sel.slice(0, i))) {
        good = i;
        break;
      }
    }
    while (good < sel.length - 1 && /\s/.test(sel[good])) good++;
    return { message: `Invalid CSS selector: ${reason.replace(/found $/, 'found the end of the selector')}.`, start: good, end: Math.min(sel.length, good + 1) };
  }
  const structural = structuralProblem(sel, parsed);
  if (structural) return structural;
  try {
    compile(sel, { pseudos: CHEERIO_PSEUDOS });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    const pseudo = /pseudo-class :([\w-]+)/i.exec(reason);
    let start = -1;
    let len = 0;
    if (pseudo) {
      const m = new RegExp(`:${pseudo[1].replace(/[-]/g, '\\-')}(?![\\w-])`, 'i').exec(sel);
      if (m) {
        start = m.index;
        len = m[0].length;
      }
    } else if (/pseudo-element/i.test(reason)) {
      start = sel.indexOf('::');
      const m = /::[\w-]*/.exec(sel);
      len = m ? m[0].length : 2;
    } else {
      const arg = /\('([^']*)'\)/.exec(reason);
      if (arg && arg[1]) {
        start = sel.indexOf(arg[1]);
        len = arg[1].length;
      }
    }
    if (start < 0) return { message: `Unsupported CSS selector: ${reason}.`, start: 0, end: sel.length };
    return { message: `Unsupported CSS selector: ${reason}.`, start, end: start + Math.max(1, len) };
  }
  return undefined;
}

interface PegError {
  message: string;
  location?: { start?: { offset?: number }; end?: { offset?: number } };
}

/** Checks an RFC 9535 JSONPath query, pointing at the offending character. */
export function checkJsonPath(expr: string): SyntaxProblem | undefined {
  return memo(jsonPathCache, expr, uncachedJsonPath);
}

function uncachedJsonPath(expr: string): SyntaxProblem | undefined {
  try {
    parseJsonPath(expr);
    return undefined;
  } catch (e) {
    const err = e as PegError;
    const start = err.location?.start?.offset ?? 0;
    const end = Math.max(start + 1, err.location?.end?.offset ?? start + 1);
    let message = `Invalid JSONPath: ${String(err.message ?? e)}`;
    if (message.length > 300) message = message.slice(0, 297) + '...';
    if (!expr.startsWith('$')) message = 'A JSONPath query starts with `$` (the record or response), e.g. `$.title`.';
    // "End of input found": point at the last character rather than past the end.
    if (start >= expr.length) return { message, start: Math.max(0, expr.length - 1), end: expr.length };
    return { message, start, end: Math.min(end, expr.length) };
  }
}

/** Checks a JavaScript regular expression (the flavour the extractor runs). */
export function checkRegex(source: string): SyntaxProblem | undefined {
  return memo(regexCache, source, uncachedRegex);
}

function uncachedRegex(source: string): SyntaxProblem | undefined {
  try {
    new RegExp(source);
    return undefined;
  } catch (e) {
    return { message: `Invalid regular expression: ${e instanceof Error ? e.message.replace(/^Invalid regular expression: /, '') : String(e)}`, start: 0, end: source.length };
  }
}
