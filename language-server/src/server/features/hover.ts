/**
 * Hover: the documentation of every key (from the spec engine's descriptor table), the name and
 * terms of SPDX licence ids, and a summary of the source a `follow[].source` reference names.
 */
import { MarkupKind, type Connection, type Hover, type Position } from 'vscode-languageserver';
import { describeLicence } from '../../engine/licence';
import { describePath, type SpecParseResult, type SpecPath } from '../../engine/spec';
import { rangeContains, toLspRange } from '../convert';
import type { Disposable, ServerDeps } from '../deps';
import { runSafe } from '../runner';
import { describeSource, findSource, KEYS, sourceReferenceAt } from '../spec-paths';
import { tagLookup } from '../spec-tags';

/** The hover at `position` of a parsed spec with text `text`, or null. */
export function hoverAt(result: SpecParseResult, text: string, position: Position): Hover | null {
  const path = result.locate.pathAt(position);
  if (path.length === 0) return null;
  const valueRange = result.locate.valueRange(path);
  const onValue = valueRange !== undefined && rangeContains(toLspRange(valueRange), position) && !onKey(result, path, position);
  // The locator answers the nearest path even for a position past the text or in blank space;
  // a hover must be on the key or the value it describes.
  if (!onValue && !onKey(result, path, position)) return null;

  if (onValue) {
    const reference = sourceReferenceAt(result, path);
    if (reference) {
      const source = findSource(result, reference.id);
      const value = source ? describeSource(source) : `No source has the id \`${reference.id}\`.`;
      return { contents: { kind: MarkupKind.Markdown, value }, range: toLspRange(valueRange) };
    }
    if (isSpdxPath(path)) {
      const word = licenceWordAt(text, position);
      if (word) {
        const value = licenceMarkdown(word.id);
        if (value) return { contents: { kind: MarkupKind.Markdown, value }, range: word.range };
      }
    }
  }

  const description = describePath(path, { tagAt: tagLookup(result) });
  if (!description) return null;
  const name = lastKey(path);
  const lines = [`**${name}** · \`${description.type}\`${description.required ? ' · required' : ''}`, '', description.doc];
  if (description.deprecated) lines.push('', `**Deprecated:** ${description.deprecated}`);
  if (description.enum) lines.push('', `Allowed: ${description.enum.map((v) => `\`${String(v)}\``).join(', ')}`);
  if (description.default !== undefined) lines.push('', `Default: \`${formatDefault(description.default)}\``);
  const keyRange = result.locate.keyRange(path);
  const range = onValue ? valueRange : (keyRange ?? valueRange);
  return { contents: { kind: MarkupKind.Markdown, value: lines.join('\n') }, ...(range ? { range: toLspRange(range) } : {}) };
}

function onKey(result: SpecParseResult, path: SpecPath, position: Position): boolean {
  const key = result.locate.keyRange(path);
  return key !== undefined && rangeContains(toLspRange(key), position);
}

function isSpdxPath(path: SpecPath): boolean {
  return path.length === 2 && (path[0] === KEYS.licence || path[0] === 'license') && path[1] === KEYS.spdx;
}

/** The last key of a path (list indexes shown as the list's key with `[]`). */
function lastKey(path: SpecPath): string {
  for (let i = path.length - 1; i >= 0; i--) {
    const seg = path[i];
    if (typeof seg === 'string') return i === path.length - 1 ? seg : `${seg}[]`;
  }
  return '';
}

function formatDefault(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The SPDX id (or `LicenseRef-…`) under the cursor in an expression like `MIT OR Apache-2.0`. */
export function licenceWordAt(text: string, position: Position): { id: string; range: { start: Position; end: Position } } | undefined {
  const line = text.split(/\r\n|\r|\n/, position.line + 1)[position.line] ?? '';
  const isWord = (c: string | undefined): boolean => c !== undefined && /[A-Za-z0-9.+:-]/.test(c);
  let start = position.character;
  let end = position.character;
  while (start > 0 && isWord(line[start - 1])) start--;
  while (end < line.length && isWord(line[end])) end++;
  let id = line.slice(start, end);
  // A key on the same line (`spdx: MIT`) is not part of the id; YAML keys end with a colon.
  const colon = id.lastIndexOf(':');
  if (colon >= 0) {
    start += colon + 1;
    id = id.slice(colon + 1);
  }
  id = id.replace(/\+$/, '');
  if (id === '' || /^(AND|OR|WITH)$/i.test(id)) return undefined;
  return { id, range: { start: { line: position.line, character: start }, end: { line: position.line, character: start + id.length } } };
}

/** Markdown for one SPDX licence id, or undefined when the id is unknown. */
export function licenceMarkdown(id: string): string | undefined {
  const info = describeLicence(id);
  if (!info) return undefined;
  const lines = [`**${info.name}** (\`${info.id}\`)`];
  if (info.deprecated) lines.push('', '**Deprecated** SPDX id.');
  if (info.summary) lines.push('', info.summary);
  return lines.join('\n');
}

/** Registers `textDocument/hover`. */
export function register(connection: Connection, deps: ServerDeps): Disposable {
  return connection.onHover((params, token) =>
    runSafe(
      deps.log,
      'hover',
      () => {
        const document = deps.documents.get(params.textDocument.uri);
        if (!document) return null;
        const text = document.getText();
        return deps.specs.answer(document, (result) => hoverAt(result, text, params.position), (hover) => hover === null);
      },
      null,
      token,
    ),
  );
}
