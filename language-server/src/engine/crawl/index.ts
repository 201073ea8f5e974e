/** Public API of the crawl: run (or resume) a collection, and the events it reports. */
export { runCollection, csvColumns, GENERATOR, RUN_SPEC_FILE, RUN_INFO_FILE } from './run-collection';
export type { RunInput, RunPorts, CrawlState } from './run-collection';
export type { RunEvent, RunSummary, StartEvent, PageEvent, RecordBatchEvent, SkipEvent, RetryEvent, WarningEvent, FieldStatsEvent, ProgressEvent, DoneEvent } from './events';
export { FieldStatsCollector, formatSpecPath, mergeFieldStatsState, MIN_PAGES, UNMATCHED_SHARE } from './field-stats';
export type { FieldStat, FieldStatsState, FieldStatWarning, PageObservation } from './field-stats';
export type { PageFetcher, PageFetchOptions, PageFetchOutcome, Conditional } from './fetch-port';
export { Frontier, itemKey } from './frontier';
export type { FrontierItem, FrontierState } from './frontier';
export { firstPage, nextPage, paginationParams, linkHeaderNext } from './pagination';
export type { PageState, PageResult, PageStep } from './pagination';
export { parseSitemap } from './sitemap';
export { Authenticator, AuthError } from './auth';
export { TemplateResolver, MissingSecretError } from './templating';
