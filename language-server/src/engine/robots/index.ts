/**
 * robots.txt (RFC 9309) and AI-use opt-out signals: parsing, matching, the fetch-status table,
 * a per-origin cache, and TDMRep. The public face of the robots module.
 */
export { parseRobots, productToken, parseContentSignal, DEFAULT_MAX_ROBOTS_BYTES } from './parse';
export type { RobotsTxt, RobotsGroup, RobotsRule } from './parse';
export { evaluateRobots, normalisePath, patternMatches } from './match';
export type { RobotsVerdict } from './match';
export { robotsFetchPolicy } from './fetch-policy';
export type { RobotsFetchOutcome, RobotsFetchPolicy } from './fetch-policy';
export { RobotsCache, MAX_ROBOTS_TTL_MS, MAX_ROBOTS_REDIRECTS } from './cache';
export type { RobotsCacheOptions, RobotsDecision, RobotsEntry } from './cache';
export { parseTdmRep, matchTdmRep, tdmReservation, aiUseOptOut, TDMREP_WELL_KNOWN_PATH } from './tdmrep';
export type { TdmRepRule, TdmReservation, AiUseOptOut } from './tdmrep';
export { TdmRepCache } from './tdmrep-cache';
export type { TdmRepCacheOptions, TdmRepDecision, TdmRepEntry } from './tdmrep-cache';
