// The descriptor table: the committed JSON Schema is generated from it; hover and completion read it.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { completionsAt, describePath, DIAGNOSTIC_CODES, jsonSchemaText, LICENCE_CODES, parseSpec, SPEC_DESCRIPTOR, updateGeneratedSections, type Descriptor } from '../../../language-server/src/engine/spec';

const root = join(__dirname, '..', '..', '..');

function* walk(d: Descriptor, path: string): Generator<[string, Descriptor]> {
  yield [path, d];
  if (d.kind === 'object') for (const [k, p] of Object.entries(d.props)) yield* walk(p, `${path}.${k}`);
  if (d.kind === 'tagged') {
    for (const [k, p] of Object.entries(d.common)) yield* walk(p, `${path}.${k}`);
    for (const [v, variant] of Object.entries(d.variants)) for (const [k, p] of Object.entries(variant.props)) yield* walk(p, `${path}[${v}].${k}`);
  }
  if (d.kind === 'array') yield* walk(d.items, `${path}[]`);
  if (d.kind === 'map') yield* walk(d.values, `${path}.*`);
}

void describe('spec descriptors and schema', () => {
  void it('the committed schema equals the generated one (run write-schema.ts to update)', () => {
    const committed = readFileSync(join(root, 'schema', 'collect.schema.json'), 'utf8');
    assert.equal(committed, jsonSchemaText());
  });

  void it('is draft-07, closed, and documented', () => {
    const schema = JSON.parse(jsonSchemaText());
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    assert.equal(schema.additionalProperties, false);
    assert.deepEqual(schema.required, ['gleaner', 'name', 'user_agent', 'sources']);
    assert.equal(schema.properties.politeness.properties.delay.default, '1s');
    assert.deepEqual(schema.properties.output.properties.format.enum, ['jsonl', 'csv', 'parquet']);
    const kinds = schema.properties.sources.items.oneOf.map((v: { properties: { kind: { const: string } } }) => v.properties.kind.const);
    assert.deepEqual(kinds, ['scrape', 'api']);
  });

  void it('every key has a doc of one or two sentences, snake_case names and no enum/default mismatch', () => {
    for (const [path, d] of walk(SPEC_DESCRIPTOR, '$')) {
      assert.ok(d.doc.length > 3 && d.doc.length < 300, path);
      const last = path.split('.').pop() as string;
      if (!last.includes('*') && !last.includes('[')) assert.match(last, /^[a-z][a-z0-9_]*$|^\$$/, path);
      if ('enum' in d && d.enum && 'default' in d && d.default !== undefined) assert.ok(d.enum.includes(d.default as string), path);
    }
  });

  void it('describePath gives doc, type, enum and default', () => {
    const delay = describePath(['politeness', 'delay']);
    assert.equal(delay?.default, '1s');
    assert.match(delay?.type ?? '', /duration/);
    assert.deepEqual(describePath(['output', 'format'])?.enum, ['jsonl', 'csv', 'parquet']);
    assert.match(describePath(['sources', 0, 'records', 'fields', 'title', 'selector'])?.doc ?? '', /CSS selector/);
    assert.match(describePath(['sources', 0, 'auth', 'token'])?.doc ?? '', /token/i);
    assert.equal(describePath(['sources', 0, 'records', 'path'], { tagAt: () => 'api' })?.type, 'string');
    assert.deepEqual(describePath(['licence', 'intended_use'])?.enum?.includes('research'), true);
    assert.equal(describePath(['nope']), undefined);
  });

  void it('completionsAt offers the keys of a mapping, minus those present, and enum values', () => {
    const top = completionsAt([]).map((c) => c.label);
    assert.ok(top.includes('politeness') && top.includes('sources') && !top.includes('license'));
    const pol = completionsAt(['politeness'], { present: ['delay'] }).map((c) => c.label);
    assert.ok(pol.includes('jitter') && !pol.includes('delay'));
    assert.deepEqual(completionsAt(['output', 'format']).map((c) => c.label), ['jsonl', 'csv', 'parquet']);
    assert.deepEqual(completionsAt(['politeness', 'autothrottle']).map((c) => c.label), ['true', 'false']);
    const api = completionsAt(['sources', 0], { tagAt: () => 'api' }).map((c) => c.label);
    assert.ok(api.includes('request') && !api.includes('start_urls'));
    const auth = completionsAt(['sources', 0, 'auth'], { tagAt: (p) => (p.length === 2 ? 'api' : 'oauth2') }).map((c) => c.label);
    assert.deepEqual(auth, ['type', 'token_url', 'client_id', 'client_secret', 'scope']);
    const anyKind = completionsAt(['sources', 0]).map((c) => c.label);
    assert.ok(anyKind.includes('kind') && anyKind.includes('request') && anyKind.includes('start_urls'));
    assert.deepEqual(completionsAt(['sources', 0, 'kind']).map((c) => c.label), ['scrape', 'api']);
  });

  void it('docs/spec-format.md has the current generated key reference and code table', () => {
    const doc = readFileSync(join(root, 'docs', 'spec-format.md'), 'utf8');
    assert.ok(doc.includes('<!-- BEGIN GENERATED: keys -->') && doc.includes('<!-- BEGIN GENERATED: codes -->'));
    assert.equal(doc, updateGeneratedSections(doc));
    for (const code of Object.keys({ ...DIAGNOSTIC_CODES, ...LICENCE_CODES })) assert.ok(doc.includes(`\`${code}\``), code);
  });

  void it('the complete YAML examples in docs/spec-format.md parse with no errors or warnings', () => {
    const doc = readFileSync(join(root, 'docs', 'spec-format.md'), 'utf8');
    const blocks = [...doc.matchAll(/```yaml\n([\s\S]*?)```/g)].map((m) => m[1]).filter((b) => b.startsWith('gleaner: 1'));
    assert.ok(blocks.length >= 1);
    for (const b of blocks) assert.deepEqual(parseSpec(b).diagnostics.filter((d) => d.severity === 'error' || d.severity === 'warning'), []);
  });

  void it('the schema accepts every example and rejects the broken fixture (ajv, as JSON Schema editors would)', () => {
    // ajv comes with eslint (a dev dependency); it is only used here, to check the schema is real JSON Schema.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const Ajv = require('ajv') as new (options: object) => { compile(schema: object): ((data: unknown) => boolean) & { errors?: unknown[] | null } };
    const validate = new Ajv({ strict: false, allErrors: true }).compile(JSON.parse(jsonSchemaText()));
    for (const f of readdirSync(join(root, 'examples')).filter((x) => x.endsWith('.collect.yaml'))) {
      const data = parseYaml(readFileSync(join(root, 'examples', f), 'utf8'), { merge: true });
      assert.ok(validate(data), `${f}: ${JSON.stringify(validate.errors)}`);
    }
    assert.equal(validate(parseYaml(readFileSync(join(root, 'test', 'fixtures', 'specs', 'broken.collect.yaml'), 'utf8'))), false);
  });
});
