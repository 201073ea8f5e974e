/**
 * `gleaner/listSources`: the sources of an open spec for the extension's sidebar and commands,
 * from the server's parse, so the extension never parses YAML itself.
 */
import type { Connection } from 'vscode-languageserver';
import type { SpecParseResult } from '../../engine/spec';
import { listSources, type ListSourcesResult, type SourceSummary } from '../../protocol';
import { toLspRange } from '../convert';
import type { Disposable, ServerDeps } from '../deps';
import { runSafe } from '../runner';
import { entryRange, KEYS, sourceUrls } from '../spec-paths';

/** The sources of a parsed spec that have a place in the text. */
export function sourceSummaries(result: SpecParseResult): SourceSummary[] {
  const summaries: SourceSummary[] = [];
  for (const source of result.model.sources) {
    const range = entryRange(result, source.path);
    if (!range) continue;
    const idRange = result.locate.valueRange([...source.path, KEYS.id]);
    summaries.push({
      id: source.id,
      kind: source.kind,
      range,
      idRange: idRange ? toLspRange(idRange) : range,
      urls: sourceUrls(source).map((u) => u.url),
    });
  }
  return summaries;
}

/** Registers `gleaner/listSources`. */
export function register(connection: Connection, deps: ServerDeps): Disposable {
  const empty: ListSourcesResult = { version: -1, sources: [] };
  return connection.onRequest(listSources.type, (params, token) =>
    runSafe(
      deps.log,
      listSources.method,
      (): ListSourcesResult => {
        const document = deps.documents.get(params.uri);
        if (!document) return empty;
        const sources = deps.publisher.current(document.uri, document.version)?.sources ?? sourceSummaries(deps.specs.forRequest(document));
        return { version: document.version, sources };
      },
      empty,
      token,
    ),
  );
}
