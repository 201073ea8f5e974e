/** Small builders for spec-model objects, so tests state only what matters to them. */
import type { ApiSource, FollowRule, HtmlFieldSpec, JsonFieldSpec, ScrapeSource } from '../../../language-server/src/engine/spec/model';

export const htmlField = (spec: Partial<HtmlFieldSpec> & Pick<HtmlFieldSpec, 'name'>): HtmlFieldSpec => ({
  fallback: [],
  extract: 'text',
  type: 'string',
  all: false,
  path: [],
  ...spec,
});

export const followRule = (spec: Partial<FollowRule> & Pick<FollowRule, 'selector'>): FollowRule => ({
  source: 'books',
  allow: [],
  deny: [],
  path: [],
  ...spec,
});

export const scrapeSource = (spec: Partial<ScrapeSource>): ScrapeSource => ({
  kind: 'scrape',
  id: 'books',
  startUrls: ['http://127.0.0.1:8917/catalogue/page-1.html'],
  follow: [],
  useCanonical: true,
  path: [],
  ...spec,
});

export const jsonField = (spec: Partial<JsonFieldSpec> & Pick<JsonFieldSpec, 'name' | 'path'>): JsonFieldSpec => ({
  type: 'string',
  all: false,
  specPath: [],
  ...spec,
});

export const apiSource = (records: ApiSource['records']): ApiSource => ({
  kind: 'api',
  id: 'api',
  request: { method: 'GET', url: 'http://127.0.0.1:8917/api/v1/books', params: {}, headers: {} },
  auth: { type: 'none' },
  pagination: { type: 'none' },
  records,
  path: [],
});
