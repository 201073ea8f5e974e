/**
 * The spec parser's entry point: text → model, diagnostics and locator. It never throws: any
 * internal failure becomes an `internal-error` diagnostic and the model falls back to defaults.
 *
 * Stages: YAML (tolerant, with positions; block-yaml.ts for the common case) → structural validation against the descriptor table
 * (validate.ts) → model building (build.ts) → semantic checks (checks.ts).
 */
import { parseDocument, type Document } from 'yaml';
import { readBlockYaml } from './block-yaml';
import { buildModel, defaultSpec } from './build';
import { runChecks } from './checks';
import { SPEC_DESCRIPTOR } from './descriptors';
import type { LicenceFinding, LicenceQuery } from './licence-adapter';
import { AstLocator, findTooDeep, MAX_DEPTH, TextPositions } from './locator';
import type { CollectionSpec, SpecDiagnostic, SpecParseResult } from './model';
import { validateDocument, type CleanObject } from './validate';

export { defaultSpec };

/** Documents larger than this are not parsed (a spec is a few hundred kilobytes at most). */
export const MAX_DOCUMENT_CHARS = 5 * 1024 * 1024;
/** Lines longer than this are reported: they are almost certainly pasted data, not a spec. */
export const MAX_LINE_CHARS = 64 * 1024;

function internalError(positions: TextPositions, stage: string, e: unknown): SpecDiagnostic {
  return {
    range: positions.range(0, 0),
    severity: 'error',
    code: 'internal-error',
    message: `Gleaner could not ${stage} this spec (${e instanceof Error ? e.message : String(e)}). Please report it.`,
  };
}

function rangeKey(d: SpecDiagnostic): string {
  const r = d.range;
  return `${r.start.line}:${r.start.character}:${r.end.line}:${r.end.character}:${d.code}:${d.message}`;
}

/** Sorts by position and drops exact repeats. */
function finish(diagnostics: SpecDiagnostic[]): SpecDiagnostic[] {
  const seen = new Set<string>();
  const out: SpecDiagnostic[] = [];
  for (const d of diagnostics) {
    const k = rangeKey(d);
    if (seen.has(k)) continue;
    seen.add(k);
    out.push(d);
  }
  return out.sort(
    (a, b) =>
      a.range.start.line - b.range.start.line ||
      a.range.start.character - b.range.start.character ||
      a.range.end.line - b.range.end.line ||
      a.range.end.character - b.range.end.character ||
      (a.code < b.code ? -1 : a.code > b.code ? 1 : 0),
  );
}

function longLine(text: string, positions: TextPositions): SpecDiagnostic | undefined {
  let start = 0;
  while (start <= text.length) {
    const nl = text.indexOf('\n', start);
    const end = nl === -1 ? text.length : nl;
    if (end - start > MAX_LINE_CHARS) {
      return {
        range: positions.range(start, start),
        severity: 'warning',
        code: 'line-too-long',
        message: `Line ${positions.position(start).line + 1} is ${end - start} characters long; very long lines slow the editor down. Is this pasted data?`,
      };
    }
    if (nl === -1) break;
    start = nl + 1;
  }
  return undefined;
}

/** Options of `parseSpec`; the defaults are what the editor and the CLI use. */
export interface ParseOptions {
  /** Replaces the licence analyser of engine/licence (tests use a fake). */
  analyzeLicence?: (query: LicenceQuery) => LicenceFinding[];
}

/** Parses a `*.collect.yaml` text into a model, diagnostics and a locator. Never throws. */
export function parseSpec(text: string, options: ParseOptions = {}): SpecParseResult {
  const source = typeof text === 'string' ? text : '';
  const positions = new TextPositions(source);
  const diagnostics: SpecDiagnostic[] = [];
  let doc: Document | undefined;
  let model: CollectionSpec | undefined;
  let readAsBlock = false;

  if (source.length > MAX_DOCUMENT_CHARS) {
    diagnostics.push({
      range: positions.range(0, 0),
      severity: 'error',
      code: 'document-too-large',
      message: `The spec is ${(source.length / 1024 / 1024).toFixed(1)} MB; specs over ${MAX_DOCUMENT_CHARS / 1024 / 1024} MB are not read.`,
    });
    return { model: defaultSpec(), diagnostics, locate: new AstLocator(undefined, positions) };
  }

  try {
    const long = longLine(source, positions);
    if (long) diagnostics.push(long);
    // Specs in plain block style take the fast reader; anything else goes to the `yaml` package.
    doc = readBlockYaml(source);
    readAsBlock = doc !== undefined;
    doc ??= parseDocument(source, { uniqueKeys: false, prettyErrors: false });
    for (const e of doc.errors) diagnostics.push(yamlDiagnostic(positions, e.pos, e.message, 'error'));
    for (const w of doc.warnings) diagnostics.push(yamlDiagnostic(positions, w.pos, w.message, 'warning'));
  } catch (e) {
    diagnostics.push(internalError(positions, 'read the YAML of', e));
    doc = undefined;
  }

  let locator: AstLocator;
  try {
    locator = new AstLocator(doc, positions);
  } catch (e) {
    diagnostics.push(internalError(positions, 'index', e));
    locator = new AstLocator(undefined, positions);
  }

  const tooDeep = doc && !readAsBlock ? findTooDeep(doc.contents) : undefined;
  if (tooDeep) {
    diagnostics.push({
      range: positions.range(tooDeep[0], Math.min(tooDeep[1], tooDeep[0] + 1)),
      severity: 'error',
      code: 'nesting-too-deep',
      message: `Nesting deeper than ${MAX_DEPTH} levels is not read.`,
    });
  }

  let clean: CleanObject = {};
  if (doc) {
    try {
      clean = validateDocument({ doc, positions, diagnostics }, SPEC_DESCRIPTOR);
    } catch (e) {
      diagnostics.push(internalError(positions, 'validate', e));
      clean = {};
    }
  }
  try {
    model = buildModel(clean);
  } catch (e) {
    diagnostics.push(internalError(positions, 'build the model of', e));
    model = defaultSpec();
  }
  if (doc) {
    try {
      runChecks({ clean, locator, positions, diagnostics, analyzeLicence: options.analyzeLicence });
    } catch (e) {
      diagnostics.push(internalError(positions, 'check', e));
    }
  }
  return { model, diagnostics: finish(diagnostics), locate: locator };
}

function yamlDiagnostic(positions: TextPositions, pos: [number, number], message: string, severity: 'error' | 'warning'): SpecDiagnostic {
  const [start, rawEnd] = pos;
  // A zero-width error is easy to miss in the editor: widen it to the character at the position.
  const end = rawEnd > start ? rawEnd : Math.min(start + 1, positions.text.length);
  const firstLine = message.split('\n')[0];
  return { range: positions.range(start, end), severity, code: 'yaml-syntax', message: firstLine.length > 300 ? firstLine.slice(0, 297) + '...' : firstLine };
}
