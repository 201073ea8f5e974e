/**
 * A fast reader for the plain block style that collection specs are written in: indented
 * mappings and lists, plain and quoted one-line scalars, one-line flow lists, comments.
 *
 * Why it exists: the `yaml` package is the authority on YAML, but its general parser spends
 * about 10 µs per line, so a 20,000-line spec took 200–300 ms before any checking started, and
 * the editor re-reads the whole spec after every pause in typing. This reader handles only the
 * subset above, in one pass over the lines, and builds the very same `yaml` nodes (`YAMLMap`,
 * `YAMLSeq`, `Pair`, `Scalar` with the same values, styles and ranges), with scalars resolved by
 * the `yaml` package's own core-schema tags. The moment it meets anything else — anchors,
 * aliases, tags, block scalars, multi-line scalars, flow mappings, tabs, CRLF, directives,
 * several documents, or anything the `yaml` package would call an error — it gives up and
 * returns `undefined`, and the caller parses with the `yaml` package. So it can only be faster,
 * never different: test/unit/spec/block-yaml.test.ts compares the two on every example, fixture
 * and thousands of mutated specs.
 */
import { Document, Pair, Scalar, Schema, YAMLMap, YAMLSeq, type Node, type ScalarTag } from 'yaml';
import { MAX_DEPTH } from './locator';

/** The core schema's scalar tags in the order the `yaml` package tries them on a plain scalar. */
const PLAIN_TAGS = new Schema({}).tags.filter((t): t is ScalarTag & { test: RegExp } => t.default === true && !('collection' in t && t.collection) && t.test !== undefined);
const RESOLVE_OPTIONS = { intAsBigInt: false };
const ignoreTagError = (): void => undefined;

/** The `yaml` package's limit on an implicit key's length. */
const MAX_IMPLICIT_KEY = 1024;

/** Characters that may not start a plain scalar (YAML 1.2 §7.3.3, c-indicator). */
const INDICATOR = new Set(['-', '?', ':', ',', '[', ']', '{', '}', '#', '&', '*', '!', '|', '>', "'", '"', '%', '@', '`']);

/**
 * Anything that sends the whole document to the `yaml` package: tabs, a BOM, control
 * characters, and a CR anywhere but before a LF (CRLF line ends are read here).
 */
const OUTSIDE_SUBSET = /[\t\uFEFF\x00-\x08\x0B\x0C\x0E-\x1F\x7F]|\r(?!\n)/;

const DOUBLE_QUOTE_ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1B',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00A0',
  L: '\u2028',
  P: '\u2029',
};
const HEX_ESCAPE_LENGTH: Record<string, number> = { x: 2, u: 4, U: 8 };

/** Thrown inside the reader when the text leaves the subset; never escapes `readBlockYaml`. */
class OutsideSubset {}
const OUTSIDE = new OutsideSubset();

interface Open {
  node: YAMLMap | YAMLSeq;
  /** Column of the collection's entries (of its keys, or of its `-`). */
  indent: number;
  /** The last entry has no value on its line yet: a nested block may follow. */
  pending: boolean;
  /** A list written at the same column as the key that owns it (`key:\n- a`). */
  indentless: boolean;
  /** A comment follows the last entry (on its line or after it). */
  commentAfter: boolean;
}

/**
 * Every core-schema null, boolean and number starts with one of `~ n N t T f F + - .` or a
 * digit; any other plain scalar is a string without trying the tags' patterns.
 */
const NON_STRING_START = /^[~nNtTfF+\-.0-9]/;

/*
 * Node constructors. The `yaml` package's node constructors mark each node with
 * `Object.defineProperty`, which made building the nodes a third of this reader's time; a node
 * created from a marked template inherits the mark (so `isMap`, `isScalar`… and every node
 * method work as usual) at the cost of an ordinary object.
 */
const SCALAR_TEMPLATE = new Scalar(null);
const MAP_TEMPLATE = new YAMLMap();
const SEQ_TEMPLATE = new YAMLSeq();
const PAIR_TEMPLATE = new Pair(null);

function newScalar(value: unknown): Scalar {
  const scalar = Object.create(SCALAR_TEMPLATE) as Scalar;
  scalar.value = value;
  return scalar;
}

function newMap(): YAMLMap {
  const map = Object.create(MAP_TEMPLATE) as YAMLMap;
  map.items = [];
  return map;
}

function newSeq(): YAMLSeq {
  const seq = Object.create(SEQ_TEMPLATE) as YAMLSeq;
  seq.items = [];
  return seq;
}

function newPair(key: Node, value: Node): Pair {
  const pair = Object.create(PAIR_TEMPLATE) as Pair;
  pair.key = key;
  pair.value = value;
  return pair;
}

function plainScalar(text: string, start: number, end: number, nodeEnd: number): Scalar {
  const source = text.slice(start, end);
  let scalar: Scalar | undefined;
  if (NON_STRING_START.test(source)) {
    for (const tag of PLAIN_TAGS) {
      if (tag.test.test(source)) {
        const resolved = tag.resolve(source, ignoreTagError, RESOLVE_OPTIONS);
        scalar = newScalar(resolved instanceof Scalar ? resolved.value : resolved);
        if (tag.format) scalar.format = tag.format;
        break;
      }
    }
  }
  scalar ??= newScalar(source);
  scalar.range = [start, end, nodeEnd];
  scalar.source = source;
  scalar.type = 'PLAIN';
  return scalar;
}

function nullScalar(at: number): Scalar {
  const scalar = newScalar(null);
  scalar.range = [at, at, at];
  scalar.source = '';
  scalar.type = 'PLAIN';
  return scalar;
}

/** A quoted scalar starting at `start` (on the quote) and closed on the same line; returns it and its end. */
function quotedScalar(text: string, start: number, lineEnd: number): [Scalar, number] {
  const quote = text[start];
  let value = '';
  let i = start + 1;
  let chunk = i;
  for (;;) {
    if (i >= lineEnd) throw OUTSIDE;
    const c = text[i];
    if (quote === "'") {
      if (c === "'") {
        if (text[i + 1] === "'") {
          value += text.slice(chunk, i + 1);
          i += 2;
          chunk = i;
          continue;
        }
        break;
      }
    } else if (c === '"') {
      break;
    } else if (c === '\\') {
      value += text.slice(chunk, i);
      const e = text[i + 1];
      const hex = HEX_ESCAPE_LENGTH[e];
      if (hex !== undefined) {
        const digits = text.slice(i + 2, i + 2 + hex);
        if (digits.length !== hex || !/^[0-9a-fA-F]+$/.test(digits)) throw OUTSIDE;
        const code = parseInt(digits, 16);
        if (code > 0x10ffff) throw OUTSIDE;
        value += String.fromCodePoint(code);
        i += 2 + hex;
      } else {
        const decoded = DOUBLE_QUOTE_ESCAPES[e];
        if (decoded === undefined) throw OUTSIDE;
        value += decoded;
        i += 2;
      }
      chunk = i;
      continue;
    }
    i++;
  }
  value += text.slice(chunk, i);
  const scalar = newScalar(value);
  scalar.type = quote === "'" ? 'QUOTE_SINGLE' : 'QUOTE_DOUBLE';
  scalar.source = value;
  scalar.range = [start, i + 1, i + 1];
  return [scalar, i + 1];
}

/** Offset of the first non-space at or after `i` on the line. */
function skipSpaces(text: string, i: number, lineEnd: number): number {
  while (i < lineEnd && text.charCodeAt(i) === 32) i++;
  return i;
}

/** After a value: only spaces and then a comment or the end of the line may follow. */
function expectLineEnd(text: string, i: number, lineEnd: number): void {
  const j = skipSpaces(text, i, lineEnd);
  if (j === lineEnd) return;
  if (text[j] !== '#' || j === i) throw OUTSIDE;
}

/** Where ` #` (a comment) starts in `[start, lineEnd)`, or `lineEnd`. Never looks past the line. */
function commentStart(text: string, start: number, lineEnd: number): number {
  for (let i = start + 1; i < lineEnd; i++) if (text.charCodeAt(i) === 35 && text.charCodeAt(i - 1) === 32) return i - 1;
  return lineEnd;
}

/** End of a plain scalar's text in block context: before ` #` and trailing spaces. */
function plainEnd(text: string, start: number, lineEnd: number): number {
  let end = commentStart(text, start, lineEnd);
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  return end;
}

/** Where the key of a `key: value` line ends (on its `:`), or -1 when the content is not a key. */
function keyColon(text: string, start: number, lineEnd: number): number {
  for (let i = start; i < lineEnd; i++) {
    if (text.charCodeAt(i) === 58 && (i + 1 === lineEnd || text.charCodeAt(i + 1) === 32)) return i;
  }
  return -1;
}

/**
 * A plain scalar inside a flow collection closed by `closer`; returns it and where it stops.
 * As a key (`atKey`) it stops at its `: `.
 */
function flowPlain(text: string, start: number, lineEnd: number, closer: string, atKey = false): [Scalar, number] {
  const c = text[start];
  if (start >= lineEnd || (INDICATOR.has(c) && !(c === '-' && text[start + 1] !== ' ' && text[start + 1] !== closer && text[start + 1] !== ','))) throw OUTSIDE;
  let end = start;
  while (end < lineEnd) {
    const ch = text[end];
    if (ch === ',' || ch === closer) break;
    const after = text[end + 1];
    if (atKey && ch === ':' && after === ' ') break;
    if (ch === '[' || ch === ']' || ch === '{' || ch === '}' || (ch === '#' && text[end - 1] === ' ') || (ch === ':' && (after === ' ' || after === ',' || after === closer))) throw OUTSIDE;
    end++;
  }
  const stop = end;
  while (end > start && text.charCodeAt(end - 1) === 32) end--;
  return [plainScalar(text, start, end, end), stop];
}

/** A scalar (quoted or plain) inside a flow collection; returns it and where it stops. */
function flowScalar(text: string, start: number, lineEnd: number, closer: string): [Scalar, number] {
  const c = text[start];
  return c === '"' || c === "'" ? quotedScalar(text, start, lineEnd) : flowPlain(text, start, lineEnd, closer);
}

/** After a flow entry: `,` and the next entry, or the closer. Returns the next entry's start, or -1 at the closer. */
function flowNext(text: string, i: number, lineEnd: number, closer: string): number {
  i = skipSpaces(text, i, lineEnd);
  if (text[i] === closer) return -1;
  if (text[i] !== ',') throw OUTSIDE;
  i = skipSpaces(text, i + 1, lineEnd);
  // A trailing comma or an empty entry: rare, left to the `yaml` package.
  if (text[i] === closer || text[i] === ',') throw OUTSIDE;
  return i;
}

/** A one-line flow list `[a, 'b', 3]` starting at `start`; returns it and its end. */
function flowSeq(text: string, start: number, lineEnd: number, nodeEnd?: number): [YAMLSeq, number] {
  const seq = newSeq();
  seq.flow = true;
  let i = skipSpaces(text, start + 1, lineEnd);
  let end = i;
  if (text[i] !== ']') {
    for (;;) {
      const [item, after] = flowScalar(text, i, lineEnd, ']');
      seq.items.push(item);
      const next = flowNext(text, after, lineEnd, ']');
      if (next === -1) {
        end = skipSpaces(text, after, lineEnd);
        break;
      }
      i = next;
    }
  }
  seq.range = [start, end + 1, nodeEnd ?? end + 1];
  return [seq, end + 1];
}

/** A one-line flow mapping `{ a: 1, b: [x] }` starting at `start`; returns it and its end. */
function flowMap(text: string, start: number, lineEnd: number, nodeEnd: number): [YAMLMap, number] {
  const map = newMap();
  map.flow = true;
  let i = skipSpaces(text, start + 1, lineEnd);
  let end = i;
  if (text[i] !== '}') {
    for (;;) {
      const [key, colon] = flowPlain(text, i, lineEnd, '}', true);
      // `{a}` (a key without a value) and `{a : 1}` are left to the `yaml` package.
      if (text[colon] !== ':' || text[colon - 1] === ' ') throw OUTSIDE;
      const valueStart = skipSpaces(text, colon + 1, lineEnd);
      const [value, after] = text[valueStart] === '[' ? flowSeq(text, valueStart, lineEnd) : flowScalar(text, valueStart, lineEnd, '}');
      map.items.push(newPair(key, value));
      const next = flowNext(text, after, lineEnd, '}');
      if (next === -1) {
        end = skipSpaces(text, after, lineEnd);
        break;
      }
      i = next;
    }
  }
  map.range = [start, end + 1, nodeEnd];
  return [map, end + 1];
}

/** The value that starts at `start` on a line, up to the line's end; `nodeEnd` is the next line's start. */
function inlineValue(text: string, start: number, lineEnd: number, nodeEnd: number): Node {
  const c = text[start];
  if (c === '"' || c === "'") {
    const [scalar, after] = quotedScalar(text, start, lineEnd);
    expectLineEnd(text, after, lineEnd);
    scalar.range = [start, after, nodeEnd];
    return scalar;
  }
  if (c === '[') {
    const [seq, after] = flowSeq(text, start, lineEnd, nodeEnd);
    expectLineEnd(text, after, lineEnd);
    return seq;
  }
  if (c === '{') {
    const [map, after] = flowMap(text, start, lineEnd, nodeEnd);
    expectLineEnd(text, after, lineEnd);
    return map;
  }
  // `-5` and `-x` are plain scalars; `- x` here would be a list where none may start.
  if (INDICATOR.has(c) && !(c === '-' && start + 1 < lineEnd && text[start + 1] !== ' ')) throw OUTSIDE;
  const end = plainEnd(text, start, lineEnd);
  // `a: b: c` is an error; `a: b:` too.
  if (keyColon(text, start, end) !== -1 || text[end - 1] === ':') throw OUTSIDE;
  return plainScalar(text, start, end, nodeEnd);
}

/**
 * Reads `text` if it is in the block subset, or returns `undefined` (parse it with the `yaml`
 * package then). The document it returns has no errors or warnings (text with any is outside)
 * and no collection nested deeper than MAX_DEPTH.
 */
export function readBlockYaml(text: string): Document | undefined {
  if (OUTSIDE_SUBSET.test(text)) return undefined;
  try {
    const contents = readLines(text);
    if (!contents) return undefined;
    const doc = new Document();
    doc.contents = contents;
    return doc;
  } catch {
    // Outside the subset — or a bug here, which must not cost the user anything either.
    return undefined;
  }
}

function readLines(text: string): Node | undefined {
  const stack: Open[] = [];
  let root: YAMLMap | YAMLSeq | undefined;
  // Where the previous content line's node ended (its next line's start, or its line's end when
  // its value is empty), as the `yaml` package counts it: the end of every collection closed by
  // the current line.
  let previousEnd = 0;
  const close = (open: Open): void => {
    // Where an empty last value with comments after it ends depends on what follows, by rules
    // of the `yaml` package's own; such files are left to it.
    if (open.pending && open.commentAfter) throw OUTSIDE;
    const r = open.node.range!;
    open.node.range = [r[0], previousEnd, previousEnd];
  };

  let commentSinceContent = false;
  let lastContentNext = 0;
  let lineStart = 0;
  while (lineStart < text.length) {
    const newline = text.indexOf('\n', lineStart);
    const lineEnd = newline === -1 ? text.length : newline > lineStart && text.charCodeAt(newline - 1) === 13 ? newline - 1 : newline;
    const next = newline === -1 ? text.length : newline + 1;
    const contentStart = skipSpaces(text, lineStart, lineEnd);
    const first = text[contentStart];
    if (contentStart === lineEnd || first === '#') {
      const top = stack[stack.length - 1];
      if (first === '#' && top) {
        // A comment indented under a complete value becomes part of that value, by rules of the
        // `yaml` package's own; such files are left to it.
        if (!top.pending && contentStart - lineStart > top.indent) throw OUTSIDE;
        top.commentAfter = true;
      }
      if (first === '#') commentSinceContent = true;
      lineStart = next;
      continue;
    }
    const indent = contentStart - lineStart;
    if (indent === 0 && (first === '%' || text.startsWith('---', lineStart) || text.startsWith('...', lineStart))) throw OUTSIDE;
    const isDash = first === '-' && (contentStart + 1 === lineEnd || text[contentStart + 1] === ' ');

    // Close the collections this line is not part of.
    while (stack.length > 0) {
      const top = stack[stack.length - 1];
      if (indent < top.indent || (top.indentless && indent === top.indent && !isDash)) {
        close(top);
        stack.pop();
        continue;
      }
      break;
    }
    const top = stack[stack.length - 1];
    if (!top) {
      if (root) throw OUTSIDE; // content less indented than the document's first line
      root = isDash ? newSeq() : newMap();
      root.range = [contentStart, 0, 0];
      stack.push({ node: root, indent, pending: false, indentless: false, commentAfter: false });
    } else if (top.pending && (indent > top.indent || (indent === top.indent && isDash && top.node instanceof YAMLMap))) {
      // The nested block of the last entry, which had nothing after its `:` or `-`.
      const nested = isDash ? newSeq() : newMap();
      nested.range = [contentStart, 0, 0];
      setLastValue(top, nested);
      top.pending = false;
      stack.push({ node: nested, indent, pending: false, indentless: indent === top.indent, commentAfter: false });
    } else if (indent !== top.indent || isDash !== (top.node instanceof YAMLSeq)) {
      throw OUTSIDE; // a continuation line, or an indentation the `yaml` package reports
    }
    previousEnd = readEntry(text, stack, lineStart, contentStart, lineEnd, next, isDash);
    // Too deep for the checks: the `yaml` package's tree goes to findTooDeep, which reports it.
    if (stack.length >= MAX_DEPTH) throw OUTSIDE;
    lastContentNext = next;
    commentSinceContent = false;
    lineStart = next;
  }
  // Comments after the last entry, and blank lines after a last empty value, stretch the
  // document's collections by rules of the `yaml` package's own; such files are left to it.
  if (commentSinceContent || (stack.length > 0 && stack[stack.length - 1].pending && lastContentNext < text.length)) throw OUTSIDE;
  for (let i = stack.length - 1; i >= 0; i--) close(stack[i]);
  return root;
}

function setLastValue(open: Open, value: Node): void {
  if (open.node instanceof YAMLMap) (open.node.items[open.node.items.length - 1] as Pair<Node, Node>).value = value;
  else open.node.items[open.node.items.length - 1] = value;
}

/** Reads one `key: …` or `- …` entry into the collection on top of the stack; returns where its node ends. */
function readEntry(text: string, stack: Open[], lineStart: number, start: number, lineEnd: number, next: number, isDash: boolean): number {
  const top = stack[stack.length - 1];
  if (isDash) {
    const seq = top.node as YAMLSeq;
    const itemStart = skipSpaces(text, start + 1, lineEnd);
    top.commentAfter = text[itemStart] === '#';
    if (itemStart === lineEnd || top.commentAfter) {
      seq.items.push(nullScalar(itemStart));
      top.pending = true;
      return lineEnd;
    }
    top.pending = false;
    const c = text[itemStart];
    if (c === '-' && (itemStart + 1 === lineEnd || text[itemStart + 1] === ' ')) throw OUTSIDE; // `- - x`
    if (c !== '"' && c !== "'" && c !== '[' && c !== '{' && keyColon(text, itemStart, plainEnd(text, itemStart, lineEnd)) !== -1) {
      // `- key: value`: a mapping whose keys are at the column of this first key.
      const map = newMap();
      map.range = [itemStart, 0, 0];
      seq.items.push(map);
      const open: Open = { node: map, indent: itemStart - lineStart, pending: false, indentless: false, commentAfter: false };
      stack.push(open);
      return readPair(text, open, itemStart, lineEnd, next);
    }
    seq.items.push(inlineValue(text, itemStart, lineEnd, next));
    return next;
  }
  return readPair(text, top, start, lineEnd, next);
}

function readPair(text: string, open: Open, start: number, lineEnd: number, next: number): number {
  const c = text[start];
  if (INDICATOR.has(c)) throw OUTSIDE; // quoted, complex (`?`) and other special keys
  const colon = keyColon(text, start, lineEnd);
  if (colon === -1 || colon === start) throw OUTSIDE;
  let keyEnd = colon;
  if (text.charCodeAt(keyEnd - 1) === 32 || colon - start > MAX_IMPLICIT_KEY) throw OUTSIDE;
  if (commentStart(text, start, keyEnd) < keyEnd) throw OUTSIDE;
  while (keyEnd > start && text.charCodeAt(keyEnd - 1) === 32) keyEnd--;
  const key = plainScalar(text, start, keyEnd, keyEnd);
  const valueStart = skipSpaces(text, colon + 1, lineEnd);
  const map = open.node as YAMLMap;
  open.commentAfter = text[valueStart] === '#';
  if (valueStart === lineEnd || open.commentAfter) {
    map.items.push(newPair(key, nullScalar(valueStart)));
    open.pending = true;
    return lineEnd;
  }
  open.pending = false;
  map.items.push(newPair(key, inlineValue(text, valueStart, lineEnd, next)));
  return next;
}
