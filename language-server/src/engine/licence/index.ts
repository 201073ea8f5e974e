/**
 * SPDX licence expressions: checked against the SPDX lists, with fixes for loosely written ids,
 * and against the spec's intended use (Creative Commons NC / ND / SA / BY semantics and known
 * research-only licences). Pure functions; never throws on user input.
 *
 * Decisions, so that nobody "fixes" them by accident:
 * - NonCommercial vs `commercial-training` is an error. NC vs `internal-analytics` is a warning:
 *   analytics inside a company is commercial use under most readings of NC, but not for a
 *   non-profit or a university, which the spec cannot tell us.
 * - NoDerivatives vs `derived-dataset` is an error. ND vs training is a warning: whether a
 *   trained model is an adaptation is legally unsettled. ND vs `redistribution` is a warning:
 *   ND allows sharing unmodified copies only, and extracted, cleaned records are likely modified.
 * - ShareAlike (CC *-SA, ODbL, CDLA-Sharing, GPL family, GFDL) vs `redistribution` or
 *   `derived-dataset` is information: the output must carry the same licence.
 * - Attribution (CC BY family, ODC-By, ODbL) without `attribution` text is a warning.
 * - For `A OR B` the user may pick either, so a conflict is reported only when every
 *   alternative has one (and then the findings of the least troubled alternatives are shown);
 *   for `A AND B` any operand's conflict applies.
 */
import parseSpdx from 'spdx-expression-parse';
import {
  allLicenceIds,
  exceptionStatus,
  isCurrentLicence,
  isDeprecatedLicence,
  licenceName,
  licenceOsiApproved,
  successorOf,
  suggestException,
  suggestLicence,
} from './catalogue';
import { leaves, parseTokens, tokenize, type ExpressionNode, type LeafNode, type Term } from './expression';

/** One finding; offsets are into the expression string. */
export interface LicenceFinding {
  code: string;
  severity: 'error' | 'warning' | 'information';
  message: string;
  start?: number;
  end?: number;
  /** The text to put in place of `expression.slice(start, end)` to fix the finding. */
  replacement?: { start: number; end: number; text: string };
}

/** What to analyse: the SPDX expression, the intended uses, and the attribution text if any. */
export interface LicenceInput {
  expression: string;
  intendedUse: readonly string[];
  attribution?: string;
}

/** The licence a term stands for, once recognised. */
interface Resolved {
  /** Canonical id (or LicenseRef) used for the use checks; absent when unrecognised. */
  id?: string;
  /** Written with `+` ("or later"). */
  plus: boolean;
}

const REF = /^(DocumentRef-[A-Za-z0-9.-]+:)?LicenseRef-[A-Za-z0-9.-]+$/;
const SEVERITY_RANK = { information: 1, warning: 2, error: 3 } as const;

/**
 * Checks an SPDX licence expression against the SPDX lists and the intended use.
 * Codes: `licence-syntax`, `licence-unknown-id`, `licence-deprecated`, `licence-non-commercial`,
 * `licence-no-derivatives`, `licence-attribution-missing`, `licence-share-alike`,
 * `licence-research-only`. Never throws.
 */
export function analyzeLicence(input: LicenceInput): LicenceFinding[] {
  const expression = typeof input?.expression === 'string' ? input.expression : '';
  const uses = new Set(Array.isArray(input?.intendedUse) ? input.intendedUse : []);
  const attribution = typeof input?.attribution === 'string' ? input.attribution.trim() : '';
  const findings: LicenceFinding[] = [];

  const tokens = tokenize(expression);
  const parsed = parseTokens(tokens, expression.length);
  const resolved = new Map<Term, Resolved>();
  const corrections: { start: number; end: number; text: string }[] = [];

  const licenceTerms: Term[] = parsed.node
    ? leaves(parsed.node).map((leaf) => leaf.licence)
    : tokens.filter((t): t is Extract<typeof t, { kind: 'term' }> => t.kind === 'term');
  for (const term of licenceTerms) resolved.set(term, resolveLicence(term, findings, corrections));
  if (parsed.node) {
    for (const leaf of leaves(parsed.node)) if (leaf.exception) resolveException(leaf.exception, findings, corrections);
  }

  if (parsed.problem) {
    findings.unshift({ code: 'licence-syntax', severity: 'error', message: `Invalid SPDX expression: ${parsed.problem.message}`, start: parsed.problem.start, end: parsed.problem.end });
    return dedupe(findings);
  }
  const syntaxReported = findings.some((f) => f.code === 'licence-syntax');
  if (!syntaxReported) {
    // spdx-expression-parse is the authority on what tools will accept; ask it about the
    // expression as it reads once the fixes above are applied.
    const corrected = applyCorrections(expression, corrections);
    try {
      parseSpdx(corrected);
    } catch (error) {
      const detail = error instanceof Error && error.message ? error.message : 'syntax error';
      const offset = /offset (\d+)/.exec(detail);
      const at = corrections.length === 0 && offset ? Number(offset[1]) : undefined;
      findings.unshift({
        code: 'licence-syntax',
        severity: 'error',
        message: `Invalid SPDX expression (${detail}).`,
        ...(at !== undefined ? { start: at, end: Math.min(expression.length, at + 1) } : { start: 0, end: expression.length }),
      });
    }
  }

  findings.push(...useConflicts(parsed.node!, resolved, uses, attribution));
  return dedupe(findings);
}

function applyCorrections(expression: string, corrections: { start: number; end: number; text: string }[]): string {
  let out = expression;
  for (const c of [...corrections].sort((a, b) => b.start - a.start)) out = out.slice(0, c.start) + c.text + out.slice(c.end);
  return out;
}

function dedupe(findings: LicenceFinding[]): LicenceFinding[] {
  const seen = new Set<string>();
  return findings.filter((f) => {
    const key = `${f.code}@${f.start ?? ''}-${f.end ?? ''}:${f.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

function resolveLicence(term: Term, findings: LicenceFinding[], corrections: { start: number; end: number; text: string }[]): Resolved {
  const text = term.text;
  const span = { start: term.start, end: term.end };
  if (/\s\+$/.test(text)) {
    const fixed = text.replace(/\s+\+$/, '+');
    findings.push({ code: 'licence-syntax', severity: 'error', message: 'There must be no space before `+`.', ...span, replacement: { ...span, text: fixed } });
    corrections.push({ ...span, text: fixed });
    return resolveLicence({ text: fixed, start: term.start, end: term.end - (text.length - fixed.length) }, [], []);
  }
  const plus = text.endsWith('+');
  const base = plus ? text.slice(0, -1) : text;

  if (REF.test(base)) return { id: base, plus };
  if (/^(DocumentRef-[^:]*:)?LicenseRef-/i.test(base)) {
    const fixed = base.replace(/^(documentref-)/i, 'DocumentRef-').replace(/licenseref-/i, 'LicenseRef-').replace(/[^A-Za-z0-9.:+-]+/g, '-').replace(/-+$/, '');
    const valid = REF.test(fixed);
    findings.push({
      code: 'licence-syntax',
      severity: 'error',
      message: 'A `LicenseRef-` id may hold only letters, digits, `.` and `-`.',
      ...span,
      ...(valid ? { replacement: { ...span, text: fixed + (plus ? '+' : '') } } : {}),
    });
    if (valid) corrections.push({ ...span, text: fixed + (plus ? '+' : '') });
    return { id: valid ? fixed : base, plus };
  }
  if (isCurrentLicence(base)) return { id: base, plus };
  if (isDeprecatedLicence(base)) {
    const successor = successorOf(base, plus);
    findings.push({
      code: 'licence-deprecated',
      severity: 'warning',
      message: successor ? `\`${text}\` is a deprecated SPDX id; use \`${successor}\`.` : `\`${text}\` is a deprecated SPDX id.`,
      ...span,
      ...(successor ? { replacement: { ...span, text: successor } } : {}),
    });
    return { id: successor && !successor.includes(' ') ? successor : base, plus: plus && !successor };
  }
  if (exceptionStatus(base)) {
    findings.push({ code: 'licence-unknown-id', severity: 'error', message: `\`${base}\` is a licence exception, not a licence: write it after a licence and \`WITH\`.`, ...span });
    corrections.push({ ...span, text: 'LicenseRef-unknown' });
    return { plus };
  }
  const words = base.split(/\s+/);
  if (words.length > 1 && words.every((w) => isCurrentLicence(w) || isDeprecatedLicence(w) || REF.test(w))) {
    findings.push({ code: 'licence-syntax', severity: 'error', message: `Put \`AND\` or \`OR\` between the licence ids in \`${base}\`.`, ...span });
    return { plus };
  }

  const suggestion = suggestLicence(base);
  if (!suggestion) {
    findings.push({
      code: 'licence-unknown-id',
      severity: 'error',
      message: `\`${text}\` is not an SPDX licence id. Use an id from https://spdx.org/licenses/, or \`LicenseRef-…\` for custom terms.`,
      ...span,
    });
    corrections.push({ ...span, text: 'LicenseRef-unknown' });
    return { plus };
  }
  let id = suggestion.id;
  let keepPlus = plus;
  if (isDeprecatedLicence(id)) {
    const successor = successorOf(id, plus);
    if (successor && !successor.includes(' ')) {
      keepPlus = plus && !successor.endsWith('-or-later') && successor === id;
      id = successor;
    }
  }
  const written = id + (keepPlus ? '+' : '');
  findings.push({
    code: 'licence-unknown-id',
    severity: suggestion.how === 'case' ? 'warning' : 'error',
    message:
      suggestion.how === 'case'
        ? `Write the SPDX id as \`${written}\`: most tools compare ids case-sensitively.`
        : `\`${text}\` is not an SPDX licence id; did you mean \`${written}\`?`,
    ...span,
    replacement: { ...span, text: written },
  });
  corrections.push({ ...span, text: written });
  return { id, plus: keepPlus };
}

function resolveException(term: Term, findings: LicenceFinding[], corrections: { start: number; end: number; text: string }[]): void {
  const span = { start: term.start, end: term.end };
  const status = exceptionStatus(term.text);
  if (status === 'current') return;
  if (status === 'deprecated') {
    const successor = successorOf(term.text, false);
    findings.push({
      code: 'licence-deprecated',
      severity: 'warning',
      message: successor ? `\`${term.text}\` is a deprecated SPDX exception; use \`${successor}\`.` : `\`${term.text}\` is a deprecated SPDX exception.`,
      ...span,
      ...(successor ? { replacement: { ...span, text: successor } } : {}),
    });
    // spdx-expression-parse knows only current exceptions; check the rest of the syntax as if fixed.
    corrections.push({ ...span, text: successor ?? 'Classpath-exception-2.0' });
    return;
  }
  const suggestion = suggestException(term.text);
  if (suggestion) {
    findings.push({
      code: 'licence-unknown-id',
      severity: suggestion.how === 'case' ? 'warning' : 'error',
      message: `\`${term.text}\` is not an SPDX exception id; did you mean \`${suggestion.id}\`?`,
      ...span,
      replacement: { ...span, text: suggestion.id },
    });
    corrections.push({ ...span, text: suggestion.id });
    return;
  }
  findings.push({
    code: 'licence-unknown-id',
    severity: 'error',
    message: `\`${term.text}\` is not an SPDX exception id (see https://spdx.org/licenses/exceptions-index.html).`,
    ...span,
  });
  // Keep the library's syntax check meaningful: stand in a real exception for the unknown one.
  corrections.push({ ...span, text: 'Classpath-exception-2.0' });
}

/** What a licence id implies for use. */
interface Terms {
  nonCommercial: boolean;
  noDerivatives: boolean;
  shareAlike: boolean;
  attribution: boolean;
  researchOnly: boolean;
}

const RESEARCH_ONLY = new Set(['NCGL-UK-2.0', 'PolyForm-Noncommercial-1.0.0']);
const SHARE_ALIKE = /^(ODbL-|CDLA-Sharing-|GFDL-|GPL-|AGPL-)/;
const ATTRIBUTION = /^(CC-BY-|ODC-By-|ODbL-)/;

function termsOf(id: string): Terms {
  const cc = id.startsWith('CC-');
  const isRef = id.includes('LicenseRef-');
  return {
    nonCommercial: cc && /-NC(-|$)/.test(id),
    noDerivatives: cc && /-ND(-|$)/.test(id),
    shareAlike: (cc && /-SA(-|$)/.test(id)) || SHARE_ALIKE.test(id),
    attribution: ATTRIBUTION.test(id),
    researchOnly: RESEARCH_ONLY.has(id) || (isRef && /research|academic|non-?commercial|evaluation/i.test(id)),
  };
}

function leafConflicts(leaf: LeafNode, resolved: Map<Term, Resolved>, uses: Set<string>, attribution: string): LicenceFinding[] {
  const id = resolved.get(leaf.licence)?.id;
  if (!id) return [];
  const t = termsOf(id);
  const span = { start: leaf.licence.start, end: leaf.licence.end };
  const out: LicenceFinding[] = [];
  const add = (code: string, severity: LicenceFinding['severity'], message: string): void => {
    out.push({ code, severity, message, ...span });
  };
  const training = ['commercial-training', 'non-commercial-training'].filter((u) => uses.has(u));
  if (t.nonCommercial && uses.has('commercial-training')) {
    add('licence-non-commercial', 'error', `\`${id}\` is NonCommercial: it forbids commercial use, so the data cannot be used for commercial-training.`);
  }
  if (t.nonCommercial && uses.has('internal-analytics')) {
    add(
      'licence-non-commercial',
      'warning',
      `\`${id}\` is NonCommercial: internal analytics in a company counts as commercial use under most readings (it is fine for non-profit or academic work).`,
    );
  }
  if (t.noDerivatives && uses.has('derived-dataset')) {
    add('licence-no-derivatives', 'error', `\`${id}\` is NoDerivatives: it forbids sharing adapted material, so a derived dataset may not be published.`);
  }
  if (t.noDerivatives && training.length > 0) {
    add('licence-no-derivatives', 'warning', `\`${id}\` is NoDerivatives: whether a model trained on it is an adaptation is unsettled; check before ${training.join(' / ')}.`);
  }
  if (t.noDerivatives && uses.has('redistribution')) {
    add('licence-no-derivatives', 'warning', `\`${id}\` is NoDerivatives: only unmodified copies may be redistributed, and extracted or cleaned records are likely modified.`);
  }
  if (t.shareAlike && (uses.has('redistribution') || uses.has('derived-dataset'))) {
    add('licence-share-alike', 'information', `\`${id}\` is ShareAlike: a redistributed or derived dataset must be released under the same licence.`);
  }
  if (t.attribution && attribution === '') {
    add('licence-attribution-missing', 'warning', `\`${id}\` requires attribution: say whom to credit in \`licence.attribution\`.`);
  }
  if (t.researchOnly && uses.has('commercial-training')) {
    add('licence-research-only', 'error', `\`${id}\` allows research or non-commercial use only, not commercial-training.`);
  }
  if (t.researchOnly && uses.has('internal-analytics')) {
    add('licence-research-only', 'warning', `\`${id}\` allows research or non-commercial use only: internal analytics in a company is likely outside it.`);
  }
  return out;
}

function worst(findings: LicenceFinding[]): number {
  return findings.reduce((max, f) => Math.max(max, SEVERITY_RANK[f.severity]), 0);
}

function useConflicts(node: ExpressionNode, resolved: Map<Term, Resolved>, uses: Set<string>, attribution: string): LicenceFinding[] {
  if (node.type === 'leaf') return leafConflicts(node, resolved, uses, attribution);
  const parts = node.children.map((child) => useConflicts(child, resolved, uses, attribution));
  if (node.type === 'and') return parts.flat();
  // OR: the user may choose any alternative, so only the least troubled ones speak.
  const best = Math.min(...parts.map(worst));
  if (best === 0) return [];
  return parts.filter((p) => worst(p) === best).flat();
}

/** One entry of the SPDX licence list, for completion. */
export interface SpdxLicenceEntry {
  id: string;
  name: string;
  deprecated: boolean;
  osi?: boolean;
}

let licenceList: SpdxLicenceEntry[] | undefined;

/** Every SPDX licence id with its name, deprecation and OSI approval (computed once). */
export function spdxLicenceList(): SpdxLicenceEntry[] {
  licenceList ??= allLicenceIds().map((id) => {
    const osi = licenceOsiApproved(id);
    return { id, name: licenceName(id) ?? id, deprecated: isDeprecatedLicence(id), ...(osi !== undefined ? { osi } : {}) };
  });
  return licenceList;
}

/** What hover shows for one licence id. */
export interface LicenceDescription {
  id: string;
  name: string;
  deprecated: boolean;
  osi?: boolean;
  /** The terms in words, e.g. "Creative Commons: Attribution, NonCommercial, ShareAlike." */
  summary?: string;
  /** For a deprecated id, what to use instead. */
  successor?: string;
}

const CC_TERMS: Record<string, string> = { BY: 'Attribution', NC: 'NonCommercial', ND: 'NoDerivatives', SA: 'ShareAlike' };

/** Describes an SPDX licence id (any case, `+` allowed) or a LicenseRef; undefined when unknown. */
export function describeLicence(id: string): LicenceDescription | undefined {
  const raw = typeof id === 'string' ? id.trim() : '';
  const plus = raw.endsWith('+');
  const base = plus ? raw.slice(0, -1) : raw;
  if (REF.test(base)) {
    return { id: base, name: 'Custom licence (LicenseRef)', deprecated: false, summary: 'Terms defined outside the SPDX list; read them before collecting.' };
  }
  const exact = isCurrentLicence(base) || isDeprecatedLicence(base) ? base : undefined;
  const canonical = exact ?? allLicenceIds().find((candidate) => candidate.toLowerCase() === base.toLowerCase());
  if (!canonical) return undefined;
  const deprecated = isDeprecatedLicence(canonical);
  const osi = licenceOsiApproved(canonical);
  const summaries: string[] = [];
  if (/^CC-/.test(canonical)) {
    const parts = canonical.split('-').map((p) => CC_TERMS[p]).filter((p): p is string => p !== undefined);
    if (parts.length > 0) summaries.push(`Creative Commons: ${parts.join(', ')}.`);
  }
  if (canonical === 'CC0-1.0' || canonical === 'PDDL-1.0' || canonical === 'CC-PDDC') summaries.push('Public-domain dedication: no conditions.');
  const t = termsOf(canonical);
  if (t.researchOnly) summaries.push('Non-commercial use only.');
  if (t.shareAlike && !/^CC-/.test(canonical)) summaries.push('Share-alike: derived works must carry the same licence.');
  if (osi) summaries.push('OSI approved.');
  if (plus) summaries.push('`+`: this version or any later one.');
  const successor = deprecated ? successorOf(canonical, plus) : undefined;
  if (successor) summaries.push(`Deprecated: use \`${successor}\`.`);
  return {
    id: canonical,
    name: licenceName(canonical) ?? canonical,
    deprecated,
    ...(osi !== undefined ? { osi } : {}),
    ...(summaries.length > 0 ? { summary: summaries.join(' ') } : {}),
    ...(successor ? { successor } : {}),
  };
}
