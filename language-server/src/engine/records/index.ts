/** Records: coercion, validation, derived fields and de-duplication. */
export { coerce, parseHumanNumber } from './coerce';
export type { CoerceOptions, CoerceResult } from './coerce';
export { applyDerived, validateRecord } from './validate';
export type { ValidationResult } from './validate';
export { Deduper, estimateJaccard, minHashSignature, shingles, stableStringify } from './dedupe';
export type { DedupeVerdict, DeduperOptions, DeduperState } from './dedupe';
export type { ExtractedRecord, FieldError } from './types';
