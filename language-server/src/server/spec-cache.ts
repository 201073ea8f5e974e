/**
 * Parsed specs cached by document URI and version, so that diagnostics, hover, completion,
 * symbols and the rest share one parse per edit instead of parsing a 50,000-line file five times.
 *
 * Requests that arrive between an edit and the next parse (the user is typing; validation is
 * debounced) are answered from the previous parse seen through the edit: positions before the
 * changed text are unchanged, positions after it are shifted by the edit's length, and positions
 * inside it are read at the same place in the text it replaced (a best effort: a request whose
 * answer from the view is empty is asked again of a fresh parse, see `answer`). A re-parse of a 50,000-line spec takes about a second, and a hover or
 * completion must not wait that long for a keystroke's worth of change.
 */
import type { Position, Range } from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { parseSpec, type SpecLocator, type SpecParseResult, type SpecPath } from '../engine/spec';

/** One cached parse, with the text it was made from. */
interface Entry {
  version: number;
  text: string;
  /** The parsed text as a document, for offset ↔ position conversions in views. */
  snapshot: TextDocument;
  result: SpecParseResult;
}

/** Where two texts differ: `[start, oldEnd)` in the old text became `[start, newEnd)` in the new. */
export interface ChangedRegion {
  start: number;
  oldEnd: number;
  newEnd: number;
}

/** Above this many changed characters a fresh parse is cheaper to trust than a mapped view. */
const MAX_MAPPED_CHANGE = 64 * 1024;

/**
 * Below this size a document is simply re-parsed for a request: it takes milliseconds (about
 * 5,000 lines), and a fresh parse also knows about keys typed since the last one.
 */
export const FRESH_PARSE_CHARS = 200_000;

/** The smallest region outside which `before` and `after` are the same (common prefix and suffix). */
export function changedRegion(before: string, after: string): ChangedRegion {
  const max = Math.min(before.length, after.length);
  let start = 0;
  while (start < max && before.charCodeAt(start) === after.charCodeAt(start)) start++;
  let oldEnd = before.length;
  let newEnd = after.length;
  while (oldEnd > start && newEnd > start && before.charCodeAt(oldEnd - 1) === after.charCodeAt(newEnd - 1)) {
    oldEnd--;
    newEnd--;
  }
  return { start, oldEnd, newEnd };
}

/**
 * A view of `base` (parsed from `snapshot`) for `current`, the same document after the changes
 * `regions` (in the order they were made). Paths and the model are the base's; every position
 * is translated through the changes, in offsets, so only the first and last texts are needed.
 */
export function mappedResult(base: SpecParseResult, snapshot: TextDocument, current: TextDocument, regions: readonly ChangedRegion[]): SpecParseResult {
  const toOldOffset = (offset: number): number => {
    let o = offset;
    for (let i = regions.length - 1; i >= 0; i--) {
      const r = regions[i]!;
      if (o < r.start) continue;
      if (o >= r.newEnd) o -= r.newEnd - r.oldEnd;
      // Inside changed text: the same distance into what it replaced, clamped; text that was only
      // inserted has no old counterpart, so what preceded it is read. For a renamed key this
      // lands on the old key, whose node is where the new one will be.
      else o = r.oldEnd > r.start ? Math.min(o, r.oldEnd - 1) : Math.max(0, r.start - 1);
    }
    return o;
  };
  const toNewOffset = (offset: number, edge: 'start' | 'end'): number => {
    let o = offset;
    for (const r of regions) {
      if (o < r.start || (edge === 'end' && o === r.start)) continue;
      if (o >= r.oldEnd) o += r.newEnd - r.oldEnd;
      // Inside replaced text: widen the range to cover what replaced it.
      else o = edge === 'start' ? r.start : r.newEnd;
    }
    return o;
  };
  const mapRange = (range: Range | undefined): Range | undefined =>
    range ? { start: current.positionAt(toNewOffset(snapshot.offsetAt(range.start), 'start')), end: current.positionAt(toNewOffset(snapshot.offsetAt(range.end), 'end')) } : undefined;
  const locate: SpecLocator = {
    valueRange: (path: SpecPath) => mapRange(base.locate.valueRange(path)),
    keyRange: (path: SpecPath) => mapRange(base.locate.keyRange(path)),
    pathAt: (position: Position) => base.locate.pathAt(snapshot.positionAt(toOldOffset(current.offsetAt(position)))),
  };
  return { model: base.model, diagnostics: base.diagnostics, locate };
}

/** A change as LSP sends it: a range and its new text, or the whole new text. */
export type ContentChange = { range: Range; text: string } | { text: string };

/** The most edits a view maps through before a fresh parse is taken instead. */
const MAX_MAPPED_EDITS = 2000;

/** Parses on demand and keeps the latest parse of each open document. */
export class SpecCache {
  private readonly entries = new Map<string, Entry>();
  private readonly views = new Map<string, { version: number; result: SpecParseResult }>();
  /** The edits made to each document since its cached parse, as `TextDocuments` applied them. */
  private readonly edits = new Map<string, { version: number; region: ChangedRegion }[]>();

  /** @param parse the parser (injectable so unit tests can count parses). */
  constructor(private readonly parse: (text: string) => SpecParseResult = parseSpec) {}

  /**
   * The parse of `document` at its current version, parsing when needed. Only one version per
   * URI is kept: an older one is never asked for again, because every handler works on the
   * latest text.
   */
  get(document: TextDocument): SpecParseResult {
    const cached = this.entries.get(document.uri);
    if (cached && cached.version === document.version) return cached.result;
    const text = document.getText();
    const result = this.parse(text);
    this.entries.set(document.uri, { version: document.version, text, snapshot: TextDocument.create(document.uri, document.languageId, document.version, text), result });
    this.views.delete(document.uri);
    this.edits.delete(document.uri);
    return result;
  }

  /**
   * Applies `changes` to `document` (as `TextDocument.update` does) and remembers where each one
   * landed, so that views can map positions through exactly these edits. Used as the `update`
   * of the server's `TextDocuments`.
   */
  update(document: TextDocument, changes: readonly ContentChange[], version: number): TextDocument {
    let current = document;
    const recorded = this.entries.has(document.uri) ? (this.edits.get(document.uri) ?? []) : undefined;
    for (const change of changes) {
      if (recorded && recorded.length <= MAX_MAPPED_EDITS) {
        if ('range' in change) {
          const start = current.offsetAt(change.range.start);
          recorded.push({ version, region: { start, oldEnd: current.offsetAt(change.range.end), newEnd: start + change.text.length } });
        } else {
          recorded.push({ version, region: { start: 0, oldEnd: current.getText().length, newEnd: change.text.length } });
        }
      }
      current = TextDocument.update(current, [change], version);
    }
    if (recorded) this.edits.set(document.uri, recorded);
    return current;
  }

  /**
   * What a request (hover, completion, symbols…) should use: the current parse when there is
   * one, else the last parse seen through the edits since (see the module comment), else a
   * fresh parse when the change is too large to map.
   */
  forRequest(document: TextDocument): SpecParseResult {
    const cached = this.entries.get(document.uri);
    if (!cached || document.getText().length < FRESH_PARSE_CHARS) return this.get(document);
    if (cached.version === document.version) return cached.result;
    const view = this.views.get(document.uri);
    if (view && view.version === document.version) return view.result;
    const recorded = this.edits.get(document.uri)?.filter((e) => e.version > cached.version);
    // Prefer the edits as they were made; without them (a document not updated through this
    // cache) the one region where the texts differ stands in for them.
    const regions =
      recorded && recorded.length > 0 && recorded[recorded.length - 1]!.version === document.version
        ? recorded.map((e) => e.region)
        : [changedRegion(cached.text, document.getText())];
    const tooBig = regions.length > MAX_MAPPED_EDITS || regions.some((r) => r.oldEnd - r.start > MAX_MAPPED_CHANGE || r.newEnd - r.start > MAX_MAPPED_CHANGE);
    if (tooBig) return this.get(document);
    const result = mappedResult(cached.result, cached.snapshot, document, regions);
    this.views.set(document.uri, { version: document.version, result });
    return result;
  }

  /**
   * Answers a request from `forRequest`'s parse, and again from a fresh parse when that answer
   * is `empty` and came from a mapped view: the position may lie inside text typed since the
   * last parse, which only a new parse knows.
   */
  answer<T>(document: TextDocument, compute: (result: SpecParseResult) => T, empty: (answer: T) => boolean): T {
    const result = this.forRequest(document);
    const first = compute(result);
    if (!empty(first) || this.peek(document.uri, document.version) === result) return first;
    return compute(this.get(document));
  }

  /** True when some version of `uri` has been parsed. */
  has(uri: string): boolean {
    return this.entries.has(uri);
  }

  /** The cached parse for `uri` when it is exactly at `version`, without parsing. */
  peek(uri: string, version: number): SpecParseResult | undefined {
    const cached = this.entries.get(uri);
    return cached && cached.version === version ? cached.result : undefined;
  }

  /** Forgets a closed document. */
  delete(uri: string): void {
    this.entries.delete(uri);
    this.views.delete(uri);
    this.edits.delete(uri);
  }
}
