/** URLs: canonical forms and link scope. */
export { canonicalizeUrl, createUrlResolver, inScope, isTrackingParam } from './canonical';
export type { ScopeRule, UrlResolver } from './canonical';
