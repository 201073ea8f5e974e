/**
 * The JSON Schema (draft-07) of the spec format, generated from the descriptor table and
 * committed as schema/collect.schema.json for editors that speak JSON Schema (e.g. the Red Hat
 * YAML extension). A unit test keeps the committed file equal to this output.
 */
import type { Descriptor, TaggedDescriptor } from './descriptors';
import { SPEC_DESCRIPTOR, taggedProps } from './descriptors';

type Schema = Record<string, unknown>;

const DURATION_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*(ms|s|m|h)\\s*$';
const SIZE_PATTERN = '^\\s*\\d+(\\.\\d+)?\\s*([Bb]|[KkMmGg][Bb]|[KkMmGg][Ii][Bb])?\\s*$';

function withMeta(d: Descriptor, schema: Schema): Schema {
  const out: Schema = { description: d.doc, ...schema };
  if ('default' in d && d.default !== undefined) out.default = d.default;
  if (d.deprecated) out.deprecated = true;
  return out;
}

function objectSchema(props: Record<string, Descriptor>): Schema {
  const required = Object.entries(props).filter(([, p]) => p.required && !p.aliasOf).map(([k]) => k);
  return {
    type: 'object',
    properties: Object.fromEntries(Object.entries(props).map(([k, p]) => [k, toSchema(p)])),
    ...(required.length > 0 ? { required } : {}),
    additionalProperties: false,
  };
}

function taggedSchema(d: TaggedDescriptor): Schema {
  const variants = Object.entries(d.variants).map(([name, v]) => {
    const props = taggedProps(d, name);
    const s = objectSchema(props);
    const tagSchema: Schema = { ...(s.properties as Record<string, Schema>)[d.tag], const: name };
    delete tagSchema.enum;
    delete tagSchema.default;
    (s.properties as Record<string, Schema>)[d.tag] = tagSchema;
    const required = new Set((s.required as string[] | undefined) ?? []);
    if (d.defaultTag === undefined || name !== d.defaultTag) required.add(d.tag);
    else required.delete(d.tag);
    return { title: name, description: v.doc, ...s, required: [...required] };
  });
  return withMeta(d, { type: 'object', oneOf: variants });
}

/** The JSON Schema of one descriptor. */
export function toSchema(d: Descriptor): Schema {
  switch (d.kind) {
    case 'object':
      return withMeta(d, objectSchema(d.props));
    case 'tagged':
      return taggedSchema(d);
    case 'map':
      return withMeta(d, { type: 'object', additionalProperties: toSchema(d.values) });
    case 'array': {
      const arr: Schema = { type: 'array', items: toSchema(d.items) };
      return d.oneOrMany ? withMeta(d, { anyOf: [arr, toSchema(d.items)] }) : withMeta(d, arr);
    }
    case 'string':
      return withMeta(d, { type: 'string', ...(d.enum ? { enum: [...d.enum] } : {}) });
    case 'integer':
    case 'number':
      return withMeta(d, {
        type: d.kind,
        ...(d.enum ? { enum: [...d.enum] } : {}),
        ...(d.minimum !== undefined ? { minimum: d.minimum } : {}),
        ...(d.maximum !== undefined ? { maximum: d.maximum } : {}),
      });
    case 'boolean':
      return withMeta(d, { type: 'boolean' });
    case 'duration':
      return withMeta(d, { anyOf: [{ type: 'number', minimum: 0 }, { type: 'string', pattern: DURATION_PATTERN }] });
    case 'size':
      return withMeta(d, { anyOf: [{ type: 'integer', minimum: 0 }, { type: 'string', pattern: SIZE_PATTERN }] });
    case 'scalar':
      return withMeta(d, { type: ['string', 'number', 'boolean'] });
    case 'any':
      return withMeta(d, {});
  }
}

/** The whole schema, as committed in schema/collect.schema.json. */
export function generateJsonSchema(): Schema {
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: 'https://gleaner.invalid/schema/collect.schema.json',
    title: 'Gleaner collection spec (*.collect.yaml)',
    ...toSchema(SPEC_DESCRIPTOR),
    // Top-level `x-…` keys are the user's own (anchors, notes); the parser skips them too.
    patternProperties: { '^x-': {} },
  };
}

/** The schema as the committed file's text (two-space JSON with a final newline). */
export function jsonSchemaText(): string {
  return JSON.stringify(generateJsonSchema(), null, 2) + '\n';
}
