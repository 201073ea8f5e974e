/**
 * The one place the spec checks reach the licence analyser (engine/licence), with the contract
 * the spec side relies on and a guard so that a failing analyser cannot break parsing.
 */
import { analyzeLicence } from '../licence';
import type { IntendedUse, Severity } from './model';

/** One finding of the licence analyser; offsets are relative to the expression string. */
export interface LicenceFinding {
  code: string;
  severity: Severity;
  message: string;
  start?: number;
  end?: number;
  replacement?: { start: number; end: number; text: string };
}

/** The analyser's input. */
export interface LicenceQuery {
  expression: string;
  intendedUse: IntendedUse[];
  attribution?: string;
}

type Analyze = (query: LicenceQuery) => LicenceFinding[];

/** Whether the analyser is available. It always is now that engine/licence has landed; kept for callers and tests written while it was not. */
export function licenceAnalyserAvailable(): boolean {
  return true;
}

/**
 * Runs the analyser (`override` when given, else engine/licence); a failing analyser costs one
 * finding, never the parse.
 */
export function analyzeLicenceSafely(override: Analyze | undefined, query: LicenceQuery): LicenceFinding[] {
  const analyze: Analyze = override ?? analyzeLicence;
  try {
    const out = analyze(query);
    return Array.isArray(out) ? out : [];
  } catch (e) {
    return [{ code: 'licence-check-failed', severity: 'warning', message: `The licence could not be checked: ${e instanceof Error ? e.message : String(e)}` }];
  }
}
