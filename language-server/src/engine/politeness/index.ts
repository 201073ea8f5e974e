/** Politeness: retry rules, the per-host throttle, the circuit breaker and the polite fetcher. */
export * from './retry';
export * from './host-throttle';
export * from './circuit-breaker';
export * from './polite-fetcher';
export * from './rate-limit';
