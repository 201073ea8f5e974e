/**
 * Public API of the spec language: parse a `*.collect.yaml` text, and describe or complete the
 * keys of the format for hover and completion.
 */
export { parseSpec, defaultSpec, MAX_DOCUMENT_CHARS, MAX_LINE_CHARS, type ParseOptions } from './parse';
export { licenceAnalyserAvailable, type LicenceFinding, type LicenceQuery } from './licence-adapter';
export type * from './model';
export { INTENDED_USES } from './model';
export {
  SPEC_DESCRIPTOR,
  describePath,
  completionsAt,
  descriptorAt,
  typeLabel,
  type Descriptor,
  type PathDescription,
  type CompletionCandidate,
  type DescribeOptions,
} from './descriptors';
export { generateJsonSchema, jsonSchemaText } from './schema';
export { parseDuration, parseSize, envName } from './values';
export { checkCssSelector, checkJsonPath, checkRegex, type SyntaxProblem } from './syntax-checks';
export { checkUrl, classifyHost, type HostClass, type UrlVerdict } from './urls';
export { DIAGNOSTIC_CODES, LICENCE_CODES, type DiagnosticCodeInfo } from './codes';
export { renderKeyReference, renderCodeTable, updateGeneratedSections } from './reference';
