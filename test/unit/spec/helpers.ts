/** Helpers for the spec tests: ranges computed from the text, independently of the parser. */
import type { Range, SpecDiagnostic } from '../../../language-server/src/engine/spec';

/** The range of the `occurrence`-th match of `needle` in `text` (0-based), optionally a slice of it. */
export function rangeOf(text: string, needle: string, occurrence = 0, from = 0, length?: number): Range {
  let index = -1;
  for (let i = 0; i <= occurrence; i++) {
    index = text.indexOf(needle, index + 1);
    if (index === -1) throw new Error(`"${needle}" occurrence ${occurrence} not found`);
  }
  const start = index + from;
  const end = start + (length ?? needle.length - from);
  return { start: pos(text, start), end: pos(text, end) };
}

function pos(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** The diagnostics with `code`. */
export function withCode(diagnostics: SpecDiagnostic[], code: string): SpecDiagnostic[] {
  return diagnostics.filter((d) => d.code === code);
}

/** The single diagnostic with `code`; fails listing all diagnostics otherwise. */
export function only(diagnostics: SpecDiagnostic[], code: string): SpecDiagnostic {
  const found = withCode(diagnostics, code);
  if (found.length !== 1) {
    throw new Error(`expected one ${code}, got ${found.length}: ${JSON.stringify(diagnostics.map((d) => [d.code, d.range.start, d.message]))}`);
  }
  return found[0];
}

/** A small valid spec on a public host; tests edit it to introduce one mistake at a time. */
export const BASE = `gleaner: 1
name: test
user_agent: "GleanerBot/0.1 (+mailto:data@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [research]
  attribution: "Example data, CC BY 4.0."
sources:
  - id: web
    kind: scrape
    start_urls:
      - https://books.example.com/
    records:
      fields:
        title: { selector: h1 }
`;

/** An API source to append to BASE's sources. */
export const API_SOURCE = `  - id: books-api
    kind: api
    request:
      url: https://api.example.com/v1/books
    records:
      path: $.items[*]
      fields:
        title: { path: $.title }
`;
