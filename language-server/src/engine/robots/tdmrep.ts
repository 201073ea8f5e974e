/**
 * AI-use opt-out signals besides robots.txt rules: the W3C TDMRep protocol
 * (`/.well-known/tdmrep.json` and the `tdm-reservation` / `tdm-policy` response headers) and
 * how they combine with a robots.txt `Content-Signal`. Pure functions: fetching is the caller's.
 */
import { patternMatches } from './match';

/** Where TDMRep rules for a whole origin are published. */
export const TDMREP_WELL_KNOWN_PATH = '/.well-known/tdmrep.json';

/** One entry of `tdmrep.json`. */
export interface TdmRepRule {
  /** Path pattern in robots.txt syntax (`*`, final `$`). */
  location: string;
  /** 1: text-and-data-mining rights are reserved; 0: they are not. */
  reservation: 0 | 1;
  /** URL of a policy saying how to obtain a licence, when rights are reserved. */
  policy?: string;
}

/** A TDMRep answer for one resource. */
export interface TdmReservation {
  reserved: boolean;
  policy?: string;
  /** Where it came from: the header, or the matching `tdmrep.json` location. */
  source: 'header' | 'tdmrep.json';
  location?: string;
}

/**
 * Reads `tdmrep.json` (text or already-parsed JSON) into rules. Entries without a usable
 * `location` or `tdm-reservation` are skipped and reported in `errors`. Never throws.
 */
export function parseTdmRep(json: unknown): { rules: TdmRepRule[]; errors: string[] } {
  const errors: string[] = [];
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json) as unknown;
    } catch (error) {
      return { rules: [], errors: [`tdmrep.json is not valid JSON: ${(error as Error).message}`] };
    }
  }
  if (!Array.isArray(value)) return { rules: [], errors: ['tdmrep.json must be an array of rules'] };
  const rules: TdmRepRule[] = [];
  value.forEach((entry: unknown, index) => {
    if (typeof entry !== 'object' || entry === null) {
      errors.push(`rule ${index + 1} is not an object`);
      return;
    }
    const record = entry as Record<string, unknown>;
    const location = record['location'];
    const reservation = Number(record['tdm-reservation']);
    if (typeof location !== 'string' || location === '') {
      errors.push(`rule ${index + 1} has no location`);
      return;
    }
    if (reservation !== 0 && reservation !== 1) {
      errors.push(`rule ${index + 1} has no tdm-reservation of 0 or 1`);
      return;
    }
    const rule: TdmRepRule = { location, reservation };
    if (typeof record['tdm-policy'] === 'string') rule.policy = record['tdm-policy'];
    rules.push(rule);
  });
  return { rules, errors };
}

/**
 * The TDMRep rule that applies to `path`: the first rule, in file order, whose location matches
 * (TDMRep evaluates rules in order rather than by length). Undefined when none matches.
 */
export function matchTdmRep(json: unknown, path: string): TdmReservation | undefined {
  const rules = Array.isArray(json) && json.every((r) => typeof r === 'object' && r !== null && 'reservation' in r)
    ? (json as TdmRepRule[])
    : parseTdmRep(json).rules;
  for (const rule of rules) {
    const location = rule.location.startsWith('/') || rule.location.startsWith('*') ? rule.location : locationPath(rule.location);
    if (patternMatches(location, path)) {
      return { reserved: rule.reservation === 1, source: 'tdmrep.json', location: rule.location, ...(rule.policy ? { policy: rule.policy } : {}) };
    }
  }
  return undefined;
}

/** A location written as a full URL is reduced to its path, which is what is matched. */
function locationPath(location: string): string {
  try {
    const url = new URL(location);
    return url.pathname + url.search;
  } catch {
    return '/' + location;
  }
}

/**
 * Reads the `tdm-reservation` (and `tdm-policy`) response headers. Header names must be
 * lower-cased, as the HttpClient port delivers them. Undefined when there is no valid header.
 */
export function tdmReservation(headers: Record<string, string | undefined>): TdmReservation | undefined {
  const raw = headers['tdm-reservation']?.trim();
  if (raw !== '1' && raw !== '0') return undefined;
  const policy = headers['tdm-policy']?.trim();
  return { reserved: raw === '1', source: 'header', ...(policy ? { policy } : {}) };
}

/** Whether training use is reserved, and why, in sentences. */
export interface AiUseOptOut {
  reserved: boolean;
  reasons: string[];
}

/**
 * Combines a robots.txt `Content-Signal` (e.g. `ai-train=no`) and a TDMRep reservation into one
 * answer: is use for AI training reserved by the site? Either signal is enough to reserve it.
 */
export function aiUseOptOut(contentSignal: Record<string, string> | undefined, tdm: TdmReservation | undefined): AiUseOptOut {
  const reasons: string[] = [];
  if (contentSignal?.['ai-train'] === 'no') reasons.push('robots.txt Content-Signal says ai-train=no');
  if (tdm?.reserved) {
    const where = tdm.source === 'header' ? 'the tdm-reservation header' : `tdmrep.json (location ${tdm.location ?? '?'})`;
    reasons.push(`TDMRep: text and data mining rights are reserved by ${where}${tdm.policy ? `; licence policy: ${tdm.policy}` : ''}`);
  }
  return { reserved: reasons.length > 0, reasons };
}
