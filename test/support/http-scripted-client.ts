/**
 * An in-memory HttpClient for politeness tests: each request is answered by a handler, and
 * recorded with the fake-clock time it was sent at.
 */
import { HttpFailure, type Clock, type HttpClient, type HttpRequest, type HttpResponse } from '../../language-server/src/engine/ports';

/** What a handler answers: a response (status, headers, body) or a failure to throw. */
export type ScriptedAnswer = { status: number; headers?: Record<string, string>; body?: string; latencyMs?: number } | HttpFailure;

/** A scripted client and the requests it saw. */
export interface ScriptedClient extends HttpClient {
  requests: { at: number; request: HttpRequest }[];
}

/** Answers every request with `handler(request, indexOfThisUrl)`. */
export function scriptedClient(clock: Clock, handler: (request: HttpRequest, nthForUrl: number) => ScriptedAnswer): ScriptedClient {
  const requests: { at: number; request: HttpRequest }[] = [];
  const perUrl = new Map<string, number>();
  return {
    requests,
    async request(request) {
      requests.push({ at: clock.now(), request });
      const nth = perUrl.get(request.url) ?? 0;
      perUrl.set(request.url, nth + 1);
      const answer = handler(request, nth);
      if (answer instanceof HttpFailure) throw answer;
      const body = new TextEncoder().encode(answer.body ?? '');
      const response: HttpResponse = {
        url: request.url,
        status: answer.status,
        headers: answer.headers ?? {},
        body,
        wireBytes: body.length,
        timings: { headersMs: answer.latencyMs ?? 0, totalMs: answer.latencyMs ?? 0 },
      };
      return response;
    },
    async close() {
      // Nothing to release.
    },
  };
}
