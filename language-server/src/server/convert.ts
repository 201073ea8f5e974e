/**
 * Conversions between the engine's spec model (plain positions, string severities) and LSP
 * types. The engine already counts positions the LSP way (zero-based lines, UTF-16 characters),
 * so ranges pass through unchanged.
 */
import { DiagnosticSeverity, type Diagnostic, type DiagnosticRelatedInformation, type Range } from 'vscode-languageserver';
import type { Range as SpecRange, Severity, SpecDiagnostic } from '../engine/spec';

/** The `source` of every diagnostic this server publishes. */
export const DIAGNOSTIC_SOURCE = 'gleaner';

const SEVERITIES: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/** An LSP range from a spec range (a copy, so callers may not alias the parser's objects). */
export function toLspRange(range: SpecRange): Range {
  return { start: { ...range.start }, end: { ...range.end } };
}

/** True when two ranges cover exactly the same text. */
export function sameRange(a: Range, b: Range): boolean {
  return (
    a.start.line === b.start.line &&
    a.start.character === b.start.character &&
    a.end.line === b.end.line &&
    a.end.character === b.end.character
  );
}

/** True when `position` lies within `range` (ends inclusive, as a cursor at a word's end is "on" it). */
export function rangeContains(range: Range, position: { line: number; character: number }): boolean {
  if (position.line < range.start.line || position.line > range.end.line) return false;
  if (position.line === range.start.line && position.character < range.start.character) return false;
  if (position.line === range.end.line && position.character > range.end.character) return false;
  return true;
}

/**
 * The LSP form of a parser diagnostic. Related places without a URI are in the same document,
 * so they get `uri`; places with a URI but no range (a robots.txt file) point at its start.
 */
export function toLspDiagnostic(diagnostic: SpecDiagnostic, uri: string): Diagnostic {
  const result: Diagnostic = {
    range: toLspRange(diagnostic.range),
    severity: SEVERITIES[diagnostic.severity],
    code: diagnostic.code,
    source: DIAGNOSTIC_SOURCE,
    message: diagnostic.message,
  };
  if (diagnostic.related && diagnostic.related.length > 0) {
    result.relatedInformation = diagnostic.related.map(
      (r): DiagnosticRelatedInformation => ({
        message: r.message,
        location: {
          uri: r.uri ?? uri,
          range: r.range ? toLspRange(r.range) : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        },
      }),
    );
  }
  return result;
}
