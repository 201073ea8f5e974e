/**
 * Go to definition: from a `follow[].source` reference to the `id` of the source it names.
 */
import type { Connection, Location, Position } from 'vscode-languageserver';
import type { SpecParseResult } from '../../engine/spec';
import { toLspRange } from '../convert';
import type { Disposable, ServerDeps } from '../deps';
import { runSafe } from '../runner';
import { findSource, KEYS, sourceReferenceAt } from '../spec-paths';

/** Where the source referenced at `position` is defined, or null. */
export function definitionAt(result: SpecParseResult, uri: string, position: Position): Location | null {
  const reference = sourceReferenceAt(result, result.locate.pathAt(position));
  if (!reference) return null;
  const source = findSource(result, reference.id);
  if (!source) return null;
  const range = result.locate.valueRange([...source.path, KEYS.id]) ?? result.locate.valueRange(source.path);
  return range ? { uri, range: toLspRange(range) } : null;
}

/** Registers `textDocument/definition`. */
export function register(connection: Connection, deps: ServerDeps): Disposable {
  return connection.onDefinition((params, token) =>
    runSafe(
      deps.log,
      'definition',
      () => {
        const document = deps.documents.get(params.textDocument.uri);
        if (!document) return null;
        return deps.specs.answer(document, (result) => definitionAt(result, document.uri, params.position), (location) => location === null);
      },
      null,
      token,
    ),
  );
}
