/**
 * Renders a draft as a complete, commented `*.collect.yaml`.
 *
 * Everything goes through the `yaml` package's Document API, never string concatenation: page
 * text is hostile (quotes, `: `, `#`, newlines, `${…}`), and the library quotes every scalar the
 * way YAML needs, so no value can end early or add a key. Comments carry only our own text plus
 * samples made single-line by `commentText`.
 */
import { Document, Pair, Scalar, YAMLMap, YAMLSeq, type Node } from 'yaml';
import { classifyHost } from '../spec/urls';
import type { Draft, DraftField } from './draft';
import { commentText, safeValue, slug, snakeCase } from './text';

/** The user agent proposed when the caller gives none; the contact is a placeholder. */
export const DEFAULT_USER_AGENT = 'GleanerBot/0.1 (+mailto:you@example.org)';
/** The page budget written into every proposed spec. */
export const DEFAULT_PAGE_BUDGET = 50;

interface Entry {
  key: string;
  value: unknown;
  /** Comment lines above the key. */
  before?: string;
  /** Comment after the value on the same line (scalars) or after the collection. */
  after?: string;
  /** A blank line above. */
  space?: boolean;
  /** Write a list or mapping in flow style (`[a, b]`, `{ a: 1 }`). */
  flow?: boolean;
}

/** Builds YAML maps with comments from a small description, through one Document. */
class Builder {
  readonly doc = new Document();

  node(value: unknown, flow = false): Node {
    const node = this.doc.createNode(value) as Node;
    if (flow && (node instanceof YAMLMap || node instanceof YAMLSeq)) node.flow = true;
    return node;
  }

  map(entries: readonly (Entry | undefined)[]): YAMLMap {
    const map = new YAMLMap();
    for (const e of entries) {
      if (e === undefined) continue;
      const key = new Scalar(e.key);
      if (e.before !== undefined) key.commentBefore = e.before;
      if (e.space) key.spaceBefore = true;
      const value = isNode(e.value) ? e.value : this.node(e.value, e.flow);
      if (e.after !== undefined) value.comment = e.after;
      map.items.push(new Pair(key, value));
    }
    return map;
  }
}

function isNode(value: unknown): value is Node {
  return value instanceof YAMLMap || value instanceof YAMLSeq || value instanceof Scalar;
}

/** A comment block: each line prefixed with a space, as `# text` reads best. */
function lines(...text: string[]): string {
  return text.map((t) => ` ${t}`).join('\n');
}

/**
 * A URL for a spec value. A `${` in it (a hostile redirect or canonical link can put one in the
 * query) would be resolved as an environment reference at run time and sent to the site; `%24`
 * is the same `$` to the server and nothing to the spec.
 */
function safeUrl(url: string): string {
  return safeValue(url, 2000).replace(/\$ \{/g, '%24{');
}

const SECRET_PARAM = /^(api[_-]?key|apikey|key|token|access[_-]?token|auth|secret|client[_-]?secret|password|passwd|sig|signature)$/i;

/**
 * Replaces the values of query parameters that carry credentials (`?api_key=…`) by `${env:…}`
 * references, so a key typed into the URL box never lands in the spec in clear. Runs after
 * safeUrl, so the references it writes are the only ones in the URL.
 */
function referenceSecrets(url: string, notes: string[]): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const hash = url.indexOf('#', q);
  const query = url.slice(q + 1, hash === -1 ? undefined : hash);
  const parts = query.split('&').map((part) => {
    const eq = part.indexOf('=');
    const name = eq === -1 ? part : part.slice(0, eq);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // A malformed escape is not one of the names we look for.
    }
    if (eq === -1 || !SECRET_PARAM.test(decoded)) return part;
    const env = `GLEANER_${snakeCase(decoded).toUpperCase()}`;
    notes.push(`The URL's \`${decoded}\` parameter looks like a credential; the spec reads it from the environment variable ${env} instead.`);
    return `${name}=\${env:${env}}`;
  });
  return `${url.slice(0, q + 1)}${parts.join('&')}${hash === -1 ? '' : url.slice(hash)}`;
}

/** The URL without query or fragment, for the description. */
function bareUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.origin}${u.pathname}`;
  } catch {
    return url.replace(/[?#].*$/, '');
  }
}

function hostClass(url: string): string {
  try {
    return classifyHost(new URL(url).hostname);
  } catch {
    return 'public';
  }
}

function sampleComment(field: DraftField): string | undefined {
  const parts: string[] = [];
  if (field.sample.length > 0) parts.push(`e.g. ${JSON.stringify(commentText(field.sample[0]))}`);
  if (field.comment) parts.push(field.comment);
  return parts.length > 0 ? ` ${parts.join('; ')}` : undefined;
}

function htmlField(b: Builder, f: DraftField): YAMLMap {
  const entries: Entry[] = [];
  // No selector: the record element itself.
  if (f.locator !== '') entries.push({ key: 'selector', value: f.locator });
  else if (f.attribute === undefined) entries.push({ key: 'extract', value: 'text' });
  if (f.attribute !== undefined) entries.push({ key: 'attribute', value: f.attribute });
  if (f.regex !== undefined) entries.push({ key: 'regex', value: f.regex });
  if (f.type !== 'string') entries.push({ key: 'type', value: f.type });
  if (f.all) entries.push({ key: 'all', value: true });
  const map = b.map(entries);
  map.flow = true;
  return map;
}

function jsonField(b: Builder, f: DraftField): YAMLMap {
  const entries: Entry[] = [{ key: 'path', value: f.locator }];
  if (f.type !== 'string') entries.push({ key: 'type', value: f.type });
  if (f.all) entries.push({ key: 'all', value: true });
  const map = b.map(entries);
  map.flow = true;
  return map;
}

/** Stands in when no field was found: a spec needs one, and the comment says to replace it. */
function placeholderField(kind: Draft['kind']): DraftField {
  return { name: kind === 'api' ? 'value' : 'text', locator: kind === 'api' ? '$' : '', sample: [], type: 'string', comment: 'TODO: no field was found; replace this placeholder' };
}

function fieldsMap(b: Builder, found: readonly DraftField[], kind: Draft['kind']): YAMLMap {
  const fields = found.length > 0 ? found : [placeholderField(kind)];
  return b.map(
    fields.map((f) => ({
      key: f.name,
      value: kind === 'scrape' ? htmlField(b, f) : jsonField(b, f),
      after: sampleComment(f),
    })),
  );
}

function sourceOf(b: Builder, draft: Draft): YAMLMap {
  if (draft.kind === 'api') {
    return b.map([
      { key: 'id', value: 'api' },
      { key: 'kind', value: 'api' },
      { key: 'request', value: b.map([{ key: 'url', value: referenceSecrets(safeUrl(draft.requestUrl), draft.notes) }]) },
      {
        key: 'auth',
        value: b.map([{ key: 'type', value: 'none' }]),
        before: lines(
          'If the API needs a key, reference it from the environment, never paste it here:',
          'auth: { type: api_key, in: header, name: X-API-Key, value: "${env:MY_API_KEY}" }',
        ),
      },
      { key: 'pagination', value: paginationMap(b, draft.pagination.value), before: lines(draft.pagination.comment) },
      {
        key: 'records',
        value: b.map([
          { key: 'path', value: draft.recordPath, after: ` ${draft.recordCount} record(s) in the sample response` },
          { key: 'fields', value: fieldsMap(b, draft.fields, 'api') },
        ]),
      },
    ]);
  }
  const records: Entry[] = [];
  if (draft.recordSelector !== undefined) {
    records.push({ key: 'selector', value: draft.recordSelector, after: ` ${draft.recordCount} matches on the sample page` });
  }
  records.push({ key: 'fields', value: fieldsMap(b, draft.fields, 'scrape') });
  return b.map([
    { key: 'id', value: 'pages' },
    { key: 'kind', value: 'scrape' },
    { key: 'start_urls', value: [referenceSecrets(safeUrl(draft.startUrl), draft.notes)] },
    {
      key: 'use_canonical',
      value: true,
      after: draft.hasCanonical ? ' the page declares <link rel="canonical">' : ' pages with <link rel="canonical"> are identified by it',
    },
    draft.follow
      ? {
          key: 'follow',
          value: [b.map([{ key: 'selector', value: draft.follow.selector }, { key: 'max_depth', value: 10 }])],
          before: lines(draft.follow.comment),
        }
      : undefined,
    {
      key: 'records',
      value: b.map(records),
      before:
        draft.recordSelector === undefined
          ? lines('No repeated element was found, so the whole page is one record. Add `selector:` to pick one record per element.')
          : undefined,
    },
  ]);
}

function paginationMap(b: Builder, value: Record<string, unknown>): YAMLMap {
  return b.map(
    Object.entries(value).map(([key, v]) => ({
      key,
      value: v,
      flow: key === 'stop',
    })),
  );
}

/** Options for `writeSpecYaml`. */
export interface WriteOptions {
  url: string;
  userAgent?: string;
  /** The page `<title>` or another name for the collection (untrusted). */
  title?: string;
}

/** Renders `draft` as the text of a complete spec. */
export function writeSpecYaml(draft: Draft, options: WriteOptions): string {
  const b = new Builder();
  let host = 'collection';
  try {
    host = new URL(options.url).hostname;
  } catch {
    // The URL is the caller's; a bad one still gets a spec, and the checker reports the URL.
  }
  const title = options.title !== undefined ? safeValue(options.title, 120) : '';
  const name = slug(title !== '' ? title : host, 'collection');
  const description =
    draft.kind === 'api'
      ? `Records from the JSON API at ${safeValue(bareUrl(options.url), 300)}.`
      : `Records from ${title !== '' ? `"${title}" (${safeValue(bareUrl(options.url), 300)})` : safeValue(bareUrl(options.url), 300)}.`;
  const userAgent = options.userAgent !== undefined && options.userAgent.trim() !== '' ? safeValue(options.userAgent, 300) : DEFAULT_USER_AGENT;
  const privateHost = hostClass(options.url) !== 'public';

  const politeness: Entry[] = [
    { key: 'robots', value: 'obey', after: ' honour robots.txt, including its crawl-delay' },
    { key: 'delay', value: '1s', after: ' at least one second between two requests to this host' },
    { key: 'budget', value: b.map([{ key: 'pages', value: DEFAULT_PAGE_BUDGET }]), before: lines('The run stops after this many pages; raise it once the preview looks right.') },
  ];
  if (privateHost) {
    politeness.push({ key: 'allow_private_network', value: true, after: ' the URL is on a loopback or private address' });
  }

  const root = b.map([
    { key: 'gleaner', value: 1 },
    { key: 'name', value: name },
    { key: 'description', value: description },
    {
      key: 'user_agent',
      value: userAgent,
      before:
        options.userAgent === undefined || options.userAgent.trim() === ''
          ? lines('TODO: put your own contact (an email or a URL) here, so the site can reach you instead of blocking you.')
          : lines('Sent with every request; robots.txt rules are matched against its product token.'),
    },
    {
      key: 'licence',
      space: true,
      value: b.map([
        {
          key: 'spdx',
          value: null,
          before: lines(
            'TODO: the licence of the data on this site, as an SPDX expression (e.g. CC-BY-4.0),',
            'or LicenseRef-… for custom terms. Read the site\'s terms first; until this is set',
            'Gleaner warns `licence-missing`.',
          ),
        },
        { key: 'intended_use', value: ['research'], flow: true, before: lines('TODO: what the data is for; it is checked against the licence.') },
      ]),
    },
    { key: 'politeness', space: true, value: b.map(politeness) },
    { key: 'sources', space: true, value: [sourceOf(b, draft)] },
    {
      key: 'output',
      space: true,
      value: b.map([
        { key: 'format', value: 'jsonl' },
        { key: 'directory', value: 'runs' },
      ]),
    },
  ]);
  b.doc.contents = root;
  const kindText = draft.kind === 'api' ? 'JSON API' : 'HTML page';
  b.doc.commentBefore = lines(
    `Proposed by Gleaner from ${kindText} ${commentText(bareUrl(options.url), 200)}`,
    `(confidence ${draft.confidence.toFixed(2)}). Check every TODO, then preview before running.`,
  );
  return b.doc.toString({ lineWidth: 0, flowCollectionPadding: true });
}
