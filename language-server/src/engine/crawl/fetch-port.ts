/**
 * The crawl's view of fetching: one call per URL that applies robots.txt, the per-host throttle,
 * retries and redirects (the politeness module's PoliteFetcher), returning an outcome instead of
 * throwing. Kept as a narrow interface so the crawl loop can be driven by a fake in tests.
 */
import type { HttpMethod, HttpResponse } from '../ports';

/** Validators from a previous response, for a conditional request. */
export interface Conditional {
  etag?: string;
  lastModified?: string;
}

/** Options of one fetch. */
export interface PageFetchOptions {
  method: HttpMethod;
  headers: Record<string, string>;
  body?: string;
  conditional?: Conditional;
  signal?: AbortSignal;
}

/** What a fetch led to. */
export type PageFetchOutcome =
  | { ok: true; response: HttpResponse; finalUrl: string; redirects: readonly string[]; attempts: number; notModified: boolean }
  | { ok: false; skipped: true; reason: string; kind: string; url: string }
  | { ok: false; skipped: false; reason: string; kind: string; status?: number; url: string; attempts: number };

/** Fetches one URL politely. Never throws for a failed exchange. */
export interface PageFetcher {
  fetch(url: string, options: PageFetchOptions): Promise<PageFetchOutcome>;
}
