/** Public API of run output: crash-safe files, CSV, provenance, manifest, datasheet, Croissant, redaction, HTTP cache. */
export { AppendOnlyFile } from './append-file';
export { writeFileAtomic, syncDirectory, readJsonFile } from './atomic-write';
export { neutralizeFormula, csvCell, csvHeader, csvRows } from './csv';
export type { CsvOptions } from './csv';
export { sha256Hex, CSV_PROVENANCE_COLUMNS } from './provenance';
export type { RecordSource } from './provenance';
export { RunOutput, RUN_FILES } from './run-output';
export type { RunStatus, FailedRecord, Checkpoint, RunOutputOptions } from './run-output';
export { emptyCounts, hashFile, describeFiles, writeManifest } from './manifest';
export type { RunManifest, RunCounts, SkipEntry, RobotsEntry, OutputFileEntry } from './manifest';
export { buildCroissant, spdxLicenceUrls, datasetFields, CROISSANT_CONTEXT, CROISSANT_CONFORMS_TO } from './croissant';
export type { CroissantOptions } from './croissant';
export { renderDatasheet } from './datasheet';
export { Redactor, REDACTED } from './redact';
export { HttpCache, HTTP_CACHE_DIR } from './http-cache';
export type { CacheEntry, CachedResponse } from './http-cache';
export { lockRunDir, RunLockedError, RUN_LOCK_FILE } from './run-lock';
