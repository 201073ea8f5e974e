/**
 * Completion: the keys allowed at the cursor (with their docs and a snippet for the value),
 * enum values, SPDX licence ids in `licence.spdx`, source ids in `follow[].source`, intended
 * uses, and whole-source snippets in `sources`. What is allowed comes from the spec engine's
 * descriptor table; where the cursor is comes from `cursorContext`.
 */
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type CompletionList,
  type Connection,
  type Position,
  type Range,
} from 'vscode-languageserver';
import { spdxLicenceList } from '../../engine/licence';
import { completionsAt, describePath, type SpecParseResult, type SpecPath } from '../../engine/spec';
import { cursorContext } from '../cursor-context';
import type { Disposable, ServerDeps } from '../deps';
import { runSafe } from '../runner';
import { KEYS } from '../spec-paths';
import { tagLookup } from '../spec-tags';

/** Escapes text for a snippet placeholder or choice. */
function snippetText(value: string, inChoice = false): string {
  const escaped = value.replace(/[\\$}]/g, (c) => `\\${c}`);
  return inChoice ? escaped.replace(/[,|]/g, (c) => `\\${c}`) : escaped;
}

/** The snippet inserted for `key` at `path`: a block for mappings and lists, a choice for enums. */
function keySnippet(key: string, path: SpecPath, tagAt: (p: SpecPath) => unknown): string {
  const d = describePath(path, { tagAt });
  if (!d) return `${key}: $0`;
  if (d.type.startsWith('mapping')) return `${key}:\n  $0`;
  if (d.type.startsWith('list of')) {
    if (d.enum && d.enum.length > 0) return `${key}:\n  - \${1|${d.enum.map((v) => snippetText(String(v), true)).join(',')}|}`;
    return `${key}:\n  - $0`;
  }
  if (d.enum && d.enum.length > 0) {
    // Put the default first so that Tab accepts it.
    const values = d.enum.map(String);
    const first = d.default !== undefined && values.includes(String(d.default)) ? String(d.default) : undefined;
    const ordered = first ? [first, ...values.filter((v) => v !== first)] : values;
    return `${key}: \${1|${ordered.map((v) => snippetText(v, true)).join(',')}|}`;
  }
  if (d.type === 'boolean') return `${key}: \${1|${d.default === false ? 'false,true' : 'true,false'}|}`;
  if (d.default !== undefined && typeof d.default !== 'object') return `${key}: \${1:${snippetText(String(d.default))}}`;
  return `${key}: $0`;
}

const SCRAPE_SNIPPET = [
  'id: ${1:pages}',
  'kind: scrape',
  'start_urls:',
  '  - ${2:https://example.org/}',
  'records:',
  '  selector: ${3:article}',
  '  fields:',
  '    ${4:title}:',
  '      selector: ${5:h2}',
].join('\n');

const API_SNIPPET = [
  'id: ${1:api}',
  'kind: api',
  'request:',
  '  url: ${2:https://api.example.org/items}',
  'pagination:',
  '  type: ${3|page,offset,cursor,link_header,next_url,none|}',
  'records:',
  '  path: ${4:\\$.items[*]}',
  '  fields:',
  '    ${5:id}:',
  '      path: ${6:\\$.id}',
].join('\n');

function sourceSnippets(replace: Range): CompletionItem[] {
  return [
    { label: 'scrape source', kind: CompletionItemKind.Snippet, detail: 'A web-page source', insertTextFormat: InsertTextFormat.Snippet, textEdit: { range: replace, newText: SCRAPE_SNIPPET }, sortText: '0_scrape', filterText: 'id scrape source' },
    { label: 'api source', kind: CompletionItemKind.Snippet, detail: 'A JSON API source', insertTextFormat: InsertTextFormat.Snippet, textEdit: { range: replace, newText: API_SNIPPET }, sortText: '0_api', filterText: 'id api source' },
  ];
}

function isSpdx(path: SpecPath): boolean {
  return path.length === 2 && (path[0] === KEYS.licence || path[0] === 'license') && path[1] === KEYS.spdx;
}

function isFollowSource(path: SpecPath): boolean {
  return path.length >= 5 && path[path.length - 1] === KEYS.source && typeof path[path.length - 2] === 'number' && path[path.length - 3] === KEYS.follow;
}

function spdxItems(replace: Range): CompletionItem[] {
  return spdxLicenceList().map((l) => ({
    label: l.id,
    kind: CompletionItemKind.Value,
    detail: l.name,
    textEdit: { range: replace, newText: l.id },
    ...(l.deprecated ? { tags: [1 as const], sortText: `z_${l.id}` } : { sortText: `a_${l.id}` }),
  }));
}

/** The completion items at `position` of a parsed spec with text `text`. */
export function completionItems(result: SpecParseResult, text: string, position: Position): CompletionItem[] {
  const context = cursorContext(text, position, result.locate);
  if (!context) return [];
  const tagAt = tagLookup(result);

  if (context.kind === 'value') {
    if (isSpdx(context.path)) return spdxItems(context.replace);
    if (isFollowSource(context.path)) {
      return result.model.sources
        .filter((s) => s.id !== '')
        .map((s) => ({ label: s.id, kind: CompletionItemKind.Reference, detail: `${s.kind} source`, textEdit: { range: context.replace, newText: s.id } }));
    }
    return completionsAt(context.path, { tagAt })
      .filter((c) => c.kind === 'value')
      .map((c) => ({ label: c.label, kind: CompletionItemKind.EnumMember, documentation: { kind: MarkupKind.Markdown, value: c.doc }, textEdit: { range: context.replace, newText: c.label } }));
  }

  const items: CompletionItem[] = [];
  const candidates = completionsAt(context.parent, { tagAt, present: context.present });
  for (const c of candidates) {
    if (c.kind === 'value') {
      items.push({ label: c.label, kind: CompletionItemKind.EnumMember, documentation: { kind: MarkupKind.Markdown, value: c.doc }, textEdit: { range: context.replace, newText: c.label } });
      continue;
    }
    const keyPath = context.listItem ? [...context.parent, 0, c.label] : [...context.parent, c.label];
    items.push({
      label: c.label,
      kind: CompletionItemKind.Property,
      detail: `${c.type ?? ''}${c.required ? ' · required' : ''}`,
      documentation: { kind: MarkupKind.Markdown, value: c.doc },
      insertTextFormat: InsertTextFormat.Snippet,
      textEdit: { range: context.replace, newText: keySnippet(c.label, keyPath, tagAt) },
      // Required keys first, then the rest in the table's order.
      sortText: `${c.required ? '0' : '1'}_${String(items.length).padStart(3, '0')}`,
    });
  }
  if (context.listItem && context.parent.length === 1 && context.parent[0] === KEYS.sources) items.push(...sourceSnippets(context.replace));
  return items;
}

/** Registers `textDocument/completion`. */
export function register(connection: Connection, deps: ServerDeps): Disposable {
  const empty: CompletionList = { isIncomplete: false, items: [] };
  return connection.onCompletion((params, token) =>
    runSafe(
      deps.log,
      'completion',
      (): CompletionList => {
        const document = deps.documents.get(params.textDocument.uri);
        if (!document) return empty;
        const text = document.getText();
        const items = deps.specs.answer(document, (result) => completionItems(result, text, params.position), (found) => found.length === 0);
        return { isIncomplete: false, items };
      },
      empty,
      token,
    ),
  );
}
