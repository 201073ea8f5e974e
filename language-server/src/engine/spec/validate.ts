/**
 * Structural validation: walks the YAML AST against the descriptor table, reports unknown keys,
 * wrong types, missing and duplicate keys, and returns a "clean" plain value in which only the
 * valid pieces survive (with units converted and defaults filled in from the table). The model
 * builder reads that clean value, so a broken key simply falls back to its default.
 */
import { isAlias, isMap, isScalar, isSeq, type Document, type Node, type Pair, type YAMLMap } from 'yaml';
import type { Descriptor, ObjectDescriptor, ScalarDescriptor, TaggedDescriptor } from './descriptors';
import { taggedProps } from './descriptors';
import { MAX_DEPTH, type TextPositions } from './locator';
import type { Range, SpecDiagnostic } from './model';
import { closest, parseDuration, parseSize } from './values';

/** A clean mapping keeps YAML key order for user-named keys (fields, headers). */
export type CleanMap = Map<string, unknown>;
/** A clean mapping with fixed keys (snake_case, as in the YAML). */
export type CleanObject = Record<string, unknown>;

/** How many alias dereferences one document may cost before the walk stops expanding them. */
const ALIAS_BUDGET = 1000;

/** What validation reads and where it reports. */
export interface ValidateContext {
  doc: Document;
  positions: TextPositions;
  diagnostics: SpecDiagnostic[];
}

interface WalkState extends ValidateContext {
  aliasBudget: number;
  aliasReported: boolean;
}

function describeNode(node: unknown): string {
  if (isMap(node)) return 'a mapping';
  if (isSeq(node)) return 'a list';
  if (isScalar(node)) {
    const v = node.value;
    if (v === null) return 'nothing';
    if (typeof v === 'string') return 'a string';
    if (typeof v === 'number') return Number.isInteger(v) ? 'an integer' : 'a number';
    if (typeof v === 'boolean') return 'a boolean';
  }
  return 'something else';
}

function expected(d: Descriptor): string {
  switch (d.kind) {
    case 'object':
    case 'tagged':
    case 'map':
      return 'a mapping';
    case 'array':
      return d.oneOrMany ? `a list (or a single ${expected(d.items).replace(/^an? /, '')})` : 'a list';
    case 'integer':
      return 'an integer';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'duration':
      return 'a duration such as `500ms`, `2s`, `5m`, `1h` or a number of seconds';
    case 'size':
      return 'a size such as `10MB`, `512KiB` or a number of bytes';
    case 'scalar':
      return 'a string, number or boolean';
    case 'any':
      return 'a value';
    default:
      return 'a string';
  }
}

function rangeOf(st: WalkState, node: unknown): Range {
  const r = (node as { range?: [number, number, number] } | null)?.range;
  return r ? st.positions.range(r[0], r[1]) : st.positions.range(0, 0);
}

function report(st: WalkState, d: SpecDiagnostic): void {
  st.diagnostics.push(d);
}

/** Whether a pair's value is empty (`key:` with nothing after it). */
function isEmpty(node: unknown): boolean {
  return node == null || (isScalar(node) && node.value === null);
}

function hasRequired(d: ObjectDescriptor): boolean {
  return Object.values(d.props).some((p) => p.required);
}

function scalarDefault(d: ScalarDescriptor): unknown {
  if (d.default === undefined) return undefined;
  if (d.kind === 'duration') return parseDuration(d.default);
  if (d.kind === 'size') return parseSize(d.default);
  return d.default;
}

/** The clean value of an absent key: its default, or a mapping of defaults when it has them. */
export function defaultOf(d: Descriptor): unknown {
  if (d.kind === 'object') {
    if (hasRequired(d)) return undefined;
    const out: CleanObject = {};
    for (const [k, p] of Object.entries(d.props)) {
      if (p.aliasOf) continue;
      const v = defaultOf(p);
      if (v !== undefined) out[k] = v;
    }
    return out;
  }
  if (d.kind === 'tagged') return d.defaultTag !== undefined ? { [d.tag]: d.defaultTag } : undefined;
  if (d.kind === 'array' || d.kind === 'map') return undefined;
  return scalarDefault(d);
}

/** Validates the document root against `root` and returns the clean value. */
export function validateDocument(ctx: ValidateContext, root: ObjectDescriptor): CleanObject {
  const st: WalkState = { ...ctx, aliasBudget: ALIAS_BUDGET, aliasReported: false };
  const contents = ctx.doc.contents;
  if (isEmpty(contents)) {
    const out = (defaultOf({ ...root, props: Object.fromEntries(Object.entries(root.props).map(([k, p]) => [k, { ...p, required: false }])) }) ?? {}) as CleanObject;
    const missing = Object.entries(root.props).filter(([, p]) => p.required).map(([k]) => `\`${k}\``);
    report(st, { range: st.positions.range(0, 0), severity: 'error', code: 'missing-required', message: `The spec is empty; it needs ${missing.join(', ')}.` });
    return out;
  }
  const firstKey = isMap(contents) ? (contents.items[0]?.key as Node | undefined) : undefined;
  // Findings about a whole mapping (a missing key) are reported on the key that names it.
  const anchor: unknown = firstKey ?? contents;
  const v = walk(st, contents, root, 0, anchor);
  return (v && typeof v === 'object' && !(v instanceof Map) && !Array.isArray(v) ? v : defaultOf({ ...root, props: {} }) ?? {}) as CleanObject;
}

function deref(st: WalkState, node: unknown): unknown {
  if (!isAlias(node)) return node;
  if (st.aliasBudget <= 0) {
    if (!st.aliasReported) {
      st.aliasReported = true;
      report(st, { range: rangeOf(st, node), severity: 'error', code: 'alias-limit', message: `Too many alias expansions (over ${ALIAS_BUDGET}); the rest are ignored. Is this an alias bomb?` });
    }
    return undefined;
  }
  st.aliasBudget--;
  try {
    const target = node.resolve(st.doc);
    return isAlias(target) ? undefined : target;
  } catch {
    // An alias to an anchor that does not exist is already a YAML error; treat it as absent.
    return undefined;
  }
}

/**
 * The pairs of a mapping with YAML merge keys (`<<: *base`, `<<: [*a, *b]`) expanded: the
 * mapping's own keys first, then merged keys it does not set itself, so that own keys win and
 * the duplicate-key check does not fire on what a merge brings in.
 */
function withMerges(st: WalkState, map: YAMLMap): Pair[] {
  if (!map.items.some((p) => isScalar(p.key) && p.key.value === '<<')) return map.items as Pair[];
  const own = (map.items as Pair[]).filter((p) => !(isScalar(p.key) && p.key.value === '<<'));
  const seen = new Set(own.map((p) => (isScalar(p.key) ? String(p.key.value) : '')));
  const merged: Pair[] = [];
  for (const p of map.items as Pair[]) {
    if (!(isScalar(p.key) && p.key.value === '<<')) continue;
    const value = deref(st, p.value);
    const sources = isSeq(value) ? value.items.map((i) => deref(st, i)) : [value];
    for (const src of sources) {
      if (!isMap(src)) {
        report(st, { range: rangeOf(st, p.value), severity: 'error', code: 'wrong-type', message: 'A merge key (`<<`) takes an alias of a mapping, or a list of them.' });
        continue;
      }
      for (const q of src.items as Pair[]) {
        const k = isScalar(q.key) ? String(q.key.value) : '';
        if (k === '<<' || seen.has(k)) continue;
        seen.add(k);
        merged.push(q);
      }
    }
  }
  return [...own, ...merged];
}

function walk(st: WalkState, raw: unknown, d: Descriptor, depth: number, anchor: unknown): unknown {
  // The descriptors are far shallower than MAX_DEPTH; this only guards against a cycle. The
  // locator reports documents that really nest too deep.
  if (depth > MAX_DEPTH) return undefined;
  const node = deref(st, raw);
  if (isEmpty(node)) return undefined;
  switch (d.kind) {
    case 'object':
      return walkMapping(st, node, d, d.props, depth, anchor);
    case 'tagged':
      return walkTagged(st, node, d, depth, anchor);
    case 'map':
      return walkMap(st, node, d, depth);
    case 'array':
      return walkArray(st, node, d, depth, anchor);
    default:
      return walkScalar(st, node, d);
  }
}

function wrongType(st: WalkState, node: unknown, d: Descriptor): undefined {
  report(st, { range: rangeOf(st, node), severity: 'error', code: 'wrong-type', message: `Expected ${expected(d)}, found ${describeNode(node)}.` });
  return undefined;
}

function walkTagged(st: WalkState, node: unknown, d: TaggedDescriptor, depth: number, anchor: unknown): unknown {
  if (!isMap(node)) return wrongType(st, node, d);
  const tagPair = withMerges(st, node).find((p) => isScalar(p.key) && p.key.value === d.tag);
  const tagNode = tagPair ? deref(st, tagPair.value) : undefined;
  const tagValue = isScalar(tagNode) ? tagNode.value : undefined;
  const known = typeof tagValue === 'string' && Object.hasOwn(d.variants, tagValue);
  if (!tagPair && d.defaultTag !== undefined && node.items.length > 0) {
    // Keys without a tag would otherwise be dropped silently under the default variant.
    report(st, { range: rangeOf(st, anchor), severity: 'error', code: 'missing-required', message: `Missing required key \`${d.tag}\`: ${d.tagDoc} One of ${Object.keys(d.variants).map((v) => `\`${v}\``).join(', ')}.` });
  }
  const props = taggedProps(d, known ? tagValue : undefined);
  // Without a valid tag the variant's own required keys are unknown, so only the tag is required.
  const effective = known ? props : Object.fromEntries(Object.entries(props).map(([k, p]) => [k, k === d.tag || Object.hasOwn(d.common, k) ? p : { ...p, required: false }]));
  const out = walkMapping(st, node, d, effective, depth, anchor) as CleanObject | undefined;
  if (!out) return undefined;
  if (!known) return !tagPair && d.defaultTag !== undefined && node.items.length === 0 ? { [d.tag]: d.defaultTag } : undefined;
  return out;
}

function walkMapping(st: WalkState, node: unknown, d: Descriptor, props: Record<string, Descriptor>, depth: number, anchor: unknown): unknown {
  if (!isMap(node)) return wrongType(st, node, d);
  const out: CleanObject = {};
  const seen = new Map<string, Pair>();
  // Keys offered as the fix of a misspelt key: their absence is the same mistake, reported once.
  const suggested = new Set<string>();
  for (const pair of withMerges(st, node as YAMLMap)) {
    const keyNode = pair.key;
    if (!isScalar(keyNode)) {
      if (keyNode != null) report(st, { range: rangeOf(st, keyNode), severity: 'error', code: 'wrong-type', message: 'Keys must be plain names.' });
      continue;
    }
    const key = String(keyNode.value);
    const keyRange = (): Range => rangeOf(st, keyNode);
    const desc = Object.hasOwn(props, key) ? props[key] : undefined;
    // Top-level `x-…` keys are the user's own: a place for YAML anchors and notes, not read.
    if (!desc && depth === 0 && key.startsWith('x-')) continue;
    if (!desc) {
      const suggestion = closest(key, Object.keys(props).filter((k) => !props[k].aliasOf));
      if (suggestion) suggested.add(suggestion);
      // A key of another variant (`start_urls` in an API source) deserves a better word than "unknown".
      const owners = d.kind === 'tagged' ? Object.keys(d.variants).filter((v) => Object.hasOwn(d.variants[v].props, key)) : [];
      const message = owners.length > 0 ? `\`${key}\` is only allowed with ${owners.map((v) => `\`${d.kind === 'tagged' ? d.tag : ''}: ${v}\``).join(' or ')}.` : `Unknown key \`${key}\`${suggestion ? `. Did you mean \`${suggestion}\`?` : '.'}`;
      report(st, {
        range: keyRange(),
        severity: 'error',
        code: 'unknown-key',
        message,
        fixes: suggestion ? [{ title: `Change to \`${suggestion}\``, edits: [{ range: keyRange(), newText: suggestion }], preferred: true }] : undefined,
      });
      continue;
    }
    const canonical = desc.aliasOf ?? key;
    const earlier = seen.get(canonical);
    if (earlier) {
      const earlierPos = rangeOf(st, earlier.key).start;
      report(st, {
        range: keyRange(),
        severity: 'error',
        code: 'duplicate-key',
        message: `\`${key}\` is already set on line ${earlierPos.line + 1}; this one is ignored.`,
        related: [{ message: 'First set here.', range: rangeOf(st, earlier.key) }],
      });
      continue;
    }
    seen.set(canonical, pair);
    if (desc.aliasOf) {
      report(st, {
        range: keyRange(),
        severity: 'hint',
        code: 'licence-alias',
        message: `\`${key}\` is read as \`${desc.aliasOf}\`, the spelling Gleaner specs use.`,
        fixes: [{ title: `Rename to \`${desc.aliasOf}\``, edits: [{ range: keyRange(), newText: desc.aliasOf }], preferred: true }],
      });
    }
    if (desc.deprecated) {
      report(st, { range: keyRange(), severity: 'warning', code: 'deprecated-key', message: `\`${key}\` is deprecated: ${desc.deprecated}` });
    }
    if (isEmpty(pair.value)) {
      if (desc.required) {
        report(st, { range: keyRange(), severity: 'error', code: 'missing-required', message: `\`${key}\` needs a value: ${expected(desc)}.` });
      }
      continue;
    }
    const v = walk(st, pair.value, desc, depth + 1, keyNode);
    if (v !== undefined) out[canonical] = v;
  }
  for (const [k, p] of Object.entries(props)) {
    if (p.aliasOf) continue;
    if (!seen.has(k) && p.required && !suggested.has(k)) {
      report(st, { range: rangeOf(st, anchor), severity: 'error', code: 'missing-required', message: `Missing required key \`${k}\`: ${p.doc}` });
    }
    if (out[k] === undefined && !seen.has(k)) {
      const dv = defaultOf(p);
      if (dv !== undefined) out[k] = dv;
    }
  }
  return out;
}

function walkMap(st: WalkState, node: unknown, d: Extract<Descriptor, { kind: 'map' }>, depth: number): unknown {
  if (!isMap(node)) return wrongType(st, node, d);
  const out: CleanMap = new Map();
  const seen = new Map<string, Pair>();
  for (const pair of withMerges(st, node)) {
    if (!isScalar(pair.key)) {
      if (pair.key != null) report(st, { range: rangeOf(st, pair.key), severity: 'error', code: 'wrong-type', message: 'Names must be plain strings.' });
      continue;
    }
    const key = String(pair.key.value);
    const keyNode = pair.key;
    const keyRange = (): Range => rangeOf(st, keyNode);
    const earlier = seen.get(key);
    if (earlier) {
      report(st, {
        range: keyRange(),
        severity: 'error',
        code: 'duplicate-key',
        message: `\`${key}\` is already defined on line ${rangeOf(st, earlier.key).start.line + 1}; this one is ignored.`,
        related: [{ message: 'First defined here.', range: rangeOf(st, earlier.key) }],
      });
      continue;
    }
    seen.set(key, pair);
    if (isEmpty(pair.value)) {
      // `title:` with no rules is a field that takes every default, when the values are mappings.
      if (d.values.kind === 'object' && !hasRequired(d.values)) out.set(key, defaultOf(d.values));
      else if (d.values.kind === 'object') report(st, { range: keyRange(), severity: 'error', code: 'missing-required', message: `\`${key}\` needs ${Object.entries(d.values.props).filter(([, p]) => p.required).map(([k]) => `\`${k}\``).join(', ')}.` });
      continue;
    }
    const v = walk(st, pair.value, d.values, depth + 1, keyNode);
    if (v !== undefined) out.set(key, v);
  }
  return out;
}

function walkArray(st: WalkState, node: unknown, d: Extract<Descriptor, { kind: 'array' }>, depth: number, anchor: unknown): unknown {
  if (!isSeq(node)) {
    if (d.oneOrMany && isScalar(node)) {
      const v = walk(st, node, d.items, depth + 1, anchor);
      return v === undefined ? [] : [v];
    }
    return wrongType(st, node, d);
  }
  // Holes stay in place so that clean indexes match the document's.
  return node.items.map((item) => {
    const resolved = deref(st, item);
    const itemAnchor: unknown = isMap(resolved) && resolved.items[0]?.key ? resolved.items[0].key : item;
    return walk(st, item, d.items, depth + 1, itemAnchor);
  });
}

function walkScalar(st: WalkState, node: unknown, d: ScalarDescriptor): unknown {
  if (d.kind === 'any') {
    try {
      return (node as Node).toJS(st.doc, { maxAliasCount: 100 });
    } catch (e) {
      report(st, { range: rangeOf(st, node), severity: 'error', code: 'alias-limit', message: `This value could not be read: ${e instanceof Error ? e.message : String(e)}` });
      return undefined;
    }
  }
  if (!isScalar(node)) return wrongType(st, node, d);
  const v = node.value;
  let out: unknown;
  switch (d.kind) {
    case 'string':
      out = typeof v === 'string' ? v : undefined;
      break;
    case 'scalar':
      out = typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? (d.format === 'template' ? String(v) : v) : undefined;
      break;
    case 'integer':
      out = typeof v === 'number' && Number.isInteger(v) ? v : undefined;
      break;
    case 'number':
      out = typeof v === 'number' && Number.isFinite(v) ? v : undefined;
      break;
    case 'boolean':
      out = typeof v === 'boolean' ? v : undefined;
      break;
    case 'duration':
      out = parseDuration(v);
      if (out === undefined && (typeof v === 'string' || typeof v === 'number')) {
        report(st, { range: rangeOf(st, node), severity: 'error', code: 'invalid-duration', message: `\`${String(v).slice(0, 40)}\` is not a duration; write e.g. \`500ms\`, \`2s\`, \`5m\`, \`1h\` or a number of seconds.` });
        return undefined;
      }
      break;
    case 'size':
      out = parseSize(v);
      if (out === undefined && (typeof v === 'string' || typeof v === 'number')) {
        report(st, { range: rangeOf(st, node), severity: 'error', code: 'invalid-size', message: `\`${String(v).slice(0, 40)}\` is not a size; write e.g. \`10MB\`, \`512KiB\` or a number of bytes.` });
        return undefined;
      }
      break;
  }
  if (out === undefined) {
    // An enum of strings given a number or boolean reads better as an invalid value than a type error.
    if (!d.enum) return wrongType(st, node, d);
  }
  if (d.enum) {
    const candidate = out ?? v;
    if (!d.enum.includes(candidate as string | number | boolean)) {
      const text = String(candidate);
      const suggestion = closest(text, d.enum.map(String));
      const range = rangeOf(st, node);
      report(st, {
        range,
        severity: 'error',
        code: 'invalid-enum',
        message: `\`${text.slice(0, 60)}\` is not one of ${d.enum.map((e) => `\`${String(e)}\``).join(', ')}.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
        fixes: suggestion ? [{ title: `Change to \`${suggestion}\``, edits: [{ range, newText: suggestion }], preferred: true }] : undefined,
      });
      return undefined;
    }
  }
  if (typeof out === 'number' && (d.minimum !== undefined || d.maximum !== undefined)) {
    if ((d.minimum !== undefined && out < d.minimum) || (d.maximum !== undefined && out > d.maximum)) {
      const bounds = d.minimum !== undefined && d.maximum !== undefined ? `between ${d.minimum} and ${d.maximum}` : d.minimum !== undefined ? `at least ${d.minimum}` : `at most ${d.maximum}`;
      report(st, { range: rangeOf(st, node), severity: 'error', code: 'out-of-range', message: `Must be ${bounds}.` });
      return undefined;
    }
  }
  return out;
}
