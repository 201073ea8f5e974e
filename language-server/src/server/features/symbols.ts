/**
 * Document symbols (the outline): the top-level sections, each source with its fields, and the
 * record rules. Built from the parsed model and the locator, never from the raw text.
 */
import { SymbolKind, type Connection, type DocumentSymbol, type Range } from 'vscode-languageserver';
import type { SpecParseResult, SpecPath } from '../../engine/spec';
import { toLspRange } from '../convert';
import type { Disposable, ServerDeps } from '../deps';
import { runSafe } from '../runner';
import { entryRange, KEYS, METADATA_KEYS, SECTIONS } from '../spec-paths';

const SECTION_KINDS: Record<(typeof SECTIONS)[number], SymbolKind> = {
  licence: SymbolKind.Namespace,
  politeness: SymbolKind.Namespace,
  sources: SymbolKind.Array,
  records: SymbolKind.Struct,
  output: SymbolKind.Namespace,
};

/**
 * The most symbols one outline holds. VS Code's JSON server and the YAML language server stop at
 * 5,000 (`maxItemsComputed`) for the same reason: a 50,000-line spec would otherwise send
 * megabytes of outline on every edit. Sections and sources always come first; fields fill the
 * rest in document order.
 */
export const MAX_SYMBOLS = 5000;

/** The outline of a parsed spec. */
export function documentSymbols(result: SpecParseResult, limit = MAX_SYMBOLS): DocumentSymbol[] {
  const budget = { left: limit - SECTIONS.length - 1 - result.model.sources.length };
  const symbols: DocumentSymbol[] = [];
  const metadata = metadataSymbol(result);
  if (metadata) symbols.push(metadata);
  for (const section of SECTIONS) {
    // `license` is an accepted alias of `licence`.
    const key = section === 'licence' && !result.locate.keyRange([section]) && result.locate.keyRange(['license']) ? 'license' : section;
    const range = entryRange(result, [key]);
    if (!range) continue;
    const selection = result.locate.keyRange([key]);
    const symbol: DocumentSymbol = {
      name: key,
      kind: SECTION_KINDS[section],
      range,
      selectionRange: selection ? toLspRange(selection) : range,
      children: [],
    };
    if (section === 'sources') symbol.children = sourceSymbols(result, budget);
    if (section === 'records') symbol.children = fieldSymbols(result, result.model.records.fields.map((f) => ({ name: f.name, path: f.path, detail: f.type })), budget);
    symbols.push(symbol);
  }
  return symbols;
}

/**
 * The metadata keys sit at the top level beside the sections, so "metadata" is a synthetic entry
 * spanning the first to the last of them, with each key as a child.
 */
function metadataSymbol(result: SpecParseResult): DocumentSymbol | undefined {
  const children: DocumentSymbol[] = [];
  for (const key of METADATA_KEYS) {
    const range = entryRange(result, [key]);
    const selection = result.locate.keyRange([key]);
    if (!range) continue;
    children.push({ name: key, kind: SymbolKind.Property, range, selectionRange: selection ? toLspRange(selection) : range });
  }
  if (children.length === 0) return undefined;
  children.sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const first = children[0]!.range.start;
  const last = children.reduce((end, c) => (c.range.end.line > end.line || (c.range.end.line === end.line && c.range.end.character > end.character) ? c.range.end : end), children[0]!.range.end);
  const range = { start: { ...first }, end: { ...last } };
  return { name: 'metadata', kind: SymbolKind.Namespace, range, selectionRange: children[0]!.selectionRange, children };
}

function sourceSymbols(result: SpecParseResult, budget: { left: number }): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = [];
  for (const source of result.model.sources) {
    const range = entryRange(result, source.path);
    if (!range) continue;
    const idRange = result.locate.valueRange([...source.path, KEYS.id]);
    const fields =
      source.kind === 'scrape'
        ? (source.records?.fields ?? []).map((f) => ({ name: f.name, path: f.path, detail: f.selector ?? '(record element)' }))
        : source.records.fields.map((f) => ({ name: f.name, path: f.specPath, detail: f.path }));
    symbols.push({
      name: source.id || '(no id)',
      detail: source.kind,
      kind: source.kind === 'api' ? SymbolKind.Interface : SymbolKind.Class,
      range,
      selectionRange: idRange && within(toLspRange(idRange), range) ? toLspRange(idRange) : range,
      children: fieldSymbols(result, fields, budget),
    });
  }
  return symbols;
}

function fieldSymbols(result: SpecParseResult, fields: { name: string; path: SpecPath; detail: string }[], budget: { left: number }): DocumentSymbol[] {
  const symbols: DocumentSymbol[] = [];
  for (const field of fields) {
    if (budget.left <= 0) break;
    budget.left--;
    const range = entryRange(result, field.path);
    if (!range) continue;
    symbols.push({ name: field.name || '(no name)', detail: field.detail, kind: SymbolKind.Field, range, selectionRange: range });
  }
  return symbols;
}

/** VS Code rejects a symbol whose selection range is not inside its range. */
function within(inner: Range, outer: Range): boolean {
  const before = (a: Range['start'], b: Range['start']): boolean => a.line < b.line || (a.line === b.line && a.character <= b.character);
  return before(outer.start, inner.start) && before(inner.end, outer.end);
}

/** Registers `textDocument/documentSymbol`. */
export function register(connection: Connection, deps: ServerDeps): Disposable {
  return connection.onDocumentSymbol((params, token) =>
    runSafe(
      deps.log,
      'documentSymbol',
      () => {
        const document = deps.documents.get(params.textDocument.uri);
        if (!document) return [];
        // The validated version's outline when the document is still at it; else the last parse seen through the edits.
        return deps.publisher.current(document.uri, document.version)?.symbols ?? documentSymbols(deps.specs.forRequest(document));
      },
      [],
      token,
    ),
  );
}
