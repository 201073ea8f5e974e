/**
 * The engine's public surface: what the CLI and the language server use. Each module keeps its
 * own `index.ts`; this file re-exports the parts callers outside the engine need, so they never
 * reach into a module's files. Names that two modules share are renamed here (the robots
 * cache's entry type becomes `RobotsCacheEntry`, the manifest's stays `RobotsEntry`; the licence
 * module's finding becomes `LicenceAnalysisFinding`, the spec's stays `LicenceFinding`).
 */
export * from './ports';
export * from './system-ports';
export * from './spec/index';
export * from './crawl/index';
export * from './output/index';
export * from './extract/index';
export * from './records/index';
export * from './urls/index';
export { analyzeLicence, spdxLicenceList, describeLicence } from './licence/index';
export type { LicenceInput, SpdxLicenceEntry, LicenceDescription, LicenceFinding as LicenceAnalysisFinding } from './licence/index';
export { inferSpec, DEFAULT_USER_AGENT, DEFAULT_PAGE_BUDGET } from './infer/index';
export type { InferInput, InferredField, InferredSpec } from './infer/index';
export * from './politeness/index';
export {
  RobotsCache,
  evaluateRobots,
  normalisePath,
  patternMatches,
  parseRobots,
  productToken,
  parseContentSignal,
  robotsFetchPolicy,
  parseTdmRep,
  matchTdmRep,
  tdmReservation,
  aiUseOptOut,
  DEFAULT_MAX_ROBOTS_BYTES,
  MAX_ROBOTS_TTL_MS,
  MAX_ROBOTS_REDIRECTS,
  TDMREP_WELL_KNOWN_PATH,
} from './robots/index';
export type {
  RobotsTxt,
  RobotsGroup,
  RobotsRule,
  RobotsVerdict,
  RobotsFetchOutcome,
  RobotsFetchPolicy,
  RobotsCacheOptions,
  RobotsDecision,
  RobotsEntry as RobotsCacheEntry,
  TdmRepRule,
  TdmReservation,
  AiUseOptOut,
} from './robots/index';
export { createHttpClient, HttpTooLargeFailure } from './http/undici-client';
export type { HttpClientOptions } from './http/undici-client';
export { decodeBody, charsetParameter, whatwgName } from './http/charset';
export type { BodyKind, DecodedBody } from './http/charset';
