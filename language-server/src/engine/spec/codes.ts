/**
 * Every diagnostic code the spec parser reports, with its usual severity and what it means.
 * docs/spec-format.md's table is generated from this list, and tests check that nothing else is
 * reported. Licence codes (`licence-*` other than the two here) come from engine/licence.
 */
import type { Severity } from './model';

/** One documented diagnostic code. */
export interface DiagnosticCodeInfo {
  severity: Severity | 'warning or error';
  summary: string;
}

/** The parser's own codes, in the order the documentation lists them. */
export const DIAGNOSTIC_CODES: Record<string, DiagnosticCodeInfo> = {
  'yaml-syntax': { severity: 'error', summary: 'The text is not valid YAML (a YAML warning is reported as a warning).' },
  'unknown-key': { severity: 'error', summary: 'A key the format does not have; offers the closest known key as a quick fix.' },
  'wrong-type': { severity: 'error', summary: 'A value of the wrong type, e.g. a list where a string is expected.' },
  'missing-required': { severity: 'error', summary: 'A required key is missing or empty; reported on the mapping\'s key.' },
  'duplicate-key': { severity: 'error', summary: 'A key set twice in one mapping; the first one counts.' },
  'invalid-enum': { severity: 'error', summary: 'A value outside the allowed set; offers the closest value as a quick fix.' },
  'invalid-duration': { severity: 'error', summary: 'Not a duration (`500ms`, `2s`, `5m`, `1h` or seconds).' },
  'invalid-size': { severity: 'error', summary: 'Not a size (`10MB`, `512KiB` or bytes).' },
  'out-of-range': { severity: 'error', summary: 'A number below the minimum or above the maximum of its key.' },
  'duplicate-source-id': { severity: 'error', summary: 'Two sources with the same `id`.' },
  'invalid-selector': { severity: 'error', summary: 'A CSS selector cheerio cannot parse or run; the range points at the offending character.' },
  'invalid-jsonpath': { severity: 'error', summary: 'Not an RFC 9535 JSONPath query; the range points at the offending character.' },
  'invalid-regex': { severity: 'error', summary: 'Not a valid JavaScript regular expression.' },
  'invalid-url': { severity: 'error', summary: 'Not an absolute URL.' },
  'unsupported-scheme': { severity: 'error', summary: 'A URL whose scheme is not http or https (`file:`, `data:`, `javascript:`…).' },
  'private-address': { severity: 'error', summary: 'A loopback, private or link-local host without `politeness.allow_private_network: true`.' },
  'invalid-reference': { severity: 'error', summary: 'A `${…}` that is not `${env:NAME}` or `${secret:NAME}`.' },
  'delay-too-short': { severity: 'warning', summary: 'A delay under 1 s, unless every start host is loopback; quick fix sets `1s`.' },
  'concurrency-high': { severity: 'warning or error', summary: 'More than 4 requests in flight per host (warning), more than 8 (error), unless every start host is loopback.' },
  'robots-ignore-unjustified': { severity: 'error', summary: '`robots: ignore` without `robots_justification`.' },
  'user-agent-no-contact': { severity: 'warning', summary: 'The user agent has no URL or email for site owners to reach you.' },
  'no-budget': { severity: 'warning', summary: 'A scrape source follows links but `politeness.budget` has neither `pages` nor `time`.' },
  'secret-in-clear': { severity: 'error', summary: 'A secret written in the spec (an auth slot, a secret header or parameter, or a known token format); quick fix replaces it with `${env:NAME}`.' },
  'unknown-source': { severity: 'error', summary: 'A follow rule names a source id that does not exist (or an API source); offers the closest id.' },
  'unreachable-source': { severity: 'warning', summary: 'A scrape source with no `start_urls` or `sitemap` that no follow rule leads to.' },
  'unknown-field': { severity: 'error', summary: '`records.key`, `dedupe.near_duplicates.field` or a derived field\'s `from` names no field.' },
  'licence-alias': { severity: 'hint', summary: '`license` is accepted and read as `licence`; quick fix renames it.' },
  'licence-missing': { severity: 'warning', summary: 'The spec has sources but no `licence.spdx`.' },
  'licence-check-failed': { severity: 'warning', summary: 'The licence analyser failed on this expression (a bug; please report it).' },
  'deprecated-key': { severity: 'warning', summary: 'A key that still works but is deprecated (none are yet).' },
  'alias-limit': { severity: 'error', summary: 'YAML aliases expand too much (an alias bomb); the rest are ignored.' },
  'nesting-too-deep': { severity: 'error', summary: 'Collections nested more than 64 levels deep; the deeper part is ignored.' },
  'document-too-large': { severity: 'error', summary: 'The spec is larger than 5 MB and is not read.' },
  'line-too-long': { severity: 'warning', summary: 'A line longer than 64 KiB (probably pasted data).' },
  'internal-error': { severity: 'error', summary: 'Gleaner failed while reading the spec (a bug; please report it). The rest of the result is still usable.' },
};

/** Codes from engine/licence, reported on the `licence.spdx` value. */
export const LICENCE_CODES: Record<string, DiagnosticCodeInfo> = {
  'licence-syntax': { severity: 'error', summary: 'The SPDX expression does not parse.' },
  'licence-unknown-id': { severity: 'error', summary: 'Not an SPDX licence id; offers the closest id as a quick fix.' },
  'licence-deprecated': { severity: 'warning', summary: 'A deprecated SPDX id; offers its successor.' },
  'licence-non-commercial': { severity: 'warning or error', summary: 'A NonCommercial licence with a commercial intended use.' },
  'licence-no-derivatives': { severity: 'warning or error', summary: 'A NoDerivatives licence with a derived or training use.' },
  'licence-attribution-missing': { severity: 'warning', summary: 'An attribution licence (CC BY, ODC-By, ODbL) without `attribution` text.' },
  'licence-share-alike': { severity: 'information', summary: 'A ShareAlike licence: redistributed or derived data must carry the same licence.' },
  'licence-research-only': { severity: 'warning or error', summary: 'A research-only licence with a non-research use.' },
};
