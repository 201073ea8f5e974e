/**
 * Optional extras a caller may put on an HttpRequest, beyond the port's fields. Clients that do
 * not know them ignore them, so they are safe with any HttpClient (fakes included).
 *
 * `onSent` exists for politeness: the throttle spaces the starts of requests to a host, but a
 * request handed to the client may reach the wire later (a new connection, a busy event loop).
 * Told when the request has been written to its connection, the throttle counts the next gap
 * from then, so the server never sees two requests closer together than the delay. (Proposed
 * for ports.ts.)
 */
import type { HttpRequest } from '../ports';

/** Hooks a caller may attach to a request. */
export interface HttpRequestHooks {
  /** Called once, just after the request has been written to its connection (the next tick). */
  onSent?: () => void;
}

/** An HttpRequest that may carry {@link HttpRequestHooks}. */
export type HookedHttpRequest = HttpRequest & HttpRequestHooks;
