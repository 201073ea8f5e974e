/** Extraction: HTML pages and JSON responses into records and links. */
export { compileHtmlExtractor } from './html';
export type { ExtractedLink, HtmlExtraction, HtmlExtractor } from './html';
export { compileJsonExtractor, compileJsonPath, evaluateJsonPath } from './json';
export type { CompiledJsonPath, JsonExtraction, JsonExtractor } from './json';
export type { ExtractedRecord, FieldError } from '../records/types';
