/**
 * `gleaner/inferSpec`: "New Collection Spec" from a URL. The server fetches the URL once through
 * the engine's PoliteFetcher (robots.txt through the server's shared robots checker, the host
 * throttle and circuit breaker, a 10 MiB cap, timeouts, redirects followed hop by hop), decodes
 * the body and hands it to the engine's `inferSpec`, which proposes the spec.
 *
 * Decisions worth knowing before changing this file:
 * - Nothing goes out while the network gate is closed (untrusted workspace, or
 *   `gleaner.network.enabled` off): the gate is asked before the fetch and again by the HTTP
 *   client wrapper before every single request, robots.txt included.
 * - Loopback and private hosts are fetched when the user typed one (the demo site is on
 *   127.0.0.1): typing the URL is the consent. The proposal then sets `allow_private_network:
 *   true` and a note says so, because a run needs it. A *public* URL that redirects to a private
 *   address is refused, so a site cannot point the server at the user's own network.
 * - A 401 or 403 still yields a proposal (with the engine's "add `auth`" note): an API that
 *   wants a key is the common case and the spec is still the right starting point. Other error
 *   statuses are refused, since a proposal made from an error page would only mislead.
 * - One HTTP client, throttle and breaker live as long as the server, so inferring twice from
 *   one host is spaced like two requests of a run.
 */
import type { Connection } from 'vscode-languageserver';
import {
  CircuitBreaker,
  classifyHost,
  decodeBody,
  DEFAULT_USER_AGENT,
  HostThrottle,
  inferSpec,
  PoliteFetcher,
  type Clock,
  type HttpClient,
  type HttpResponse,
  type PolitenessSpec,
  type RobotsDecision,
  type Sleep,
} from '../../engine/index';
import { inferSpec as inferSpecRequest, type InferSpecParams, type InferSpecResult } from '../../protocol/infer';
import { combine, type Disposable, type ServerDeps } from '../deps';
import { editorFetchPorts } from './fetch-ports';
import { gatedHttpClient, type NetworkGate } from '../network-gate';
import type { RobotsChecker } from '../robots-checker';
import { engineLogger, runSafe, type ServerLog } from '../runner';

/** The user agent when the client sends none (the engine's placeholder, marked TODO in the spec). */
export const INFER_DEFAULT_USER_AGENT = DEFAULT_USER_AGENT;

/** The most body bytes read: a page beyond this is an outlier and the inference reads a prefix anyway. */
export const INFER_MAX_BYTES = 10 * 1024 * 1024;

/**
 * How long a request waits for a closed gate to open. Right after `initialized` the server holds
 * the network closed until it has read the client's settings (see NetworkGate.expectSettings),
 * and the extension sends this request straight after starting the server; without the wait the
 * first inference of a session would be refused for no reason. An untrusted workspace is
 * refused after this wait, with no request made.
 */
export const GATE_WAIT_MS = 2_000;

/** The politeness of the one fetch: a run's defaults, with fewer retries so the user is not kept waiting. */
const POLITENESS: PolitenessSpec = {
  robots: 'obey',
  delayMs: 1_000,
  jitter: 0,
  concurrencyPerHost: 1,
  concurrencyTotal: 4,
  autoThrottle: false,
  budget: {},
  timeouts: { connectMs: 10_000, headersMs: 15_000, requestMs: 30_000 },
  maxResponseBytes: INFER_MAX_BYTES,
  maxRedirects: 5,
  retries: { max: 1, backoffMs: 1_000, maxBackoffMs: 5_000, retryAfterCapMs: 10_000 },
  // Decided per call by the scope gate below (see the module comment).
  allowPrivateNetwork: true,
};

/** The message when the network gate is closed. */
export const INFER_NETWORK_DISABLED = 'Gleaner does not fetch anything in an untrusted workspace or while gleaner.network.enabled is off, so no spec was inferred. Trust the workspace (or turn the setting on), or start from the blank template.';

/** What {@link SpecInferrer} needs from the server. */
export interface SpecInferrerOptions {
  gate: NetworkGate;
  robots: RobotsChecker;
  /** Created lazily, on the first allowed request. */
  http: () => HttpClient;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  log: ServerLog;
  gateWaitMs?: number;
}

/** The URL to fetch, or why it cannot be: http(s) only, absolute, no credentials in it. */
export function validateInferUrl(raw: unknown): { ok: true; url: URL } | { ok: false; reason: string } {
  if (typeof raw !== 'string' || raw.trim() === '') return { ok: false, reason: 'No URL was given.' };
  const text = raw.trim();
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return { ok: false, reason: `\`${text.slice(0, 200)}\` is not an absolute URL; start it with http:// or https://.` };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, reason: `Only http and https URLs can be fetched, not ${url.protocol.slice(0, 20)}.` };
  // Credentials in the URL would be written into the spec in plain text.
  if (url.username !== '' || url.password !== '') return { ok: false, reason: 'The URL contains a user name or password; remove it and add `auth` to the spec with ${env:…} references instead.' };
  url.hash = '';
  return { ok: true, url };
}

/** Resolves true as soon as the gate is open, or with its state after `ms`. */
function gateOpens(gate: NetworkGate, ms: number): Promise<boolean> {
  if (gate.allowed()) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      off();
      resolve(gate.allowed());
    }, ms);
    const off = gate.onDidChange((allowed) => {
      if (!allowed) return;
      clearTimeout(timer);
      off();
      resolve(true);
    });
  });
}

/** Fetches one URL politely and proposes a spec for it; see the module comment. */
export class SpecInferrer {
  private http: HttpClient | undefined;
  private throttle: HostThrottle | undefined;
  private breaker: CircuitBreaker | undefined;

  constructor(private readonly options: SpecInferrerOptions) {}

  /** Answers one `gleaner/inferSpec`. Never rejects except with an `aborted` HttpFailure. */
  async infer(params: InferSpecParams, signal?: AbortSignal): Promise<InferSpecResult> {
    const checked = validateInferUrl(params?.url);
    if (!checked.ok) return { ok: false, reason: checked.reason };
    const url = checked.url.href;
    const userAgent = typeof params.userAgent === 'string' && params.userAgent.trim() !== '' ? params.userAgent.trim() : INFER_DEFAULT_USER_AGENT;
    const { gate, robots, clock, sleep, random } = this.options;
    if (!(await gateOpens(gate, this.options.gateWaitMs ?? GATE_WAIT_MS))) return { ok: false, reason: INFER_NETWORK_DISABLED };

    const startHost = checked.url.hostname;
    const startClass = classifyHost(startHost);
    const inner = (this.http ??= gatedHttpClient(gate, this.options.http, INFER_NETWORK_DISABLED));
    // Per call: remembers the last response so a 401/403 (which PoliteFetcher reports as a
    // failure without its body) can still be inferred from.
    let lastResponse: HttpResponse | undefined;
    const client: HttpClient = {
      request: async (request) => {
        const response = await inner.request(request);
        lastResponse = response;
        return response;
      },
      close: () => inner.close(),
    };
    let denied: RobotsDecision | undefined;
    const fetcher = new PoliteFetcher({
      http: client,
      throttle: (this.throttle ??= new HostThrottle({ clock, sleep, random, politeness: POLITENESS })),
      breaker: (this.breaker ??= new CircuitBreaker({ clock })),
      clock,
      sleep,
      random,
      politeness: POLITENESS,
      userAgent,
      logger: engineLogger(this.options.log),
      robotsGate: async (hop) => {
        const decision = await robots.check(hop, userAgent);
        if (!decision) return { allowed: false, reason: INFER_NETWORK_DISABLED };
        if (!decision.allowed) denied = decision;
        return { allowed: decision.allowed, reason: decision.reason, ...(decision.crawlDelayMs !== undefined ? { crawlDelayMs: decision.crawlDelayMs } : {}) };
      },
      scopeGate: (hop) => {
        if (startClass !== 'public') return { allowed: true, reason: '' };
        let host: string;
        try {
          host = new URL(hop).hostname;
        } catch {
          return { allowed: false, reason: `not a valid URL: ${hop}` };
        }
        const kind = classifyHost(host);
        return kind === 'public' ? { allowed: true, reason: '' } : { allowed: false, reason: `${url} redirected to ${hop}, a ${kind} address; Gleaner does not follow a public site into a private network.` };
      },
    });

    const outcome = await fetcher.fetch(url, { headers: { accept: 'text/html,application/xhtml+xml,application/json;q=0.9,*/*;q=0.5' }, ...(signal ? { signal } : {}) });
    const notes: string[] = [];
    let response: HttpResponse;
    let finalUrl: string;
    if (outcome.ok) {
      response = outcome.response;
      finalUrl = outcome.finalUrl;
      if (outcome.redirects.length > 0) notes.push(`${url} redirected to ${finalUrl}; the spec starts from ${finalUrl}.`);
    } else if (!outcome.skipped && outcome.kind === 'http-status' && (outcome.status === 401 || outcome.status === 403) && lastResponse?.status === outcome.status) {
      response = lastResponse;
      finalUrl = outcome.url;
    } else {
      if (!gate.allowed()) return { ok: false, reason: INFER_NETWORK_DISABLED };
      if (outcome.skipped && outcome.kind === 'robots') return { ok: false, reason: robotsReason(url, userAgent, denied, outcome.reason) };
      return { ok: false, reason: `${url} could not be fetched: ${outcome.reason}` };
    }

    if (startClass !== 'public') {
      notes.push(`${startHost} is a ${startClass} address: it was fetched because you asked for it, and the spec sets \`allow_private_network: true\`, without which a run refuses it.`);
    }
    const contentType = response.headers['content-type'] ?? '';
    if (response.body.byteLength >= INFER_MAX_BYTES) notes.push(`The response was cut at ${INFER_MAX_BYTES / 1024 / 1024} MiB; the proposal is based on that prefix.`);
    const kind = /\bjson\b|\+json/i.test(contentType) ? 'json' : 'html';
    const body = decodeBody(response.body, contentType, kind).text;
    const proposal = inferSpec({ url: finalUrl, status: response.status, contentType, body, userAgent });
    return { ok: true, yaml: proposal.yaml, kind: proposal.kind, notes: [...proposal.notes, ...notes], confidence: proposal.confidence };
  }

  /** Releases the HTTP client. */
  async dispose(): Promise<void> {
    await this.http?.close();
    this.http = undefined;
  }
}

/** "robots.txt disallows … (line N)" from the deciding verdict, or the fetcher's own reason. */
function robotsReason(url: string, userAgent: string, decision: RobotsDecision | undefined, fallback: string): string {
  if (decision?.basis === 'rule' && decision.rule) {
    return `robots.txt disallows ${url} for ${userAgent}: \`${decision.rule.text.trim()}\` (line ${decision.rule.line} of ${decision.robotsUrl}). Gleaner will not fetch it.`;
  }
  if (decision) return `robots.txt of ${decision.robotsUrl || url} could not be read (${decision.reason}), so everything on that site is treated as disallowed for now.`;
  return `robots.txt does not allow ${url}: ${fallback}`;
}

/** Registers `gleaner/inferSpec`. */
export function register(connection: Connection, deps: ServerDeps): Disposable {
  const inferrer = new SpecInferrer({ ...editorFetchPorts(deps), log: deps.log });
  const disposeRequest = connection.onRequest(inferSpecRequest.type, (params, token) => {
    const controller = new AbortController();
    const onCancel = token.onCancellationRequested(() => controller.abort());
    return runSafe(
      deps.log,
      inferSpecRequest.method,
      () => inferrer.infer(params, controller.signal),
      { ok: false, reason: 'The inference failed inside the language server; see the Gleaner output.' } as InferSpecResult,
      token,
    ).finally(() => onCancel.dispose());
  });
  return combine(disposeRequest, () => void inferrer.dispose());
}
