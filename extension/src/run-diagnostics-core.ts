/**
 * The pure part of run diagnostics (no vscode import, tested under plain Node): where in a spec's
 * text a spec path such as `sources[1].records.fields.price.selector` is, what the diagnostic
 * says, and how diagnostics move or go when the spec is edited.
 *
 * The location comes from a small indentation scan rather than a YAML parser: the extension may
 * not bundle `yaml`, and a run's warnings only ever name block-style keys and list items. Flow
 * style (`fields: { price: … }`) is not followed; the deepest key found is used instead.
 */
import type { WarningEvent } from '../../language-server/src/protocol/run-events';

/** A place in the spec text (0-based line, character range on that line). */
export interface SpecLocation {
  line: number;
  start: number;
  end: number;
  /** False when only a parent of the path was found. */
  exact: boolean;
}

/** A diagnostic to show, before it becomes a `vscode.Diagnostic`. */
export interface PlannedDiagnostic extends SpecLocation {
  message: string;
  code: string;
  specPath: string;
}

/** Splits `sources[1].records.fields.price.selector` into `['sources', 1, 'records', …]`. */
export function parseSpecPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const m of path.matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (m[2] !== undefined) out.push(Number(m[2]));
    else out.push(m[1]);
  }
  return out;
}

const indentOf = (line: string): number => line.length - line.trimStart().length;
const isContent = (line: string): boolean => {
  const t = line.trim();
  return t.length > 0 && !t.startsWith('#');
};

/** The key on a line (`  price:` / `"price": x` / `- id: x` after the dash was blanked). */
function keyOf(line: string): { key: string; valueStart: number } | undefined {
  const m = /^(\s*)(?:"([^"]*)"|'([^']*)'|([^\s"'#:][^:#]*?))\s*:(?=\s|$)/.exec(line);
  if (!m) return undefined;
  const key = m[2] ?? m[3] ?? m[4] ?? '';
  let valueStart = m[0].length;
  while (valueStart < line.length && line[valueStart] === ' ') valueStart++;
  return { key, valueStart };
}

/** End of a line's value, before a trailing comment and spaces. */
function valueEnd(line: string, from: number): number {
  let end = line.length;
  const hash = line.indexOf(' #', from);
  if (hash !== -1) end = hash;
  while (end > from && line[end - 1] === ' ') end--;
  return end;
}

/**
 * Finds `path` in a block-style YAML text by indentation. Returns the location of the last
 * segment found (its value, or its key when the value is on the following lines), or undefined
 * when not even the first segment is there.
 */
export function locateSpecPath(text: string, path: string | (string | number)[]): SpecLocation | undefined {
  const segments = typeof path === 'string' ? parseSpecPath(path) : path;
  // A working copy: entering a list item blanks its dash so its first key lines up with the rest.
  const lines = text.split(/\r?\n/);
  let from = 0;
  let to = lines.length;
  let found: SpecLocation | undefined;
  for (const [i, segment] of segments.entries()) {
    let first = from;
    while (first < to && !isContent(lines[first])) first++;
    if (first >= to) break;
    const childIndent = indentOf(lines[first]);
    let hit = -1;
    if (typeof segment === 'number') {
      let n = -1;
      for (let l = first; l < to; l++) {
        if (!isContent(lines[l])) continue;
        const ind = indentOf(lines[l]);
        if (ind < childIndent) break;
        if (ind === childIndent && /^-(\s|$)/.test(lines[l].slice(ind))) {
          n++;
          if (n === segment) {
            hit = l;
            break;
          }
        }
      }
      if (hit === -1) break;
      const dash = indentOf(lines[hit]);
      let end = hit + 1;
      while (end < to && (!isContent(lines[end]) || indentOf(lines[end]) > dash)) end++;
      lines[hit] = `${lines[hit].slice(0, dash)} ${lines[hit].slice(dash + 1)}`;
      found = { line: hit, start: dash, end: valueEnd(lines[hit], dash), exact: i === segments.length - 1 };
      from = hit;
      to = end;
      continue;
    }
    for (let l = first; l < to; l++) {
      if (!isContent(lines[l])) continue;
      const ind = indentOf(lines[l]);
      if (ind < childIndent) break;
      if (ind !== childIndent) continue;
      const k = keyOf(lines[l]);
      if (k?.key === segment) {
        hit = l;
        break;
      }
    }
    if (hit === -1) break;
    const k = keyOf(lines[hit]);
    const keyIndent = indentOf(lines[hit]);
    const hasValue = k !== undefined && k.valueStart < lines[hit].length && lines[hit][k.valueStart] !== '#';
    found = hasValue && k
      ? { line: hit, start: k.valueStart, end: valueEnd(lines[hit], k.valueStart), exact: i === segments.length - 1 }
      : { line: hit, start: keyIndent, end: valueEnd(lines[hit], keyIndent), exact: i === segments.length - 1 };
    let end = hit + 1;
    // A compact sequence (`sources:` then `- …` at the same indent) belongs to the key.
    while (end < to && (!isContent(lines[end]) || indentOf(lines[end]) > keyIndent || (indentOf(lines[end]) === keyIndent && /^-(\s|$)/.test(lines[end].trimStart())))) end++;
    from = hit + 1;
    to = end;
  }
  return found;
}

/** The diagnostic's text for one of the run's warnings. */
export function runDiagnosticMessage(runId: string, w: WarningEvent): string {
  if (w.code === 'field-unmatched' && w.field !== undefined && w.pages !== undefined && w.unmatched !== undefined && w.pages > 0) {
    const percent = Math.round((w.unmatched * 100) / w.pages);
    return `Run ${runId}: \`${w.field}\` matched nothing on ${w.unmatched} of ${w.pages} pages (${percent} %)`;
  }
  // The engine's message names the source and ends with the path, which the location shows.
  const text = w.message.replace(/; check \S+$/, '');
  return `Run ${runId}: ${text}`;
}

/** The diagnostics a finished run puts on its spec: one per warning with a spec path found in `text`. */
export function planRunDiagnostics(text: string, runId: string, warnings: readonly WarningEvent[]): PlannedDiagnostic[] {
  const out: PlannedDiagnostic[] = [];
  for (const w of warnings) {
    if (w.specPath === undefined) continue;
    const at = locateSpecPath(text, w.specPath);
    if (!at) continue;
    out.push({ ...at, message: runDiagnosticMessage(runId, w), code: w.code ?? 'run-warning', specPath: w.specPath });
  }
  return out;
}

/** One edit of the spec: lines `startLine`…`endLine` were replaced by text spanning `newLines` lines. */
export interface LineEdit {
  startLine: number;
  endLine: number;
  /** Number of line breaks in the inserted text. */
  newLineBreaks: number;
}

/**
 * Applies an edit to diagnostics on lines: one on an edited line goes (the user is fixing it),
 * one below moves with its text.
 */
export function adjustForEdit<T extends { line: number }>(items: readonly T[], edit: LineEdit): T[] {
  const delta = edit.newLineBreaks - (edit.endLine - edit.startLine);
  const out: T[] = [];
  for (const item of items) {
    if (item.line >= edit.startLine && item.line <= edit.endLine) continue;
    out.push(item.line > edit.endLine && delta !== 0 ? { ...item, line: item.line + delta } : item);
  }
  return out;
}
