/**
 * The YAML key names the server's features look for, and helpers over spec paths. The parser
 * owns the spec format; these names mirror it in one place so that a renamed key is one edit.
 */
import type { Range } from 'vscode-languageserver';
import type { SourceSpec, SpecParseResult, SpecPath } from '../engine/spec';
import { toLspRange } from './convert';

/** Key names as written in `*.collect.yaml`. */
export const KEYS = {
  sources: 'sources',
  id: 'id',
  kind: 'kind',
  startUrls: 'start_urls',
  request: 'request',
  url: 'url',
  follow: 'follow',
  source: 'source',
  fields: 'fields',
  licence: 'licence',
  spdx: 'spdx',
  intendedUse: 'intended_use',
  records: 'records',
} as const;

/** The top-level sections shown in the outline, in the order the format documents them. */
export const SECTIONS = ['licence', 'politeness', 'sources', 'records', 'output'] as const;

/** Top-level keys that together form the spec's metadata (shown as one "metadata" outline entry). */
export const METADATA_KEYS = ['gleaner', 'name', 'description', 'owner', 'user_agent'] as const;

/** True when `path` starts with `prefix`. */
export function hasPrefix(path: SpecPath, prefix: SpecPath): boolean {
  if (path.length < prefix.length) return false;
  return prefix.every((segment, i) => path[i] === segment);
}

/** True when two paths are equal. */
export function samePath(a: SpecPath, b: SpecPath): boolean {
  return a.length === b.length && hasPrefix(a, b);
}

/** The smallest range covering a key and its value (either may be absent). */
export function entryRange(result: SpecParseResult, path: SpecPath): Range | undefined {
  const key = result.locate.keyRange(path);
  const value = result.locate.valueRange(path);
  if (key && value) {
    const startsFirst = key.start.line < value.start.line || (key.start.line === value.start.line && key.start.character <= value.start.character);
    const endsLast = key.end.line > value.end.line || (key.end.line === value.end.line && key.end.character >= value.end.character);
    return { start: { ...(startsFirst ? key.start : value.start) }, end: { ...(endsLast ? key.end : value.end) } };
  }
  const only = key ?? value;
  return only ? toLspRange(only) : undefined;
}

/** The URLs of a source with the path of each, as written (templates unresolved). */
export function sourceUrls(source: SourceSpec): { url: string; path: SpecPath }[] {
  if (source.kind === 'scrape') return source.startUrls.map((url, i) => ({ url, path: [...source.path, KEYS.startUrls, i] }));
  return source.request.url ? [{ url: source.request.url, path: [...source.path, KEYS.request, KEYS.url] }] : [];
}

/** The source whose `id` is `id`, if any. */
export function findSource(result: SpecParseResult, id: string): SourceSpec | undefined {
  return result.model.sources.find((s) => s.id === id);
}

/**
 * When `path` points at a `follow[].source` value, the follow rule's index path and the id it
 * names; otherwise undefined.
 */
export function sourceReferenceAt(result: SpecParseResult, path: SpecPath): { id: string; path: SpecPath } | undefined {
  if (path.length < 2 || path[path.length - 1] !== KEYS.source) return undefined;
  const rulePath = path.slice(0, -1);
  for (const source of result.model.sources) {
    if (source.kind !== 'scrape') continue;
    for (const rule of source.follow) {
      if (samePath(rule.path, rulePath)) return { id: rule.source, path };
    }
  }
  return undefined;
}

/** A one-line summary of a source for hovers: kind, id and where it starts. */
export function describeSource(source: SourceSpec): string {
  if (source.kind === 'scrape') {
    const fields = source.records?.fields.length ?? 0;
    const starts = source.startUrls.length > 0 ? source.startUrls.map((u) => `\`${u}\``).join(', ') : 'no start URLs (reached by following links)';
    return `**Source \`${source.id}\`** — scrape\n\nStarts at ${starts}; ${source.follow.length} follow rule(s); ${fields} field(s).`;
  }
  return `**Source \`${source.id}\`** — API\n\n\`${source.request.method} ${source.request.url}\`; auth ${source.auth.type}; pagination ${source.pagination.type}; ${source.records.fields.length} field(s).`;
}
