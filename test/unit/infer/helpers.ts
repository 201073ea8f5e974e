/** Helpers for the inference tests: fixtures, and checks that a proposed spec is a valid one. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { inferSpec, type InferredSpec, type InferInput } from '../../../language-server/src/engine/infer';
import { parseSpec, type SpecParseResult } from '../../../language-server/src/engine/spec';

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'infer');

/** The text of a fixture under test/fixtures/infer. */
export function fixture(name: string): string {
  return readFileSync(join(FIXTURES, name), 'utf8');
}

/** Infers a spec from a fixture served with `contentType` at `url`. */
export function inferFixture(name: string, url: string, contentType: string, extra: Partial<InferInput> = {}): InferredSpec {
  return inferSpec({ url, status: 200, contentType, body: fixture(name), ...extra });
}

/**
 * Parses the proposed YAML with the real spec parser and fails on any error, or on any warning
 * other than the licence placeholder's `licence-missing`.
 */
export function assertValidSpec(yaml: string): SpecParseResult {
  const result = parseSpec(yaml);
  const unexpected = result.diagnostics.filter((d) => d.severity === 'error' || (d.severity === 'warning' && d.code !== 'licence-missing'));
  assert.deepEqual(
    unexpected.map((d) => `${d.code} @${d.range.start.line}: ${d.message}`),
    [],
    `the proposed spec has problems:\n${yaml}`,
  );
  assert.ok(
    result.diagnostics.some((d) => d.code === 'licence-missing'),
    'the licence placeholder should be reported as licence-missing',
  );
  return result;
}

/** The YAML as plain data (through the `yaml` package, independently of the spec parser). */
export function plain(yaml: string): Record<string, unknown> {
  const value: unknown = parse(yaml);
  assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), 'the spec is a mapping');
  return value as Record<string, unknown>;
}

/** The field of `spec` named `name`; fails when there is none. */
export function field(spec: InferredSpec, name: string): InferredSpec['fields'][number] {
  const found = spec.fields.find((f) => f.name === name);
  assert.ok(found, `no field ${name} in ${JSON.stringify(spec.fields.map((f) => f.name))}`);
  return found;
}

/** Every string anywhere in a parsed YAML value. */
export function allStrings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) for (const v of value) allStrings(v, out);
  else if (typeof value === 'object' && value !== null) {
    for (const [k, v] of Object.entries(value)) {
      out.push(k);
      allStrings(v, out);
    }
  }
  return out;
}
