/**
 * Record extraction from JSON API responses, with RFC 9535 JSONPath (`jsonpath-rfc9535`).
 *
 * The library parses the expression on every query and exposes no compiled form, so we parse
 * each path once up front (to report syntax errors) and evaluate the common shape — a chain of
 * plain member names like `$.items` or `$.book.title` — ourselves; everything else goes to the
 * library. Both follow RFC 9535: a member of a non-object selects nothing.
 */
import { query } from 'jsonpath-rfc9535';
import parseJsonPath from 'jsonpath-rfc9535/parser';
import type { ApiSource, JsonFieldSpec } from '../spec/model';
import type { ExtractedRecord } from '../records/types';
import { applyRegex, byField, compileFieldRegex, finishField, foundAny } from './field-value';
import type { CompiledRegex } from './field-value';

export type { ExtractedRecord, FieldError } from '../records/types';

type JsonValue = Parameters<typeof query>[0];

/** A JSONPath ready to evaluate; evaluation never throws. */
export interface CompiledJsonPath {
  readonly path: string;
  /** Why the path does not parse; such a path selects nothing. */
  readonly error?: string;
  evaluate(doc: unknown): unknown[];
}

const pathCache = new Map<string, CompiledJsonPath>();

/** Compiles (and caches) a JSONPath. */
export function compileJsonPath(path: string): CompiledJsonPath {
  let compiled = pathCache.get(path);
  if (compiled === undefined) {
    compiled = compileUncached(path);
    // Specs hold a handful of paths; the bound only guards a long editor session.
    if (pathCache.size > 1000) pathCache.clear();
    pathCache.set(path, compiled);
  }
  return compiled;
}

function compileUncached(path: string): CompiledJsonPath {
  let ast: { segments: { type: string; node: { type: string; value?: unknown } }[] };
  try {
    ast = parseJsonPath(path) as unknown as typeof ast;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { path, error: `JSONPath ${path} is not valid: ${message}`, evaluate: () => [] };
  }
  const names: string[] = [];
  const simple = ast.segments.every((segment) => {
    if (segment.type !== 'ChildSegment' || segment.node.type !== 'MemberNameShorthand' || typeof segment.node.value !== 'string') return false;
    names.push(segment.node.value);
    return true;
  });
  if (simple) {
    return {
      path,
      evaluate: (doc) => {
        let current: unknown = doc;
        for (const name of names) {
          if (current === null || typeof current !== 'object' || Array.isArray(current) || !Object.prototype.hasOwnProperty.call(current, name)) return [];
          current = (current as Record<string, unknown>)[name];
        }
        return current === undefined ? [] : [current];
      },
    };
  }
  return {
    path,
    evaluate: (doc) => {
      if (doc === undefined) return [];
      try {
        return query(doc as JsonValue, path);
      } catch {
        // Parsed above, so only a pathological document could get here; selecting nothing is right.
        return [];
      }
    },
  };
}

/**
 * Evaluates an RFC 9535 JSONPath against `doc` and returns the selected values (empty when the
 * path is invalid or selects nothing). Used by pagination for cursors, next URLs and `while`.
 */
export function evaluateJsonPath(doc: unknown, path: string): unknown[] {
  return compileJsonPath(path).evaluate(doc);
}

/** Everything extracted from one JSON response. */
export interface JsonExtraction {
  records: ExtractedRecord[];
  /** Per field: how many records had a value (defaults do not count). */
  matchCounts: Record<string, number>;
  recordCount: number;
  warnings: string[];
}

/** A compiled extractor for one API source. */
export interface JsonExtractor {
  /** `responseUrl` resolves relative values of `url` fields. */
  extract(body: unknown, responseUrl?: string): JsonExtraction;
  /** Invalid JSONPaths or regexes found while compiling, also repeated per response. */
  readonly warnings: readonly string[];
}

interface CompiledJsonField {
  spec: JsonFieldSpec;
  path: CompiledJsonPath;
  regex?: CompiledRegex;
  broken: boolean;
}

/** Compiles the record and field paths of `source` once; never throws. */
export function compileJsonExtractor(source: Pick<ApiSource, 'records'>): JsonExtractor {
  const warnings: string[] = [];
  const recordPath = compileJsonPath(source.records.path);
  if (recordPath.error) warnings.push(`records: ${recordPath.error}`);
  const fields: CompiledJsonField[] = source.records.fields.map((spec) => {
    const path = compileJsonPath(spec.path);
    if (path.error) warnings.push(`field ${spec.name}: ${path.error}`);
    const { regex, warning } = compileFieldRegex(spec.regex, spec.name);
    if (warning) warnings.push(warning);
    return { spec, path, regex, broken: path.error !== undefined || warning !== undefined };
  });

  const findValues = (field: CompiledJsonField, record: unknown): unknown[] | undefined => {
    if (field.broken) return undefined;
    let nodes = field.path.evaluate(record);
    // `$.tags` with `all: true` means the tags, not a one-element list holding the array.
    if (field.spec.all && nodes.length === 1 && Array.isArray(nodes[0])) nodes = nodes[0];
    const values: unknown[] = [];
    for (const node of nodes) {
      if (node === null || node === undefined) continue;
      let value: unknown = node;
      if (field.regex) {
        if (typeof node === 'object') continue;
        value = applyRegex(String(node), field.regex);
        if (value === undefined) continue;
      }
      values.push(value);
      if (!field.spec.all) break;
    }
    return values.length > 0 ? values : undefined;
  };

  const names = fields.map((field) => field.spec.name);
  const blank = byField(names, null);

  const extract = (body: unknown, responseUrl?: string): JsonExtraction => {
    const responseWarnings = [...warnings];
    let doc = body;
    if (typeof body === 'string' || body instanceof Uint8Array) {
      const text = typeof body === 'string' ? body : Buffer.from(body).toString('utf8');
      try {
        doc = JSON.parse(text);
      } catch (error) {
        responseWarnings.push(`the response is not JSON (${error instanceof Error ? error.message : String(error)})`);
        doc = undefined;
      }
    }
    let recordValues = recordPath.evaluate(doc);
    // `$.items` (one array) and `$.items[*]` (its elements) both mean "each item is a record".
    if (recordValues.length === 1 && Array.isArray(recordValues[0])) recordValues = recordValues[0];
    if (!recordPath.error && doc !== undefined && recordValues.length === 0) {
      responseWarnings.push(`records: ${source.records.path} selected nothing in this response`);
    }

    const matchCounts = byField(names, 0);
    const records: ExtractedRecord[] = recordValues.map((item) => {
      const record: ExtractedRecord = { values: { ...blank }, errors: [] };
      for (const field of fields) {
        const found = findValues(field, item);
        record.values[field.spec.name] = finishField(field.spec, found, responseUrl, record.errors);
        if (foundAny(found)) matchCounts[field.spec.name]++;
      }
      return record;
    });
    return { records, matchCounts, recordCount: records.length, warnings: responseWarnings };
  };

  return { extract, warnings };
}
