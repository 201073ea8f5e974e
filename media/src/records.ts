/**
 * The Records webview view. It runs in the webview's sandbox with a CSP that allows only this
 * script (by nonce) and the extension's stylesheet. Everything it shows is scraped data, so the
 * DOM is built with `createElement` and `textContent` only — never `innerHTML` — and nothing is
 * evaluated. Links are buttons that ask the host to open a URL; the host decides whether it may.
 *
 * The host owns the data: search and paging happen there (the webview only debounces typing),
 * and each answer carries the request's sequence number so a slow answer cannot overwrite a newer
 * one. The search, page and label field survive the view being hidden through `setState`.
 */
import type {
  FieldSummary,
  LabelDistribution,
  RecordsHostMessage,
  RecordsPage,
  RecordsSavedState,
  RecordsSourceInfo,
  RecordsWebviewMessage,
} from './records-messages';

interface VsCodeApi {
  postMessage(message: RecordsWebviewMessage): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const SEARCH_DEBOUNCE_MS = 250;

function post(message: RecordsWebviewMessage): void {
  vscode.postMessage(message);
}

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (className) node.className = className;
  return node;
}

function savedState(): RecordsSavedState | undefined {
  const saved = vscode.getState() as Partial<RecordsSavedState> | undefined;
  if (!saved || typeof saved.key !== 'string' || typeof saved.query !== 'string' || typeof saved.page !== 'number') return undefined;
  return { key: saved.key, query: saved.query, page: saved.page, ...(typeof saved.labelField === 'string' ? { labelField: saved.labelField } : {}) };
}

const number = new Intl.NumberFormat('en-US');

// What the view shows now, and what it last asked for.
let source: RecordsSourceInfo | undefined;
let state: RecordsSavedState | undefined = savedState();
let seq = 0;
let searchTimer: ReturnType<typeof setTimeout> | undefined;

// The parts of the page that are kept while records change, so typing never loses focus.
const parts = {
  root: document.getElementById('root') ?? document.body,
  status: el('p', undefined, 'muted'),
  header: el('header'),
  notes: el('ul', undefined, 'notes'),
  search: el('input'),
  pager: el('div', undefined, 'pager'),
  table: el('table', undefined, 'records'),
  summary: el('table', undefined, 'summary'),
  labelPicker: el('select'),
  distribution: el('div', undefined, 'distribution'),
};

function save(): void {
  if (state) vscode.setState(state);
}

function requestPage(page: number): void {
  if (!state) return;
  seq++;
  post({ type: 'query', seq, query: state.query, page });
}

function buildLayout(): void {
  parts.search.type = 'search';
  parts.search.id = 'records-search';
  parts.search.placeholder = 'Search records';
  parts.search.setAttribute('aria-label', 'Search records');
  parts.search.addEventListener('input', () => {
    if (!state) return;
    state.query = parts.search.value.slice(0, 1000);
    state.page = 0;
    save();
    if (searchTimer) clearTimeout(searchTimer);
    searchTimer = setTimeout(() => requestPage(0), SEARCH_DEBOUNCE_MS);
  });
  parts.labelPicker.id = 'label-field';
  parts.labelPicker.setAttribute('aria-label', 'Label field');
  parts.labelPicker.addEventListener('change', () => {
    if (!state) return;
    state.labelField = parts.labelPicker.value;
    save();
    post({ type: 'labelField', field: parts.labelPicker.value });
  });
}

function showMessage(text: string): void {
  source = undefined;
  parts.status.textContent = text;
  parts.root.replaceChildren(parts.status);
}

function renderSource(info: RecordsSourceInfo): void {
  source = info;
  // Other records than the saved ones: start from the top with the suggested label.
  if (!state || state.key !== info.key) {
    state = { key: info.key, query: '', page: 0, ...(info.suggestedLabel ? { labelField: info.suggestedLabel } : {}) };
    save();
  }
  const heading = el('h2', info.title);
  heading.title = info.title;
  parts.header.replaceChildren(heading, el('span', `${number.format(info.loaded)} records`, 'count'));
  const origin = el('p', info.origin, 'muted origin');
  origin.title = info.origin;
  parts.notes.replaceChildren(...info.notes.map((n) => el('li', n)));
  parts.search.value = state.query;

  const searchRow = el('div', undefined, 'search');
  searchRow.append(parts.search);

  const tableWrap = el('div', undefined, 'table-wrap');
  tableWrap.append(parts.table);
  parts.table.replaceChildren();

  renderSummary(info.summaries);

  parts.labelPicker.replaceChildren(el('option', '(none)'));
  (parts.labelPicker.firstChild as HTMLOptionElement).value = '';
  for (const field of info.fields) {
    const option = el('option', field);
    option.value = field;
    parts.labelPicker.append(option);
  }
  parts.labelPicker.value = state.labelField ?? '';
  parts.distribution.replaceChildren();

  const summarySection = el('details', undefined, 'section');
  summarySection.open = true;
  const summaryWrap = el('div', undefined, 'scroll-x');
  summaryWrap.append(parts.summary);
  summarySection.append(el('summary', 'Fields'), summaryWrap);
  const labelSection = el('details', undefined, 'section');
  labelSection.open = true;
  const labelRow = el('label', 'Label field ', 'label-row');
  labelRow.append(parts.labelPicker);
  labelSection.append(el('summary', 'Class balance'), labelRow, parts.distribution);

  const content: Node[] = [parts.header, origin];
  if (info.notes.length > 0) content.push(parts.notes);
  content.push(searchRow, parts.pager, tableWrap, summarySection, labelSection);
  parts.root.replaceChildren(...content);
}

function renderPage(page: RecordsPage): void {
  if (!source || !state) return;
  // An answer to an older request than the last one sent is stale.
  if (page.seq < seq) return;
  state.page = page.page;
  save();
  const head = el('thead');
  const headRow = el('tr');
  headRow.append(el('th', '#'), ...source.fields.map((f) => el('th', f)), el('th', 'source'));
  head.append(headRow);
  const body = el('tbody');
  for (const row of page.rows) {
    const tr = el('tr');
    tr.append(el('td', String(row.index + 1), 'index'));
    for (const cell of row.cells) {
      const td = el('td', cell.text, `cell t-${cell.type}`);
      td.title = cell.text;
      tr.append(td);
    }
    const link = el('td', undefined, 'link');
    if (row.url) {
      const url = row.url;
      const button = el('button', shortUrl(url), 'link');
      button.title = `Open ${url}`;
      button.addEventListener('click', () => post({ type: 'openUrl', url }));
      link.append(button);
    }
    tr.append(link);
    body.append(tr);
  }
  parts.table.replaceChildren(head, body);
  if (page.rows.length === 0) {
    const tr = el('tr');
    const td = el('td', page.query ? 'No record matches the search.' : 'No records.', 'muted');
    td.colSpan = source.fields.length + 2;
    tr.append(td);
    body.append(tr);
  }
  renderPager(page);
}

function renderPager(page: RecordsPage): void {
  const first = page.matching === 0 ? 0 : page.page * page.pageSize + 1;
  const last = Math.min(page.matching, (page.page + 1) * page.pageSize);
  const what = page.query ? `${number.format(page.matching)} matching` : `${number.format(page.matching)} records`;
  const button = (text: string, label: string, target: number, disabled: boolean): HTMLButtonElement => {
    const b = el('button', text);
    b.title = label;
    b.setAttribute('aria-label', label);
    b.disabled = disabled;
    b.addEventListener('click', () => requestPage(target));
    return b;
  };
  const info = el('span', `${number.format(first)}–${number.format(last)} of ${what} · page ${page.page + 1} of ${page.pageCount}`, 'page-info');
  info.id = 'page-info';
  parts.pager.replaceChildren(
    button('«', 'First page', 0, page.page === 0),
    button('‹', 'Previous page', page.page - 1, page.page === 0),
    info,
    button('›', 'Next page', page.page + 1, page.page >= page.pageCount - 1),
    button('»', 'Last page', page.pageCount - 1, page.page >= page.pageCount - 1),
  );
}

function renderSummary(summaries: FieldSummary[]): void {
  const head = el('thead');
  const row = el('tr');
  row.append(el('th', 'Field'), el('th', 'Non-null'), el('th', 'Nulls'), el('th', 'Types'), el('th', 'Distinct'));
  head.append(row);
  const body = el('tbody');
  for (const s of summaries) {
    const tr = el('tr');
    const types = Object.entries(s.types)
      .map(([type, count]) => `${type} ${number.format(count ?? 0)}`)
      .join(' · ');
    tr.append(
      el('td', s.name, 'name'),
      el('td', number.format(s.nonNull), 'num'),
      el('td', number.format(s.nulls), s.nulls > 0 ? 'num warn' : 'num'),
      el('td', types),
      el('td', `${s.distinctCapped ? '≥ ' : ''}${number.format(s.distinct)}`, 'num'),
    );
    body.append(tr);
  }
  parts.summary.replaceChildren(head, body);
}

function renderDistribution(d: LabelDistribution | undefined): void {
  if (!d) {
    parts.distribution.replaceChildren(el('p', 'Pick a field to see how its values are balanced.', 'muted'));
    return;
  }
  if (state) {
    state.labelField = d.field;
    save();
  }
  parts.labelPicker.value = d.field;
  const counted = d.total - d.missing;
  const max = Math.max(1, ...d.classes.map((c) => c.count), d.otherCount);
  const bar = (label: string, count: number, className: string): HTMLElement => {
    const line = el('div', undefined, `bar-row ${className}`);
    const name = el('span', label, 'bar-label');
    name.title = label;
    const track = el('span', undefined, 'bar-track');
    const fill = el('span', undefined, 'bar-fill');
    // CSSOM assignment, not a style attribute: allowed by the CSP, and the value is a number.
    fill.style.width = `${((count / max) * 100).toFixed(1)}%`;
    track.append(fill);
    const share = counted > 0 ? ` (${((count / counted) * 100).toFixed(1)}%)` : '';
    line.append(name, track, el('span', `${number.format(count)}${share}`, 'bar-count'));
    return line;
  };
  const lines: HTMLElement[] = d.classes.map((c) => bar(c.value, c.count, 'class'));
  if (d.otherClasses > 0) lines.push(bar(`${number.format(d.otherClasses)} other values`, d.otherCount, 'other'));
  const total = el('p', `${number.format(d.classes.length + d.otherClasses)} classes over ${number.format(counted)} records${d.missing > 0 ? `; ${number.format(d.missing)} without a value` : ''}.`, 'muted');
  parts.distribution.replaceChildren(total, ...lines);
}

function shortUrl(url: string): string {
  try {
    const u = new URL(url);
    const text = `${u.host}${u.pathname}${u.search}`;
    return text.length > 60 ? `${text.slice(0, 59)}…` : text;
  } catch {
    // The host only sends URLs that parsed; show it as it is otherwise.
    return url.slice(0, 60);
  }
}

window.addEventListener('message', (event: MessageEvent<RecordsHostMessage>) => {
  const message = event.data;
  switch (message.type) {
    case 'source':
      renderSource(message.source);
      break;
    case 'page':
      renderPage(message.page);
      break;
    case 'distribution':
      renderDistribution(message.distribution);
      break;
    case 'empty':
      showMessage(message.message);
      break;
    case 'loading':
      showMessage(`Loading ${message.title}…`);
      break;
    default: {
      const unexpected: never = message;
      void unexpected;
    }
  }
});

buildLayout();
showMessage('Loading…');
post(state ? { type: 'ready', restore: state } : { type: 'ready' });
