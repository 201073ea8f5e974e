/** Types shared by extraction, coercion, validation and the failed-records file. */

/** Why one field of one record is unusable. Kept with the record in the failed-records file. */
export interface FieldError {
  field: string;
  reason: string;
  /** The text as found on the page or in the response, when there was one. */
  raw?: string;
}

/** One record as extracted, before validation: the coerced values and the coercion failures. */
export interface ExtractedRecord {
  values: Record<string, unknown>;
  errors: FieldError[];
}
