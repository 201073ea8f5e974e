/**
 * "New Collection Spec from a URL": given one fetched response, propose a spec.
 *
 * Pure: the caller fetches (politely, with robots.txt) and passes the body in; nothing here does
 * IO or reads the clock. The proposal is a starting point: a YAML text ready to open, plus the
 * record locator, fields and sample values the editor can show next to it, a confidence and
 * notes on what was guessed.
 */
import type { Draft } from './draft';
import { inferHtml } from './html';
import { inferJson } from './json';
import { writeSpecYaml } from './yaml-writer';

export { DEFAULT_USER_AGENT, DEFAULT_PAGE_BUDGET } from './yaml-writer';

/** The fetched response to infer a spec from. */
export interface InferInput {
  /** The URL that was fetched (after redirects). */
  url: string;
  status: number;
  contentType?: string;
  /** The decoded body. */
  body: string;
  /** The user agent to write into the spec; a placeholder with a TODO when absent. */
  userAgent?: string;
}

/** One proposed field: its name, where it is read from, and what it read from the sample. */
export interface InferredField {
  name: string;
  /** CSS selector relative to the record (scrape) or JSONPath relative to it (api). */
  locator: string;
  sample: string[];
}

/** The proposal. `yaml` is a complete, commented `*.collect.yaml`. */
export interface InferredSpec {
  kind: 'api' | 'scrape';
  yaml: string;
  fields: InferredField[];
  /** The record selector (scrape; empty when the page is one record) or records JSONPath (api). */
  recordLocator: string;
  /** 0..1: how sure the inference is that it found the records. */
  confidence: number;
  notes: string[];
}

/** Bodies beyond this are read only up to it (an HTML page this large is an outlier). */
const MAX_BODY_CHARS = 10 * 1024 * 1024;

type Sniffed = { kind: 'json'; value: unknown } | { kind: 'html' };

/** Decides JSON or HTML from the content type and the body; a JSON body wins whatever the label. */
function sniff(contentType: string, body: string, notes: string[]): Sniffed {
  const declaredJson = /\bjson\b|\+json/i.test(contentType);
  const text = body.replace(/^\uFEFF/, '').trimStart();
  // A JSON label is trusted for any JSON text (`null`, `"…"`); otherwise only objects and arrays
  // count, so that a page that happens to be a bare word or number stays HTML.
  if (text.startsWith('{') || text.startsWith('[') || (declaredJson && text !== '')) {
    try {
      const value: unknown = JSON.parse(text);
      if (!declaredJson) {
        notes.push(`The body is JSON although it was served as ${contentType === '' ? 'no content type' : `\`${contentType.slice(0, 80)}\``}; it was read as JSON.`);
      }
      return { kind: 'json', value };
    } catch {
      if (declaredJson) notes.push('The response is labelled JSON but does not parse as JSON; it was read as HTML.');
    }
  } else if (declaredJson) {
    notes.push('The response is labelled JSON but does not look like JSON; it was read as HTML.');
  }
  return { kind: 'html' };
}

function emptyDraft(kind: Sniffed['kind'], url: string, notes: string[]): Draft {
  if (kind === 'json') {
    return {
      kind: 'api',
      requestUrl: url,
      recordPath: '$',
      recordCount: 0,
      fields: [],
      pagination: { value: { type: 'none' }, comment: 'Pagination could not be guessed.', removeParams: [] },
      confidence: 0,
      notes,
    };
  }
  return { kind: 'scrape', startUrl: url, recordCount: 0, fields: [], hasCanonical: false, confidence: 0, notes };
}

/** Proposes a collection spec for the response. Never throws on any body. */
export function inferSpec(input: InferInput): InferredSpec {
  const notes: string[] = [];
  let body = typeof input.body === 'string' ? input.body : '';
  if (body.length > MAX_BODY_CHARS) {
    body = body.slice(0, MAX_BODY_CHARS);
    notes.push(`Only the first ${MAX_BODY_CHARS / 1024 / 1024} MiB of the body were read.`);
  }
  if (!(input.status >= 200 && input.status < 300)) {
    notes.push(
      input.status === 401 || input.status === 403
        ? `The response was ${input.status}: the site wants credentials or refused the request; add \`auth\` (with \`\${env:…}\` references) and try again.`
        : `The response was ${input.status}, not a success; the proposal is based on whatever that page held.`,
    );
  }
  const sniffed = sniff(input.contentType ?? '', body, notes);
  let draft: Draft;
  let title: string | undefined;
  try {
    if (sniffed.kind === 'json') {
      draft = inferJson(sniffed.value, input.url, notes);
    } else {
      const html = inferHtml(body, input.url, notes);
      draft = html;
      title = html.title;
    }
  } catch (e) {
    // A heuristic tripping over a strange page must still leave the user a spec to edit; the
    // note says what failed so the bug can be reported.
    notes.push(`Gleaner could not analyse this response (${e instanceof Error ? e.message : String(e)}); fill in the records by hand and please report it.`);
    draft = emptyDraft(sniffed.kind, input.url, notes);
  }
  if (!(input.status >= 200 && input.status < 300)) draft.confidence = Math.min(draft.confidence, 0.3);
  draft.confidence = Math.round(Math.max(0, Math.min(1, draft.confidence)) * 100) / 100;
  const yaml = writeSpecYaml(draft, { url: input.url, userAgent: input.userAgent, title });
  return {
    kind: draft.kind,
    yaml,
    fields: draft.fields.map((f) => ({ name: f.name, locator: f.locator, sample: f.sample })),
    recordLocator: draft.kind === 'api' ? draft.recordPath : (draft.recordSelector ?? ''),
    confidence: draft.confidence,
    notes,
  };
}
