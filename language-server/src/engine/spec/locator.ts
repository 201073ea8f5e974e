/**
 * Positions and paths in the spec text: offset ↔ line/character conversion and the locator that
 * maps spec paths to the YAML nodes that hold them.
 */
import { isAlias, isMap, isPair, isScalar, isSeq, type Document, type Node, type Pair, type Scalar } from 'yaml';
import type { Position, Range, SpecLocator, SpecPath } from './model';

/**
 * Converts string offsets to LSP positions. Line starts are computed once per document and
 * looked up by binary search, so each conversion is O(log lines). JavaScript string offsets are
 * UTF-16 code units, which is what LSP counts by default.
 */
export class TextPositions {
  private readonly lineStarts: number[];

  constructor(readonly text: string) {
    const starts = [0];
    for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    this.lineStarts = starts;
  }

  /** Number of lines (a final newline starts an empty last line). */
  get lineCount(): number {
    return this.lineStarts.length;
  }

  /** The position of `offset`, clamped into the document. */
  position(offset: number): Position {
    const o = Math.max(0, Math.min(Number.isFinite(offset) ? offset : 0, this.text.length));
    let lo = 0;
    let hi = this.lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.lineStarts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.lineStarts[lo] };
  }

  /** The offset of `position`, clamped into its line and the document. */
  offset(position: Position): number {
    const line = Math.max(0, Math.min(position.line, this.lineStarts.length - 1));
    const start = this.lineStarts[line];
    const next = line + 1 < this.lineStarts.length ? this.lineStarts[line + 1] - 1 : this.text.length;
    return Math.min(start + Math.max(0, position.character), next);
  }

  /** The range between two offsets (ordered and clamped). */
  range(start: number, end: number): Range {
    const a = Math.min(start, end);
    const b = Math.max(start, end);
    return { start: this.position(a), end: this.position(b) };
  }

  /** The range of the content of the line holding `offset` (for findings about a whole line). */
  lineRange(offset: number): Range {
    const p = this.position(offset);
    const start = this.lineStarts[p.line];
    let end = p.line + 1 < this.lineStarts.length ? this.lineStarts[p.line + 1] - 1 : this.text.length;
    if (end > start && this.text[end - 1] === '\r') end--;
    return this.range(start, end);
  }
}

/** Where one path's key and value are, as offsets. */
export interface Located {
  key?: [number, number];
  value?: [number, number];
  node?: Node | null;
}

function nodeRange(node: unknown): [number, number] | undefined {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return r ? [r[0], r[1]] : undefined;
}

/** Maximum nesting the locator and the validator descend into. */
export const MAX_DEPTH = 64;

/** The first collection nested deeper than MAX_DEPTH, as offsets, found without recursion. */
export function findTooDeep(root: unknown): [number, number] | undefined {
  const stack: { node: unknown; depth: number }[] = [{ node: root, depth: 0 }];
  while (stack.length > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (isMap(node)) {
      if (depth > MAX_DEPTH) return nodeRange(node);
      for (const pair of node.items) if (pair.value) stack.push({ node: pair.value, depth: depth + 1 });
    } else if (isSeq(node)) {
      if (depth > MAX_DEPTH) return nodeRange(node);
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    }
  }
  return undefined;
}

/**
 * The locator of one parsed document. A path is found by walking down from the root, one
 * mapping or list per segment: a spec's mappings have a handful of keys and lists are indexed
 * directly, so a lookup costs a few comparisons, and nothing is built for paths never asked about.
 */
export class AstLocator implements SpecLocator {
  constructor(
    private readonly doc: Document | undefined,
    private readonly positions: TextPositions,
  ) {}

  /** Offsets of the key and value at `path`, and the value's node. */
  locate(path: SpecPath): Located | undefined {
    const root = this.doc?.contents;
    if (!root) return undefined;
    if (path.length > MAX_DEPTH + 1) return undefined;
    let node: unknown = root;
    let key: [number, number] | undefined;
    for (const segment of path) {
      key = undefined;
      if (typeof segment === 'number') {
        if (!isSeq(node) || !Number.isInteger(segment) || segment < 0 || segment >= node.items.length) return undefined;
        node = node.items[segment];
        continue;
      }
      if (!isMap(node)) return undefined;
      let found: Pair | undefined;
      // The first of duplicate keys wins, as it does in the model.
      for (const pair of node.items) {
        const k = isScalar(pair.key) ? pair.key.value : undefined;
        if (k !== undefined && k !== null && typeof k !== 'object' && String(k) === segment) {
          found = pair;
          break;
        }
      }
      if (!found) return undefined;
      key = nodeRange(found.key);
      node = found.value;
    }
    const value = nodeRange(node) ?? (key ? ([key[1], key[1]] as [number, number]) : undefined);
    return { key, value, node: node as Node | null };
  }

  /** The document's root node. */
  root(): unknown {
    return this.doc?.contents ?? undefined;
  }

  valueRange(path: SpecPath): Range | undefined {
    const v = this.locate(path)?.value;
    return v ? this.positions.range(v[0], v[1]) : undefined;
  }

  keyRange(path: SpecPath): Range | undefined {
    const k = this.locate(path)?.key;
    return k ? this.positions.range(k[0], k[1]) : undefined;
  }

  /** The best range to report something about `path`: its key, else its value. */
  anchorRange(path: SpecPath): Range | undefined {
    return this.keyRange(path) ?? this.valueRange(path);
  }

  pathAt(position: Position): SpecPath {
    if (position.line < 0 || position.line >= this.positions.lineCount) return [];
    const offset = this.positions.offset(position);
    const path: (string | number)[] = [];
    let node: unknown = this.doc?.contents;
    for (let depth = 0; depth <= MAX_DEPTH && node; depth++) {
      if (isAlias(node)) break;
      let next: unknown;
      if (isMap(node)) {
        for (const pair of node.items) {
          if (!isPair(pair)) continue;
          const kr = nodeRange(pair.key);
          const vr = nodeRange(pair.value);
          if (!kr) continue;
          const end = vr ? vr[1] : kr[1] + 1;
          if (offset >= kr[0] && offset <= end && isScalar(pair.key)) {
            path.push(String((pair.key as Scalar).value));
            next = offset <= kr[1] ? undefined : pair.value;
            if (next === undefined) return path;
            break;
          }
        }
      } else if (isSeq(node)) {
        for (let i = 0; i < node.items.length; i++) {
          const r = nodeRange(node.items[i]);
          if (r && offset >= r[0] && offset <= r[1]) {
            path.push(i);
            next = node.items[i];
            break;
          }
        }
      }
      if (next === undefined) break;
      node = next;
    }
    return path;
  }
}

/**
 * The document range of `[start, end)` inside a scalar's value, or the whole value range when the
 * scalar's source text does not map one-to-one onto its value (escapes, folding).
 */
export function scalarSubRange(node: Node | null | undefined, start: number, end: number, positions: TextPositions): Range | undefined {
  if (!node || !isScalar(node) || !node.range) return undefined;
  const value = node.value;
  const [s, e] = node.range;
  if (typeof value === 'string') {
    const quoted = node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE';
    const inner = quoted ? positions.text.slice(s + 1, e - 1) : positions.text.slice(s, e);
    if (inner === value && (node.type === 'PLAIN' || quoted)) {
      const base = quoted ? s + 1 : s;
      const a = Math.max(0, Math.min(start, value.length));
      const b = Math.max(a, Math.min(end, value.length));
      return positions.range(base + a, base + b);
    }
  }
  return positions.range(s, e);
}
