/**
 * What the cursor is in the middle of typing, for completion. The YAML parse of a half-typed line
 * is often not what the user means (`    rec` continues the scalar on the line above), so the
 * context is read from the text around the cursor: the mapping that owns the cursor's column is
 * found by walking up to the nearest less-indented line, and only that line's path is taken from
 * the parser's locator, where the text is still whole.
 */
import type { Position, Range } from 'vscode-languageserver';
import type { SpecLocator, SpecPath } from '../engine/spec';

/** The cursor is typing a key of the mapping at `parent`. */
export interface KeyContext {
  kind: 'key';
  parent: SpecPath;
  /** The keys already present in that mapping (not offered again). */
  present: string[];
  /** What the key completion replaces: the partial key typed so far. */
  replace: Range;
  /** True when the line starts a new list item (`- `), so the mapping is a new element of a list. */
  listItem: boolean;
}

/** The cursor is typing the value of `path` (a scalar, or an element of the list at `path`). */
export interface ValueContext {
  kind: 'value';
  path: SpecPath;
  /** The whole value typed so far on this line, before the cursor. */
  typed: string;
  /** What a value completion replaces: the token under the cursor. */
  replace: Range;
}

export type CursorContext = KeyContext | ValueContext;

interface LineShape {
  /** Column of the line's first non-space character. */
  indent: number;
  /** Column where the mapping content starts, after any `- ` markers. */
  contentColumn: number;
  /** True when the line begins with a `- ` list marker. */
  item: boolean;
  /** The key on the line, if it has one (`key:` or `key: value`). */
  key?: string;
  /** Column of the key. */
  keyColumn: number;
  /** True when the key has nothing after its colon (its value is on the following lines). */
  opens: boolean;
}

const KEY = /^([A-Za-z_][\w.-]*|"[^"]*"|'[^']*')[ \t]*:(?:[ \t]+|$)/;

function shape(line: string): LineShape | undefined {
  const indent = line.length - line.trimStart().length;
  let rest = line.slice(indent);
  if (rest === '' || rest.startsWith('#')) return undefined;
  let column = indent;
  let item = false;
  while (rest === '-' || rest.startsWith('- ')) {
    item = true;
    const after = rest.slice(1);
    const spaces = after.length - after.trimStart().length;
    column += 1 + spaces;
    rest = after.trimStart();
  }
  const match = KEY.exec(rest);
  if (!match) return { indent, contentColumn: column, item, keyColumn: column, opens: false };
  const value = rest.slice(match[0].length).replace(/\s+#.*$/, '').trim();
  return { indent, contentColumn: column, item, key: match[1]!.replace(/^["']|["']$/g, ''), keyColumn: column, opens: value === '' };
}

/** Keys of the block mapping whose keys sit at `column` around `line` (the cursor's own line excluded). */
function siblingKeys(lines: string[], line: number, column: number): string[] {
  const keys: string[] = [];
  for (let i = line - 1; i >= 0; i--) {
    const s = shape(lines[i]!);
    if (!s || s.contentColumn > column) continue;
    if (s.contentColumn < column) break;
    if (s.key !== undefined) keys.push(s.key);
    // A `- key:` line starts this mapping as a list element: nothing above belongs to it.
    if (s.item) break;
  }
  for (let i = line + 1; i < lines.length; i++) {
    const s = shape(lines[i]!);
    if (!s || s.contentColumn > column) continue;
    // A shallower line, or the next list element, ends this mapping.
    if (s.contentColumn < column || s.item) break;
    if (s.key !== undefined) keys.push(s.key);
  }
  return keys;
}

/** The path the locator gives the key on line `i`, when it agrees that the key is there. */
function keyPath(locate: SpecLocator, i: number, s: LineShape): SpecPath | undefined {
  // One character into the key: at its very first character the locator may still be inside
  // the previous node, whose range runs up to the start of this line.
  const path = locate.pathAt({ line: i, character: s.keyColumn + 1 });
  const last = path[path.length - 1];
  if (last === s.key) return path;
  // A key renamed since the last parse (or written in a form the parser normalises, such as a
  // quoted or numeric key) names the same node: the text's spelling is the one that counts.
  return typeof last === 'string' ? [...path.slice(0, -1), s.key!] : undefined;
}

/**
 * The path of the mapping whose keys sit at `column` around `line`: the parent of a sibling key
 * at the same column, or the nearest shallower `key:` line that opens a block.
 */
function ownerPath(lines: string[], line: number, column: number, locate: SpecLocator): SpecPath | undefined {
  for (let i = line - 1; i >= 0; i--) {
    const s = shape(lines[i]!);
    if (!s || s.contentColumn > column) continue;
    if (s.contentColumn === column) {
      if (s.key === undefined) continue;
      return keyPath(locate, i, s)?.slice(0, -1);
    }
    return s.key !== undefined && s.opens ? keyPath(locate, i, s) : undefined;
  }
  // Nothing above: the cursor is at the document's top level.
  return column === 0 ? [] : undefined;
}

/** The completion context at `position` in `text`, or undefined when there is nothing sensible to offer. */
export function cursorContext(text: string, position: Position, locate: SpecLocator): CursorContext | undefined {
  const lines = text.split(/\r\n|\r|\n/);
  const lineText = lines[position.line] ?? '';
  const before = lineText.slice(0, position.character);
  if (/(^|\s)#/.test(before)) return undefined;

  const indent = before.length - before.trimStart().length;
  let rest = before.slice(indent);
  let column = indent;
  let listItem = false;
  while (rest === '-' || rest.startsWith('- ')) {
    listItem = true;
    const after = rest.slice(1);
    column += 1 + (after.length - after.trimStart().length);
    rest = after.trimStart();
  }

  const keyMatch = KEY.exec(rest);
  if (keyMatch) {
    // `key: val|` — a value of `key` in the mapping that owns `column`.
    const key = keyMatch[1]!.replace(/^["']|["']$/g, '');
    let parent: SpecPath | undefined;
    if (listItem) {
      const list = listOwner(lines, position.line, indent, locate);
      parent = list ? [...list, itemIndex(lines, position.line, indent, locate, list)] : undefined;
    } else {
      parent = ownerPath(lines, position.line, column, locate);
    }
    if (!parent) return undefined;
    const typed = rest.slice(keyMatch[0].length);
    return { kind: 'value', path: [...parent, key], typed, replace: tokenRange(position, typed) };
  }

  if (listItem) {
    // `- val|` or `- ke|`: an element of the list that owns the marker's column.
    const owner = listOwner(lines, position.line, indent, locate);
    if (!owner) return undefined;
    if (/[\s:]/.test(rest)) return { kind: 'value', path: owner, typed: rest, replace: tokenRange(position, rest) };
    return {
      kind: 'key',
      parent: owner,
      present: [],
      listItem: true,
      replace: { start: { line: position.line, character: column }, end: { ...position } },
    };
  }

  if (/[\s:]/.test(rest)) return undefined;
  const owner = ownerPath(lines, position.line, column, locate);
  if (!owner) return undefined;
  return {
    kind: 'key',
    parent: owner,
    present: siblingKeys(lines, position.line, column),
    listItem: false,
    replace: { start: { line: position.line, character: column }, end: { ...position } },
  };
}

/** The path of the list whose `- ` markers sit at `indent`: the nearest `key:` line above that opens it. */
function listOwner(lines: string[], line: number, indent: number, locate: SpecLocator): SpecPath | undefined {
  for (let i = line - 1; i >= 0; i--) {
    const s = shape(lines[i]!);
    // Deeper lines belong to earlier elements; markers at the same indentation are earlier elements.
    if (!s || s.indent > indent || (s.item && s.indent === indent)) continue;
    // A compact list (`key:` then `- ` at the same indentation) or an indented one.
    return s.key !== undefined && s.opens && s.contentColumn <= indent ? keyPath(locate, i, s) : undefined;
  }
  return undefined;
}

/** The index the list item on `line` has (or will have) in the list at `owner`. */
function itemIndex(lines: string[], line: number, indent: number, locate: SpecLocator, owner: SpecPath): number {
  let count = 0;
  for (let i = line - 1; i >= 0; i--) {
    const s = shape(lines[i]!);
    if (!s) continue;
    if (s.item && s.indent === indent) count++;
    else if (s.indent < indent || (s.indent === indent && !s.item)) break;
  }
  // Prefer the parser's own index when the item already exists in the tree.
  const here = locate.pathAt({ line, character: indent + 2 });
  if (here.length > owner.length && typeof here[owner.length] === 'number' && owner.every((seg, i) => here[i] === seg)) return here[owner.length] as number;
  return count;
}

/** The range of the token being typed at the end of `typed` (after the last space, comma or bracket). */
function tokenRange(position: Position, typed: string): Range {
  const match = /[^\s,()[\]{}"']*$/.exec(typed);
  const length = match ? match[0].length : 0;
  return { start: { line: position.line, character: position.character - length }, end: { ...position } };
}
