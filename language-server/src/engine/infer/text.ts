/**
 * Small text helpers shared by the JSON and HTML inference: names, slugs, and making untrusted
 * text from a fetched page safe to put into a spec value or a comment.
 */

/** The longest untrusted string copied into a spec value (a title, a description). */
const MAX_VALUE_CHARS = 200;
/** The longest sample shown in a YAML comment. */
const MAX_COMMENT_SAMPLE_CHARS = 60;

/**
 * Turns a JSON key, class name or header text into a snake_case field name made only of
 * `[a-z0-9_]`, so it can never carry YAML syntax or a `${…}` reference. Empty when nothing usable
 * is left.
 */
export function snakeCase(text: string): string {
  const name = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .slice(0, 40)
    .replace(/_+$/, '');
  // A field name that starts with a digit reads badly as a key and as a CSV header.
  return /^[0-9]/.test(name) ? `f_${name}` : name;
}

/** A kebab-case slug for the spec `name`, or `fallback` when the text has no letters or digits. */
export function slug(text: string, fallback: string): string {
  const s = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 48)
    .replace(/-+$/, '');
  return s.length > 0 ? s : fallback;
}

/** Hands out unique names: `title`, then `title_2`, `title_3`… */
export class NameAllocator {
  private readonly used = new Set<string>();

  /** Reserves and returns a unique name based on `wanted` (`field` when it is empty). */
  take(wanted: string): string {
    const base = wanted.length > 0 ? wanted : 'field';
    let name = base;
    for (let i = 2; this.used.has(name); i++) name = `${base}_${i}`;
    this.used.add(name);
    return name;
  }
}

/**
 * Makes untrusted page text fit for a spec value: one line, no control characters, bounded, and
 * with `${` broken up. The spec parser reads `${…}` in any value as an environment or secret
 * reference, so a page title like `${env:AWS_SECRET}` must not reach the spec as one.
 */
export function safeValue(text: string, max = MAX_VALUE_CHARS): string {
  const one = text
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/\$\{/g, '$ {');
  return one.length > max ? `${one.slice(0, max - 1)}…` : one;
}

/** Untrusted text for a YAML comment: one short line (a newline would end the comment). */
export function commentText(text: string, max = MAX_COMMENT_SAMPLE_CHARS): string {
  return safeValue(text, max);
}

/** Whitespace collapsed and trimmed, as the HTML extractor reads element text. */
export function collapseWhitespace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
