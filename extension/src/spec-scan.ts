/**
 * A quick, YAML-free scan of a spec's text for its sources, used only when the language server
 * is not up (or the spec is not open in it). It recognises the common layout
 * `sources:` → `- id: x` / `kind: api|scrape` / `start_urls` / `url:` and nothing cleverer; the
 * server's `gleaner/listSources` is the real answer. No vscode import.
 */

/** One source found by the scan. */
export interface ScannedSource {
  id: string;
  kind: 'scrape' | 'api' | 'unknown';
  urls: string[];
  /** Zero-based line of the `id:` value. */
  line: number;
  /** Zero-based character range of the id on that line. */
  start: number;
  end: number;
}

const unquote = (s: string): string => s.trim().replace(/^(["'])(.*)\1$/, '$2');

/** Scans `text` for the items of the top-level `sources:` list. */
export function scanSources(text: string): ScannedSource[] {
  const lines = text.split(/\r?\n/);
  const top = lines.findIndex((l) => /^sources\s*:\s*(#.*)?$/.test(l));
  if (top < 0) return [];
  // The items: from `sources:` to the next top-level key.
  const items: { first: number; lines: { text: string; index: number }[] }[] = [];
  let itemIndent = -1;
  for (let i = top + 1; i < lines.length; i++) {
    const line = lines[i];
    if (/^\S/.test(line) && !/^#/.test(line)) break;
    const dash = /^(\s*)-\s+/.exec(line);
    if (dash && (itemIndent < 0 || dash[1].length === itemIndent)) {
      itemIndent = dash[1].length;
      items.push({ first: i, lines: [] });
    }
    items.at(-1)?.lines.push({ text: line, index: i });
  }
  const found: ScannedSource[] = [];
  for (const item of items) {
    let id: { value: string; line: number; start: number } | undefined;
    let kind: ScannedSource['kind'] = 'unknown';
    const urls: string[] = [];
    let inStartUrls = false;
    for (const { text: line, index } of item.lines) {
      const idMatch = /^(\s*(?:-\s+)?)id\s*:\s*(["']?)([^"'#\s]+)\2/.exec(line);
      if (idMatch && !id) {
        const start = line.indexOf(idMatch[3], idMatch[1].length + 2);
        id = { value: idMatch[3], line: index, start };
      }
      const kindMatch = /^\s*(?:-\s+)?kind\s*:\s*["']?(api|scrape)\b/.exec(line);
      if (kindMatch) kind = kindMatch[1] as 'api' | 'scrape';
      // Only a request URL: a field named `url` (`url: { path: … }`) is not one.
      const urlMatch = /^\s*(?:-\s+)?url\s*:\s*(["']?(?:https?:|\$\{).+?)\s*(#.*)?$/.exec(line);
      if (urlMatch) urls.push(unquote(urlMatch[1]));
      const startUrls = /^\s*start_urls\s*:\s*(.*?)\s*(#.*)?$/.exec(line);
      if (startUrls) {
        const inline = startUrls[1];
        inStartUrls = inline === '';
        if (inline.startsWith('[')) urls.push(...inline.replace(/^\[|\]$/g, '').split(',').map(unquote).filter(Boolean));
        else if (inline) urls.push(unquote(inline));
        continue;
      }
      if (inStartUrls) {
        const entry = /^\s*-\s+(.+?)\s*(#.*)?$/.exec(line);
        if (entry && /^["']?https?:/.test(entry[1])) urls.push(unquote(entry[1]));
        else if (/^\s*[\w-]+\s*:/.test(line)) inStartUrls = false;
      }
    }
    if (id) found.push({ id: unquote(id.value), kind, urls, line: id.line, start: id.start, end: id.start + id.value.length });
  }
  return found;
}

/** The spec's `user_agent:` value, if the text has a plain top-level one. */
export function scanUserAgent(text: string): string | undefined {
  const match = /^user_agent\s*:\s*(.+?)\s*(?:\s#.*)?$/m.exec(text);
  return match ? unquote(match[1]) : undefined;
}
