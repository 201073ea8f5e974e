/**
 * The generated parts of docs/spec-format.md: the key reference and the diagnostic code table,
 * rendered from the descriptor table and the code list so the documentation cannot drift.
 */
import { DIAGNOSTIC_CODES, LICENCE_CODES } from './codes';
import type { Descriptor } from './descriptors';
import { SPEC_DESCRIPTOR, typeLabel } from './descriptors';

/** Markers around the generated key reference in docs/spec-format.md. */
export const REFERENCE_MARKERS = { begin: '<!-- BEGIN GENERATED: keys -->', end: '<!-- END GENERATED: keys -->' };
/** Markers around the generated code table in docs/spec-format.md. */
export const CODES_MARKERS = { begin: '<!-- BEGIN GENERATED: codes -->', end: '<!-- END GENERATED: codes -->' };

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function fmtDefault(d: Descriptor): string {
  if (d.kind === 'tagged') return d.defaultTag !== undefined ? `\`${d.tag}: ${d.defaultTag}\`` : '';
  if (!('default' in d) || d.default === undefined) return '';
  return `\`${typeof d.default === 'string' ? d.default : JSON.stringify(d.default)}\``;
}

function fmtType(d: Descriptor): string {
  const t = typeLabel(d);
  if ('enum' in d && d.enum) return d.enum.map((e) => `\`${String(e)}\``).join(' | ');
  if (d.kind === 'array' && 'enum' in d.items && d.items.enum) return `list of ${d.items.enum.map((e) => `\`${String(e)}\``).join(' | ')}`;
  if (d.kind === 'array' && d.oneOrMany) return `${t} (or one)`;
  return t;
}

function rows(d: Descriptor, path: string, out: string[]): void {
  const push = (p: string, x: Descriptor, note = ''): void => {
    out.push(`| \`${p}\` | ${cell(fmtType(x))} | ${x.required ? 'yes' : ''} | ${cell(fmtDefault(x))} | ${cell(note + x.doc)} |`);
  };
  switch (d.kind) {
    case 'object':
      for (const [k, p] of Object.entries(d.props)) {
        const sub = path ? `${path}.${k}` : k;
        push(sub, p);
        if (!p.aliasOf) rows(p, sub, out);
      }
      return;
    case 'tagged':
      out.push(`| \`${path}.${d.tag}\` | ${Object.keys(d.variants).map((v) => `\`${v}\``).join(' \\| ')} | ${d.defaultTag === undefined ? 'yes' : ''} | ${d.defaultTag !== undefined ? `\`${d.defaultTag}\`` : ''} | ${cell(d.tagDoc)} |`);
      for (const [k, p] of Object.entries(d.common)) {
        push(`${path}.${k}`, p);
        rows(p, `${path}.${k}`, out);
      }
      for (const [v, variant] of Object.entries(d.variants)) {
        for (const [k, p] of Object.entries(variant.props)) {
          push(`${path}.${k}`, p, `(${d.tag}: ${v}) `);
          rows(p, `${path}.${k}`, out);
        }
      }
      return;
    case 'array':
      rows(d.items, `${path}[]`, out);
      return;
    case 'map':
      rows(d.values, `${path}.<name>`, out);
      return;
    default:
      return;
  }
}

/** The key reference: one table row per key, with type, required, default and doc. */
export function renderKeyReference(): string {
  const out = ['| Key | Type | Required | Default | Description |', '| --- | --- | --- | --- | --- |'];
  rows(SPEC_DESCRIPTOR, '', out);
  return out.join('\n');
}

/** The diagnostic code table. */
export function renderCodeTable(): string {
  const out = ['| Code | Severity | Meaning |', '| --- | --- | --- |'];
  for (const [code, info] of Object.entries({ ...DIAGNOSTIC_CODES, ...LICENCE_CODES })) out.push(`| \`${code}\` | ${info.severity} | ${cell(info.summary)} |`);
  return out.join('\n');
}

/** `doc` with both generated sections replaced by fresh renderings (unchanged when markers are missing). */
export function updateGeneratedSections(doc: string): string {
  let out = doc;
  for (const [markers, body] of [
    [REFERENCE_MARKERS, renderKeyReference()],
    [CODES_MARKERS, renderCodeTable()],
  ] as const) {
    const a = out.indexOf(markers.begin);
    const b = out.indexOf(markers.end);
    if (a === -1 || b < a) continue;
    out = out.slice(0, a + markers.begin.length) + '\n' + body + '\n' + out.slice(b);
  }
  return out;
}
