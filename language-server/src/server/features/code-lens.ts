/**
 * Code lenses above each source: "Preview" and "Run". The server only says where and with which
 * arguments; the extension owns the commands (`gleaner.previewSource`, `gleaner.runCollection`).
 */
import type { CodeLens, Connection } from 'vscode-languageserver';
import type { SpecParseResult } from '../../engine/spec';
import { COMMANDS } from '../../protocol';
import type { Disposable, ServerDeps } from '../deps';
import { runSafe } from '../runner';
import { sourceSummaries } from './sources';

/** The lenses of a parsed spec: two per source with an id, on the source's first line. */
export function codeLenses(result: SpecParseResult, uri: string): CodeLens[] {
  const lenses: CodeLens[] = [];
  for (const source of sourceSummaries(result)) {
    if (!source.id) continue;
    const line = source.range.start.line;
    const range = { start: { line, character: source.range.start.character }, end: { line, character: source.range.start.character } };
    lenses.push(
      { range, command: { title: '$(eye) Preview', command: COMMANDS.previewSource, arguments: [uri, source.id] } },
      { range, command: { title: '$(play) Run', command: COMMANDS.runCollection, arguments: [uri, source.id] } },
    );
  }
  return lenses;
}

/** Registers `textDocument/codeLens`. */
export function register(connection: Connection, deps: ServerDeps): Disposable {
  return connection.onCodeLens((params, token) =>
    runSafe(
      deps.log,
      'codeLens',
      () => {
        const document = deps.documents.get(params.textDocument.uri);
        if (!document) return [];
        return deps.publisher.current(document.uri, document.version)?.lenses ?? codeLenses(deps.specs.forRequest(document), document.uri);
      },
      [],
      token,
    ),
  );
}
