/**
 * The source-preview webview. It runs in the webview's sandbox with a CSP that allows only this
 * script (by nonce) and the extension's stylesheet. Everything shown comes from the spec or from
 * a fetched page or API response, and fetched content is hostile: it is rendered with
 * `textContent` and text nodes only — never `innerHTML`, never as a live document — and nothing
 * is ever evaluated. Matched elements in the page source are `<mark>` elements created here
 * around text nodes.
 *
 * Large answers stay responsive: the records table is paged, the JSON tree renders a node's
 * children only when it is expanded, and the page source is a bounded prefix (the server says
 * when it was cut).
 */
import type { JsonPreviewNode, PreviewMarks } from '../../language-server/src/protocol/preview';
import type { HostToWebviewMessage, InitialStateAttribute, PreviewResult, PreviewUpdatedParams, PreviewWebviewState, SourcePreviewState, WebviewToHostMessage } from './messages';

interface VsCodeApi {
  postMessage(message: WebviewToHostMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const STATE_ATTRIBUTE: InitialStateAttribute = 'data-initial-state';
/** Rows per page of the records table. */
const PAGE_SIZE = 50;
/** The pseudo-field the server uses for the record elements' own ranges. */
const RECORDS_MARK = '(records)';

function post(message: WebviewToHostMessage): void {
  vscode.postMessage(message);
}

function isState(value: unknown): value is PreviewWebviewState {
  return typeof value === 'object' && value !== null && typeof (value as PreviewWebviewState).source?.sourceId === 'string';
}

/** Reads the state: the saved one (after the panel was hidden or reloaded) or the one the host put in the page. */
function initialState(): PreviewWebviewState | undefined {
  const saved = vscode.getState();
  if (isState(saved)) return saved;
  const raw = document.body.getAttribute(STATE_ATTRIBUTE);
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(raw) as unknown;
    return isState(parsed) ? parsed : undefined;
  } catch {
    // A page whose state cannot be read shows the empty message rather than nothing at all.
    return undefined;
  }
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function formatBytes(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / (1024 * 1024)).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}

/** A cell's text for any extracted value. */
function cellText(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

let state: PreviewWebviewState | undefined;
let loading = false;
let hostError: string | undefined;

function save(): void {
  if (state) vscode.setState(state);
}

function renderHeader(root: HTMLElement, source: SourcePreviewState): void {
  const header = el('header');
  header.append(el('h1', `Source ${source.sourceId}`));
  const spec = el('button', source.specName, 'link');
  spec.id = 'open-spec';
  spec.title = 'Open the spec';
  spec.addEventListener('click', () => post({ type: 'openSpec' }));
  const refresh = el('button', loading ? 'Fetching…' : 'Refresh', 'secondary');
  refresh.id = 'refresh';
  refresh.title = 'Fetch the source again (edits re-extract from the cached response without fetching)';
  refresh.disabled = loading;
  refresh.addEventListener('click', () => post({ type: 'refresh' }));
  const run = el('button', source.runActive ? 'A run is in progress' : `Run ${source.sourceId}`, 'primary');
  run.id = 'run-source';
  run.disabled = source.runActive;
  run.addEventListener('click', () => post({ type: 'run' }));
  header.append(spec, refresh, run);
  root.append(header);
}

function renderFacts(root: HTMLElement, source: SourcePreviewState, result: PreviewResult | undefined): void {
  const facts = el('dl', undefined, 'facts');
  facts.id = 'facts';
  const kind = result?.kind ?? source.kind;
  facts.append(el('dt', 'Kind'), el('dd', kind === 'api' ? 'JSON API' : kind === 'scrape' ? 'Web pages (scrape)' : 'Unknown'));
  facts.append(el('dt', 'URL'));
  const urls = el('dd');
  const shown = result?.finalUrl ?? result?.url ?? source.urls[0];
  if (shown === undefined) urls.append(el('span', 'none found', 'muted'));
  else urls.append(el('code', shown, 'url'));
  facts.append(urls);
  if (result?.via && result.state === 'ok') {
    // A source with no URL of its own: say which page this is and how the server found it.
    const found = el('dd', result.via.summary);
    found.id = 'found-via';
    facts.append(el('dt', 'Found by'), found);
  }
  if (result?.state === 'ok') {
    const status = el('dd');
    status.append(el('span', String(result.status), `status ${result.status !== undefined && result.status < 300 ? 'good' : 'bad'}`));
    status.id = 'status';
    facts.append(el('dt', 'Status'), status);
    facts.append(el('dt', 'Time'), el('dd', `${result.timingMs ?? 0} ms`));
    facts.append(el('dt', 'Size'), el('dd', `${formatBytes(result.bodyBytes ?? 0)}${result.contentType ? ` · ${result.contentType}` : ''}`));
    facts.append(el('dt', 'Fetched'), el('dd', `${result.fetchedAt ?? ''}${result.cached ? ' (cached; Refresh fetches again)' : ''}`));
  }
  root.append(facts);
}

function renderNotices(root: HTMLElement, result: PreviewResult | undefined): void {
  if (hostError) root.append(el('p', hostError, 'notice error'));
  if (loading) root.append(el('p', 'Fetching through the Gleaner engine (robots.txt and politeness apply)…', 'notice'));
  if (!result) return;
  if (result.state !== 'ok') {
    const notice = el('p', result.message ?? result.state, `notice ${result.state === 'skipped' ? 'warning' : 'error'}`);
    notice.id = 'preview-message';
    root.append(notice);
  }
  if (result.truncated) {
    root.append(el('p', `The response is ${formatBytes(result.bodyBytes ?? 0)}; only the first ${formatBytes(result.keptBytes ?? 0)} were used for the records below (gleaner.preview.maxBytes).`, 'notice warning'));
  }
  if (result.urlChanged) {
    const what = result.via ? 'The follow rules leading to this source have changed since this page was found' : 'The spec now names another URL than the one previewed';
    root.append(el('p', `${what}; Refresh to fetch it.`, 'notice warning'));
  }
  if (result.warnings.length > 0) {
    const list = el('ul', undefined, 'warnings');
    for (const w of result.warnings.slice(0, 20)) list.append(el('li', w));
    root.append(list);
  }
}

function renderFields(root: HTMLElement, result: PreviewResult): void {
  const bar = el('div', undefined, 'fields');
  bar.id = 'fields';
  bar.append(el('span', `${result.recordCount} record${result.recordCount === 1 ? '' : 's'} · extracted in ${result.extractMs} ms`, 'muted'));
  for (const field of result.fields) {
    const chip = el('button', undefined, `field${field.matches === 0 ? ' zero' : ''}${state?.markField === field.name ? ' selected' : ''}`);
    chip.dataset.field = field.name;
    chip.title = field.matches === 0 ? `${field.name} matched nothing on this page` : `${field.name}: ${field.matches} of ${field.total} records have a value`;
    chip.append(el('span', field.name, 'name'), el('span', `${field.matches}/${field.total}`, 'count'));
    if (result.kind === 'scrape') chip.addEventListener('click', () => setMarkField(field.name));
    bar.append(chip);
  }
  root.append(bar);
}

function renderRecords(root: HTMLElement, result: PreviewResult): void {
  const section = el('section');
  section.append(el('h2', 'Records'));
  const names = result.fields.map((f) => f.name);
  const extra = new Set<string>();
  for (const record of result.records) for (const key of Object.keys(record.values)) if (!names.includes(key)) extra.add(key);
  const columns = [...names, ...extra];
  const pages = Math.max(1, Math.ceil(result.records.length / PAGE_SIZE));
  const page = Math.min(state?.page ?? 0, pages - 1);
  const table = el('table', undefined, 'records');
  table.id = 'records';
  const head = el('thead');
  const headRow = el('tr');
  headRow.append(el('th', '#'));
  for (const c of columns) headRow.append(el('th', c));
  headRow.append(el('th', 'Problems'));
  head.append(headRow);
  const body = el('tbody');
  result.records.slice(page * PAGE_SIZE, (page + 1) * PAGE_SIZE).forEach((record, i) => {
    const row = el('tr', undefined, record.errors.length > 0 ? 'failed' : undefined);
    row.append(el('td', String(page * PAGE_SIZE + i + 1), 'index'));
    for (const c of columns) row.append(el('td', cellText(record.values[c])));
    row.append(el('td', record.errors.map((e) => e.reason).join('; '), 'problems'));
    body.append(row);
  });
  table.append(head, body);
  section.append(table);
  if (result.records.length === 0) section.append(el('p', 'No records on this page.', 'muted'));
  const more = result.recordCount > result.records.length ? ` (the first ${result.records.length} of ${result.recordCount} are shown)` : '';
  const pager = el('div', undefined, 'pager');
  const prev = el('button', '‹ Previous', 'secondary');
  prev.disabled = page === 0;
  prev.addEventListener('click', () => setPage(page - 1));
  const next = el('button', 'Next ›', 'secondary');
  next.disabled = page >= pages - 1;
  next.addEventListener('click', () => setPage(page + 1));
  pager.append(prev, el('span', `Page ${page + 1} of ${pages}${more}`, 'muted'), next);
  section.append(pager);
  root.append(section);
}

function renderHeaders(root: HTMLElement, headers: Record<string, string>): void {
  const details = el('details');
  details.append(el('summary', 'Response headers'));
  const table = el('table', undefined, 'headers');
  for (const [name, value] of Object.entries(headers)) {
    const row = el('tr');
    row.append(el('th', name), el('td', value));
    table.append(row);
  }
  details.append(table);
  root.append(details);
}

/** One JSON tree node; an array or object renders its children only when first expanded. */
function jsonNode(label: string | undefined, node: JsonPreviewNode): HTMLElement {
  const item = el('li');
  const key = label !== undefined ? el('span', `${label}: `, 'json-key') : undefined;
  if (node.t === 'value' || node.t === 'cut') {
    if (key) item.append(key);
    if (node.t === 'cut') item.append(el('span', '… (not shown)', 'muted'));
    else {
      const type = node.v === null ? 'null' : typeof node.v;
      item.append(el('span', typeof node.v === 'string' ? JSON.stringify(node.v) : String(node.v), `json-${type}`));
      if (node.truncated) item.append(el('span', ' … (cut)', 'muted'));
    }
    return item;
  }
  const details = el('details');
  const summary = el('summary');
  if (key) summary.append(key);
  const count = node.t === 'array' ? node.items.length : node.entries.length;
  summary.append(el('span', node.t === 'array' ? `[${node.total}]` : `{${node.total}}`, 'muted'));
  details.append(summary);
  let built = false;
  details.addEventListener('toggle', () => {
    if (!details.open || built) return;
    built = true;
    const list = el('ul', undefined, 'json');
    if (node.t === 'array') node.items.forEach((child, i) => list.append(jsonNode(String(i), child)));
    else for (const [k, child] of node.entries) list.append(jsonNode(k, child));
    if (node.total > count) list.append(el('li', `… ${node.total - count} more not shown`, 'muted'));
    details.append(list);
  });
  item.append(details);
  return item;
}

function renderJson(root: HTMLElement, tree: JsonPreviewNode): void {
  const section = el('section');
  section.append(el('h2', 'Response'));
  const list = el('ul', undefined, 'json root');
  list.id = 'json';
  const top = jsonNode(undefined, tree);
  list.append(top);
  section.append(list);
  root.append(section);
  // The top level starts open; deeper levels are built when the user expands them.
  const details = top.querySelector('details');
  if (details) details.open = true;
}

/** Non-overlapping, sorted ranges (nested matches merge into their outer range). */
function mergeRanges(ranges: [number, number][]): [number, number][] {
  const sorted = [...ranges].sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const out: [number, number][] = [];
  for (const [s, e] of sorted) {
    const last = out[out.length - 1];
    if (last && s < last[1]) last[1] = Math.max(last[1], e);
    else out.push([s, e]);
  }
  return out;
}

/** The page source as text nodes, with the marked field's ranges wrapped in `<mark>`. */
function sourceNodes(text: string, marks: PreviewMarks | undefined, field: string | undefined): Node[] {
  const ranges = field && marks?.[field] ? mergeRanges(marks[field]) : [];
  const nodes: Node[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) nodes.push(document.createTextNode(text.slice(at, start)));
    const mark = el('mark');
    mark.append(document.createTextNode(text.slice(start, end)));
    nodes.push(mark);
    at = end;
  }
  if (at < text.length) nodes.push(document.createTextNode(text.slice(at)));
  return nodes;
}

function renderSource(root: HTMLElement, result: PreviewResult): void {
  if (!result.source) return;
  const section = el('section');
  section.append(el('h2', 'Page source'));
  const picker = el('label', 'Mark matches of ');
  const select = el('select');
  select.id = 'mark-field';
  const options = [RECORDS_MARK, ...result.fields.map((f) => f.name)];
  for (const name of options) {
    const option = el('option', name === RECORDS_MARK ? 'record elements' : name);
    option.value = name;
    const count = result.marks?.[name]?.length ?? 0;
    option.textContent += ` (${count})`;
    select.append(option);
  }
  const markField = state?.markField && options.includes(state.markField) ? state.markField : (result.fields[0]?.name ?? RECORDS_MARK);
  select.value = markField;
  select.addEventListener('change', () => setMarkField(select.value));
  picker.append(select);
  section.append(picker);
  if (result.source.truncated) {
    section.append(el('p', `Showing the first ${result.source.text.length.toLocaleString()} of ${result.source.totalChars.toLocaleString()} characters; matches beyond them are counted above but not marked.`, 'notice warning'));
  }
  const pre = el('pre', undefined, 'source');
  pre.id = 'page-source';
  pre.append(...sourceNodes(result.source.text, result.marks, markField));
  section.append(pre);
  root.append(section);
  const first = pre.querySelector('mark');
  if (first) first.classList.add('first');
}

function render(): void {
  const root = document.getElementById('root');
  if (!root) return;
  root.replaceChildren();
  if (!state) {
    root.append(el('p', 'Nothing to preview.', 'muted'));
    return;
  }
  const result = state.result && state.result.sourceId === state.source.sourceId && state.result.uri === state.source.specUri ? state.result : undefined;
  renderHeader(root, state.source);
  renderFacts(root, state.source, result);
  renderNotices(root, result);
  if (!result || result.state !== 'ok') return;
  renderFields(root, result);
  renderRecords(root, result);
  if (result.kind === 'api') {
    if (result.headers) renderHeaders(root, result.headers);
    if (result.jsonPreview) renderJson(root, result.jsonPreview);
  } else {
    if (result.headers) renderHeaders(root, result.headers);
    renderSource(root, result);
  }
}

function setMarkField(name: string): void {
  if (!state) return;
  state.markField = name;
  save();
  render();
}

function setPage(page: number): void {
  if (!state) return;
  state.page = Math.max(0, page);
  save();
  render();
}

function applyUpdate(update: PreviewUpdatedParams): void {
  const result = state?.result;
  if (!state || !result || result.uri !== update.uri || result.sourceId !== update.sourceId || result.fetchedAt !== update.fetchedAt) return;
  const next: PreviewResult = { ...result, version: update.version, records: update.records, recordCount: update.recordCount, fields: update.fields, warnings: update.warnings, extractMs: update.extractMs };
  if (update.marks) next.marks = update.marks;
  if (update.urlChanged) next.urlChanged = true;
  else delete next.urlChanged;
  if (update.message) next.warnings = [update.message, ...next.warnings];
  state.result = next;
}

window.addEventListener('message', (event: MessageEvent<HostToWebviewMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'state': {
      const changed = !state || state.source.specUri !== message.state.specUri || state.source.sourceId !== message.state.sourceId;
      state = changed ? { source: message.state } : { ...state!, source: message.state };
      break;
    }
    case 'runActive':
      if (state) state.source = { ...state.source, runActive: message.active };
      break;
    case 'loading':
      loading = true;
      hostError = undefined;
      break;
    case 'result':
      loading = false;
      hostError = undefined;
      if (state) {
        const sameSource = state.result?.sourceId === message.result.sourceId && state.result?.uri === message.result.uri;
        state.result = message.result;
        if (!sameSource) state.page = 0;
      }
      break;
    case 'update':
      applyUpdate(message.update);
      break;
    case 'error':
      loading = false;
      hostError = message.message;
      break;
    default: {
      const unexpected: never = message;
      void unexpected;
      return;
    }
  }
  save();
  render();
});

state = initialState();
render();
post({ type: 'ready' });
