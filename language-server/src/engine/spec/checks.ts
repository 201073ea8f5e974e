/**
 * Semantic checks on a structurally valid spec: embedded selectors, JSONPath, regexes and URLs;
 * politeness; secrets in clear text; references between sources and fields; the licence.
 * They read the clean value (so only values of the right type are looked at) and the locator
 * (for exact ranges).
 */
import { isMap, isScalar, isSeq, type Node } from 'yaml';
import type { Descriptor } from './descriptors';
import { SPEC_DESCRIPTOR, taggedProps } from './descriptors';
import { analyzeLicenceSafely, type LicenceFinding, type LicenceQuery } from './licence-adapter';
import { MAX_DEPTH, scalarSubRange, type AstLocator, type TextPositions } from './locator';
import type { IntendedUse, QuickFix, Range, Severity, SpecDiagnostic, SpecPath } from './model';
import { checkCssSelector, checkJsonPath, checkRegex } from './syntax-checks';
import { checkUrl } from './urls';
import { ANY_REFERENCE, closest, envName, hasReference, REFERENCE } from './values';
import type { CleanMap, CleanObject } from './validate';

type Any = Record<string, unknown>;

const obj = (v: unknown): Any => (v && typeof v === 'object' && !Array.isArray(v) && !(v instanceof Map) ? (v as Any) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** What the checks need to know about the document. */
export interface CheckContext {
  clean: CleanObject;
  locator: AstLocator;
  positions: TextPositions;
  diagnostics: SpecDiagnostic[];
  /** The licence analyser; defaults to engine/licence through the adapter. */
  analyzeLicence?: (query: LicenceQuery) => LicenceFinding[];
}

class Checker {
  constructor(readonly ctx: CheckContext) {}

  /** The document path for a clean path (the licence may be spelled `license` in the text). */
  docPath(path: SpecPath): SpecPath {
    if (path[0] === 'licence' && !this.ctx.locator.locate(['licence']) && this.ctx.locator.locate(['license'])) return ['license', ...path.slice(1)];
    return path;
  }

  node(path: SpecPath): Node | null | undefined {
    return this.ctx.locator.locate(this.docPath(path))?.node;
  }

  /**
   * The value's range; for a value reached through an alias (which has no place of its own in
   * the text), the range of the nearest ancestor that has one, so no finding is lost.
   */
  valueRange(path: SpecPath): Range | undefined {
    const p = this.docPath(path);
    for (let n = p.length; n >= 0; n--) {
      const r = this.ctx.locator.valueRange(p.slice(0, n));
      if (r) return r;
    }
    return undefined;
  }

  keyRange(path: SpecPath): Range | undefined {
    const p = this.docPath(path);
    return this.ctx.locator.keyRange(p) ?? this.ctx.locator.valueRange(p);
  }

  subRange(path: SpecPath, start: number, end: number): Range | undefined {
    let node = this.node(path);
    // A single item written without a list (`fallback: h1`) sits at the list's own path.
    if (node === undefined && typeof path[path.length - 1] === 'number') node = this.node(path.slice(0, -1));
    return scalarSubRange(node, start, end, this.ctx.positions) ?? this.valueRange(path);
  }

  report(range: Range | undefined, severity: Severity, code: string, message: string, fixes?: QuickFix[]): void {
    if (!range) return;
    this.ctx.diagnostics.push({ range, severity, code, message, ...(fixes ? { fixes } : {}) });
  }
}

/** Runs every semantic check, appending to `ctx.diagnostics`. */
export function runChecks(ctx: CheckContext): void {
  const c = new Checker(ctx);
  const allowPrivate = obj(ctx.clean.politeness).allow_private_network === true;
  const secretRanges = new Set<string>();
  checkFormats(c, ctx.clean, SPEC_DESCRIPTOR, [], allowPrivate, 0);
  checkFieldCombinations(c, ctx.clean);
  checkPoliteness(c, ctx.clean);
  checkSecrets(c, ctx.clean, secretRanges);
  scanTokens(c, ctx, secretRanges);
  checkReferences(c, ctx.clean);
  checkLicence(c, ctx.clean);
}

/**
 * Walks the clean value along the descriptors and checks every string that has a format. The
 * path is one mutable stack, copied only when something is reported.
 */
function checkFormats(c: Checker, value: unknown, d: Descriptor, path: (string | number)[], allowPrivate: boolean, depth: number): void {
  if (value === undefined || depth > MAX_DEPTH) return;
  const child = (v: unknown, sub: Descriptor, seg: string | number): void => {
    path.push(seg);
    checkFormats(c, v, sub, path, allowPrivate, depth + 1);
    path.pop();
  };
  switch (d.kind) {
    case 'object':
      for (const k in d.props) if (!d.props[k].aliasOf) child(obj(value)[k], d.props[k], k);
      return;
    case 'tagged': {
      const o = obj(value);
      const props = taggedProps(d, o[d.tag]);
      for (const k in props) child(o[k], props[k], k);
      return;
    }
    case 'array':
      if (Array.isArray(value)) value.forEach((item, i) => child(item, d.items, i));
      return;
    case 'map':
      if (value instanceof Map) for (const [k, v] of value) child(v, d.values, k);
      return;
    default:
      if (typeof value === 'string' && d.format) checkFormatted(c, value, d.format, path, allowPrivate);
  }
}

function checkFormatted(c: Checker, value: string, format: string, livePath: SpecPath, allowPrivate: boolean): void {
  const path = (): SpecPath => [...livePath];
  switch (format) {
    case 'css-selector': {
      const p = checkCssSelector(value);
      if (p) c.report(c.subRange(path(), p.start, p.end), 'error', 'invalid-selector', p.message);
      return;
    }
    case 'jsonpath': {
      const p = checkJsonPath(value);
      if (p) c.report(c.subRange(path(), p.start, p.end), 'error', 'invalid-jsonpath', p.message);
      return;
    }
    case 'regex': {
      const p = checkRegex(value);
      if (p) c.report(c.valueRange(path()), 'error', 'invalid-regex', p.message);
      return;
    }
    case 'url': {
      const v = checkUrl(value);
      if (!v) return;
      if (!v.ok) {
        c.report(c.valueRange(path()), 'error', v.code, v.message);
        return;
      }
      // The terms URL is only shown to people, never fetched.
      if (!allowPrivate && v.hostClass !== 'public' && livePath[0] !== 'licence') {
        c.report(
          c.valueRange(path()),
          'error',
          'private-address',
          `\`${v.url.hostname}\` is a ${v.hostClass} address; requests to it are refused unless \`politeness.allow_private_network: true\`.`,
        );
      }
      return;
    }
  }
}

/** Every URL the crawl starts from or requests, with whether its host could be judged. */
function entryHosts(clean: CleanObject): string[] {
  const hosts: string[] = [];
  for (const raw of arr(clean.sources)) {
    const s = obj(raw);
    const urls = [...arr(s.start_urls), s.sitemap, obj(s.request).url].filter((u): u is string => typeof u === 'string');
    for (const u of urls) {
      const v = checkUrl(u);
      hosts.push(v && v.ok ? v.hostClass : 'unknown');
    }
  }
  return hosts;
}

/** Combinations the descriptors cannot express: `extract: attribute` needs an `attribute`. */
function checkFieldCombinations(c: Checker, clean: CleanObject): void {
  arr(clean.sources).forEach((raw, i) => {
    const fields = obj(obj(raw).records).fields;
    if (obj(raw).kind !== 'scrape' || !(fields instanceof Map)) return;
    for (const [name, f] of fields as CleanMap) {
      const o = obj(f);
      if (o.extract === 'attribute' && typeof o.attribute !== 'string') {
        c.report(c.valueRange(['sources', i, 'records', 'fields', name, 'extract']), 'error', 'missing-required', '`extract: attribute` needs `attribute`, the attribute to read (e.g. `href`).');
      }
    }
  });
}

function checkPoliteness(c: Checker, clean: CleanObject): void {
  const pol = obj(clean.politeness);
  const delay = pol.delay;
  const hosts = entryHosts(clean);
  // A server on the user's own machine (the demo, a benchmark) may be hammered; every other host
  // gets at least a second between requests and a few requests in flight.
  const localOnly = hosts.length > 0 && hosts.every((h) => h === 'loopback');
  // The defaults are polite, so an impolite value was written by the user and has a range.
  if (typeof delay === 'number' && delay < 1000) {
    if (!localOnly) {
      c.report(c.valueRange(['politeness', 'delay']), 'warning', 'delay-too-short', `A delay of ${delay} ms between requests to one host is impolite; use at least \`1s\` unless the site owner agreed to more.`, [
        { title: 'Set the delay to 1s', edits: [{ range: c.valueRange(['politeness', 'delay']) as Range, newText: '1s' }], preferred: true },
      ]);
    }
  }
  const perHost = obj(pol.concurrency).per_host;
  if (typeof perHost === 'number' && perHost > 4 && !localOnly) {
    const severe = perHost > 8;
    c.report(
      c.valueRange(['politeness', 'concurrency', 'per_host']),
      severe ? 'error' : 'warning',
      'concurrency-high',
      `${perHost} requests in flight to one host ${severe ? 'is far too many (at most 8)' : 'is a heavy load for most sites'}; 1 to 4 is polite.`,
    );
  }
  if (pol.robots === 'ignore' && (typeof pol.robots_justification !== 'string' || pol.robots_justification.trim() === '')) {
    c.report(c.valueRange(['politeness', 'robots']), 'error', 'robots-ignore-unjustified', '`robots: ignore` needs `robots_justification` saying why this crawl may ignore robots.txt (e.g. written permission).');
  }
  const ua = clean.user_agent;
  if (typeof ua === 'string' && !/https?:\/\/|mailto:|[^\s@()<>]+@[^\s@()<>]+\.[a-z]{2,}|\+[\w-]+(\.[\w-]+)+/i.test(ua)) {
    c.report(c.valueRange(['user_agent']), 'warning', 'user-agent-no-contact', 'The user agent has no contact; add a URL or email so site owners can reach you, e.g. `GleanerBot/1.0 (+mailto:you@example.org)`.');
  }
  const budget = obj(pol.budget);
  const bounded = typeof budget.pages === 'number' || typeof budget.time === 'number';
  if (!bounded) {
    arr(clean.sources).forEach((raw, i) => {
      const s = obj(raw);
      if (s.kind === 'scrape' && arr(s.follow).some((f) => f !== undefined)) {
        c.report(c.keyRange(['sources', i, 'follow']), 'warning', 'no-budget', 'This source follows links with no `politeness.budget.pages` or `budget.time`, so the crawl is open-ended.');
      }
    });
  }
}

const SECRET_HEADER = /^(authorization|proxy-authorization|cookie|x-api-key|api-key|apikey|x-auth-token|x-access-token|private-token)$|token|secret|api[-_]?key|password/i;
const SECRET_PARAM = /^(api[-_]?key|apikey|access[-_]?token|auth[-_]?token|token|client[-_]?secret|secret|password|passwd|key)$/i;

function secretFix(c: Checker, path: SpecPath, name: string): QuickFix[] | undefined {
  const range = c.valueRange(path);
  if (!range) return undefined;
  return [{ title: `Replace with \${env:${name}}`, edits: [{ range, newText: `"\${env:${name}}"` }], preferred: true }];
}

function rangeKey(r: Range | undefined): string {
  return r ? `${r.start.line}:${r.start.character}` : '';
}

function checkSecrets(c: Checker, clean: CleanObject, flagged: Set<string>): void {
  arr(clean.sources).forEach((raw, i) => {
    const s = obj(raw);
    if (s.kind !== 'api') return;
    const id = typeof s.id === 'string' ? s.id : `source_${i + 1}`;
    const slot = (path: SpecPath, value: unknown, name: string, what: string): void => {
      if (typeof value !== 'string' || value === '' || hasReference(value)) return;
      const range = c.valueRange(path);
      flagged.add(rangeKey(range));
      c.report(range, 'error', 'secret-in-clear', `${what} is written in clear text; reference it as \`\${env:${name}}\` or \`\${secret:${name}}\` so it never lands in the repository.`, secretFix(c, path, name));
    };
    const auth = obj(s.auth);
    const base = ['sources', i, 'auth'];
    if (auth.type === 'api_key') slot([...base, 'value'], auth.value, envName(id, 'api_key'), 'The API key');
    if (auth.type === 'bearer') slot([...base, 'token'], auth.token, envName(id, 'token'), 'The bearer token');
    if (auth.type === 'basic') slot([...base, 'password'], auth.password, envName(id, 'password'), 'The password');
    if (auth.type === 'oauth2') slot([...base, 'client_secret'], auth.client_secret, envName(id, 'client_secret'), 'The client secret');
    const req = obj(s.request);
    if (req.headers instanceof Map) {
      for (const [name, value] of req.headers as CleanMap) {
        if (SECRET_HEADER.test(name)) slot(['sources', i, 'request', 'headers', name], value, envName(id, name), `The \`${name}\` header`);
      }
    }
    if (req.params instanceof Map) {
      for (const [name, value] of req.params as CleanMap) {
        if (SECRET_PARAM.test(name)) slot(['sources', i, 'request', 'params', name], value, envName(id, name), `The \`${name}\` parameter`);
      }
    }
  });
}

const TOKEN_PATTERNS: { name: string; re: RegExp }[] = [
  { name: 'a GitHub token', re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{30,}|\bgithub_pat_[A-Za-z0-9_]{40,}/ },
  // Real keys mix digits and capitals; the lookaheads keep prose like `sk-learn-compatible-…` out.
  { name: 'an OpenAI-style API key', re: /\bsk-(?:proj-|svcacct-|admin-)?(?=[A-Za-z0-9_-]*\d)(?=[A-Za-z0-9_-]*[A-Z])[A-Za-z0-9_-]{32,}/ },
  { name: 'an AWS access key id', re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/ },
  { name: 'a JSON Web Token', re: /\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}/ },
  { name: 'a Slack token', re: /\bxox[abposr]-[A-Za-z0-9-]{10,}/ },
  { name: 'a Google API key', re: /\bAIza[0-9A-Za-z_-]{35}/ },
  { name: 'a private key', re: /-----BEGIN [A-Z ]*PRIVATE KEY-----/ },
];

/** A cheap first look: only strings containing one of the token prefixes get the full patterns. */
const TOKEN_HINT = /gh[pousr]_|github_pat_|sk-|AKIA|ASIA|eyJ|xox[abposr]-|AIza|-----BEGIN/;

/** Values this long are not scanned for tokens: a token pattern is cheap, but not free on megabytes. */
const MAX_SCAN = 100_000;

/** Scans every string value in the document for well-known token formats and bad references. */
function scanTokens(c: Checker, ctx: CheckContext, flagged: Set<string>): void {
  const stack: { node: unknown; depth: number }[] = [{ node: ctx.locator.root(), depth: 0 }];
  let budget = 200_000;
  while (stack.length > 0 && budget-- > 0) {
    const { node, depth } = stack.pop() as { node: unknown; depth: number };
    if (depth > MAX_DEPTH) continue;
    if (isMap(node)) {
      for (const pair of node.items) if (pair.value) stack.push({ node: pair.value, depth: depth + 1 });
    } else if (isSeq(node)) {
      for (const item of node.items) stack.push({ node: item, depth: depth + 1 });
    } else if (isScalar(node) && typeof node.value === 'string' && node.value.length <= MAX_SCAN) {
      const value = node.value;
      // Keyed like checkSecrets' slots (the whole scalar, quotes included), so a slot is not reported twice.
      if (TOKEN_HINT.test(value) && node.range && !flagged.has(rangeKey(ctx.positions.range(node.range[0], node.range[1])))) {
        for (const { name, re } of TOKEN_PATTERNS) {
          const m = re.exec(value);
          if (m) {
            c.report(scalarSubRange(node, m.index, m.index + m[0].length, ctx.positions), 'error', 'secret-in-clear', `This looks like ${name}; keep secrets out of the spec and reference them as \`\${env:NAME}\`.`);
            break;
          }
        }
      }
      if (value.includes('${')) {
        ANY_REFERENCE.lastIndex = 0;
        for (let m = ANY_REFERENCE.exec(value); m; m = ANY_REFERENCE.exec(value)) {
          REFERENCE.lastIndex = 0;
          const ok = REFERENCE.exec(m[0]);
          if (!ok || ok[0] !== m[0]) {
            c.report(scalarSubRange(node, m.index, m.index + m[0].length, ctx.positions), 'error', 'invalid-reference', `\`${m[0].slice(0, 60)}\` is not a valid reference; write \`\${env:NAME}\` or \`\${secret:NAME}\` with NAME made of letters, digits and _.`);
          }
        }
      }
    }
  }
}

function fieldNames(clean: CleanObject): Set<string> {
  const names = new Set<string>();
  for (const raw of arr(clean.sources)) {
    const fields = obj(obj(raw).records).fields;
    if (fields instanceof Map) for (const k of fields.keys()) names.add(k);
  }
  const rec = obj(clean.records);
  for (const m of [rec.fields, rec.derived]) if (m instanceof Map) for (const k of m.keys()) names.add(k);
  return names;
}

function checkReferences(c: Checker, clean: CleanObject): void {
  const sources = arr(clean.sources).map(obj);
  const ids = new Map<string, number>();
  sources.forEach((s, i) => {
    if (typeof s.id !== 'string') return;
    if (ids.has(s.id)) {
      const first = ids.get(s.id) as number;
      const range = c.valueRange(['sources', i, 'id']);
      if (range) {
        c.ctx.diagnostics.push({
          range,
          severity: 'error',
          code: 'duplicate-source-id',
          message: `Another source already has the id \`${s.id}\`; source ids must be unique.`,
          related: [{ message: 'First used here.', range: c.valueRange(['sources', first, 'id']) }],
        });
      }
    } else ids.set(s.id, i);
  });
  const targeted = new Set<string>();
  // Sources a misspelt follow rule probably meant count as reached: the typo is reported once.
  const probablyTargeted = new Set<string>();
  sources.forEach((s, i) => {
    arr(s.follow).forEach((raw, j) => {
      const f = obj(raw);
      if (typeof f.source !== 'string') return;
      if (f.source !== s.id) targeted.add(f.source);
      if (ids.has(f.source)) {
        const target = sources[ids.get(f.source) as number];
        if (target.kind === 'api') c.report(c.valueRange(['sources', i, 'follow', j, 'source']), 'error', 'unknown-source', `\`${f.source}\` is an API source; followed links need a scrape source.`);
        return;
      }
      const path = ['sources', i, 'follow', j, 'source'];
      const suggestion = closest(f.source, ids.keys());
      if (suggestion) probablyTargeted.add(suggestion);
      const range = c.valueRange(path);
      c.report(
        range,
        'error',
        'unknown-source',
        `No source has the id \`${f.source}\`.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
        suggestion && range ? [{ title: `Change to \`${suggestion}\``, edits: [{ range, newText: suggestion }], preferred: true }] : undefined,
      );
    });
  });
  sources.forEach((s, i) => {
    if (s.kind !== 'scrape' || typeof s.id !== 'string') return;
    if (arr(s.start_urls).length > 0 || typeof s.sitemap === 'string' || targeted.has(s.id) || probablyTargeted.has(s.id)) return;
    c.report(c.valueRange(['sources', i, 'id']), 'warning', 'unreachable-source', `Source \`${s.id}\` has no \`start_urls\` or \`sitemap\`, and no follow rule leads to it, so it never runs.`);
  });
  const names = fieldNames(clean);
  const known = [...names];
  const checkName = (path: SpecPath, name: unknown): void => {
    if (typeof name !== 'string' || names.has(name)) return;
    const suggestion = closest(name, known);
    const range = c.valueRange(path);
    c.report(
      range,
      'error',
      'unknown-field',
      `No field is named \`${name}\`.${suggestion ? ` Did you mean \`${suggestion}\`?` : ''}`,
      suggestion && range ? [{ title: `Change to \`${suggestion}\``, edits: [{ range, newText: suggestion }], preferred: true }] : undefined,
    );
  };
  const rec = obj(clean.records);
  // valueRange falls back to `records.key` itself when the key is a single name, not a list.
  arr(rec.key).forEach((k, i) => checkName(['records', 'key', i], k));
  checkName(['records', 'dedupe', 'near_duplicates', 'field'], obj(obj(rec.dedupe).near_duplicates).field);
  if (rec.derived instanceof Map) for (const [name, d] of rec.derived as CleanMap) checkName(['records', 'derived', name, 'from'], obj(d).from);
}

function checkLicence(c: Checker, clean: CleanObject): void {
  const lic = obj(clean.licence);
  const expression = lic.spdx;
  if (typeof expression !== 'string') {
    if (arr(clean.sources).length > 0) {
      const anchor = c.keyRange(['licence']) ?? c.keyRange(['sources']);
      c.report(anchor, 'warning', 'licence-missing', 'Say under which licence the source data is (`licence.spdx`, e.g. `CC-BY-4.0`, or `LicenseRef-…` for custom terms) so its use can be checked.');
    }
    return;
  }
  const findings = analyzeLicenceSafely(c.ctx.analyzeLicence, {
    expression,
    intendedUse: arr(lic.intended_use).filter((u): u is IntendedUse => typeof u === 'string'),
    ...(typeof lic.attribution === 'string' ? { attribution: lic.attribution } : {}),
  });
  const path = ['licence', 'spdx'];
  for (const f of findings) {
    if (!f || typeof f.message !== 'string') continue;
    const range = typeof f.start === 'number' ? c.subRange(path, f.start, typeof f.end === 'number' ? f.end : f.start + 1) : c.valueRange(path);
    let fixes: QuickFix[] | undefined;
    if (f.replacement && typeof f.replacement.text === 'string') {
      const newValue = expression.slice(0, f.replacement.start) + f.replacement.text + expression.slice(f.replacement.end);
      // When the scalar does not map one-to-one onto its text, rewrite the whole value instead.
      const r = scalarMapsExactly(c, path, expression) ? c.subRange(path, f.replacement.start, f.replacement.end) : undefined;
      const edit = r ? { range: r, newText: f.replacement.text } : { range: c.valueRange(path), newText: JSON.stringify(newValue) };
      if (edit.range) fixes = [{ title: `Change to \`${newValue.length > 60 ? f.replacement.text : newValue}\``, edits: [{ range: edit.range, newText: edit.newText }], preferred: true }];
    }
    const severity: Severity = ['error', 'warning', 'information', 'hint'].includes(f.severity) ? f.severity : 'warning';
    c.report(range, severity, typeof f.code === 'string' && f.code ? f.code : 'licence', f.message, fixes);
  }
}

function scalarMapsExactly(c: Checker, path: SpecPath, value: string): boolean {
  const whole = c.subRange(path, 0, value.length);
  const full = c.valueRange(path);
  const node = c.node(path);
  if (!whole || !full || !isScalar(node)) return false;
  // A plain scalar maps exactly when its range is its value; a quoted one is two characters wider.
  const width = (r: Range): number => (r.start.line === r.end.line ? r.end.character - r.start.character : -1);
  return node.type === 'PLAIN' ? width(whole) === value.length : width(whole) === value.length && width(full) === value.length + 2;
}
