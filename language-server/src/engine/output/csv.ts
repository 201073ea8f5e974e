/**
 * CSV output per RFC 4180 (CRLF line ends, fields quoted when they hold a comma, quote or line
 * break, quotes doubled), written with `csv-stringify`. Cells that a spreadsheet would run as a
 * formula can be neutralised with a leading apostrophe (OWASP's advice for CSV injection).
 */
import { stringify } from 'csv-stringify/sync';

/** The characters that make a spreadsheet treat a cell as a formula. */
const FORMULA_START = /^[=+\-@\t\r]/;

/** `value` prefixed with `'` when it would start a formula; other values unchanged. */
export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/**
 * RFC 4180: CRLF between records; a field holding a line break must be quoted. csv-stringify
 * quotes only fields containing the record delimiter itself, so a bare LF or CR is matched here.
 */
const CSV_STRINGIFY_OPTIONS = { record_delimiter: '\r\n', quoted_match: /[\r\n]/ };

/** Options for CSV rows. */
export interface CsvOptions {
  /** Column names, in order. */
  columns: string[];
  /** Prefix formula-looking cells with `'`. */
  neutralizeFormulas: boolean;
}

/** Turns one value into the text of a cell: arrays and objects as JSON, null/undefined empty. */
export function csvCell(value: unknown, neutralize: boolean): string {
  let text: string;
  if (value === null || value === undefined) text = '';
  else if (typeof value === 'string') text = value;
  else if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') text = String(value);
  else text = JSON.stringify(value);
  return neutralize ? neutralizeFormula(text) : text;
}

/** The header line (with CRLF) for `columns`. */
export function csvHeader(options: CsvOptions): string {
  return stringify([options.columns], CSV_STRINGIFY_OPTIONS);
}

/** CSV text (CRLF-terminated lines) for `rows`, each an object keyed by column name. */
export function csvRows(rows: readonly Record<string, unknown>[], options: CsvOptions): string {
  if (rows.length === 0) return '';
  const data = rows.map((row) => options.columns.map((c) => csvCell(row[c], options.neutralizeFormulas)));
  return stringify(data, CSV_STRINGIFY_OPTIONS);
}
