/**
 * What a feature that fetches for the editor (preview, infer-spec) is built from: the network
 * gate (trust and `gleaner.network.enabled`), the server's shared robots.txt checker, and the
 * system clock, sleep, randomness and HTTP client. One place, so both fetch under the same rules.
 */
import { createHttpClient, systemClock, systemRandom, systemSleep } from '../../engine/index';
import type { ServerDeps } from '../deps';

export function editorFetchPorts(deps: ServerDeps) {
  return {
    gate: deps.network,
    robots: deps.robots,
    http: () => createHttpClient(),
    clock: systemClock,
    sleep: systemSleep,
    random: systemRandom,
  };
}
