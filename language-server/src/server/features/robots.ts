/**
 * robots.txt inline. After a document version is validated, every scrape start URL and API
 * request URL is checked against robots.txt in the background, for the spec's own user agent;
 * when answers arrive the document's diagnostics are republished with the verdicts merged in.
 * Diagnostics are never held back waiting for the network, and nothing is fetched unless the
 * workspace is trusted and `gleaner.network.enabled` is on.
 *
 * Also serves `gleaner/robotsCheck`, the same check on request.
 */
import { DiagnosticSeverity, type Connection, type Diagnostic, type Range } from 'vscode-languageserver';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { aiUseOptOut, type RobotsDecision, type TdmReservation } from '../../engine/robots';
import { classifyHost, type CollectionSpec, type SpecParseResult } from '../../engine/spec';
import { robotsCheck, type RobotsCheckResult } from '../../protocol';
import { DIAGNOSTIC_SOURCE, toLspRange } from '../convert';
import { combine, type Disposable, type ServerDeps } from '../deps';
import type { ValidationOutput } from '../validator';
import { describeError, runSafe } from '../runner';
import { KEYS } from '../spec-paths';

/** A URL of a spec to check, with where it is written. */
export interface CheckedUrl {
  url: string;
  range: Range;
}

/** What the robots.txt diagnostics need to know of a spec (small, so it crosses threads cheaply). */
export interface RobotsContext {
  userAgent: string;
  robots: 'obey' | 'ignore';
  /** `politeness.delay` in ms. */
  delayMs: number;
  intendedUse: string[];
}

/** The RobotsContext of a parsed model. */
export function robotsContext(model: CollectionSpec): RobotsContext {
  return { userAgent: model.metadata.userAgent, robots: model.politeness.robots, delayMs: model.politeness.delayMs, intendedUse: [...model.licence.intendedUse] };
}

/** Intended uses that count as AI training, against which opt-out signals are checked. */
const TRAINING_USES = new Set(['commercial-training', 'non-commercial-training']);

/** The most URLs of one document checked per validation, so a generated 50k-line spec cannot flood a site. */
const MAX_URLS_PER_DOCUMENT = 200;

/** The most remembered verdicts; the oldest are forgotten first. */
const MAX_REMEMBERED = 5000;

/**
 * The URL to ask robots.txt about for a templated spec URL, or undefined when it cannot be
 * checked: a `${…}` reference in the scheme or host (the origin is unknown until run time), or
 * not an http(s) URL. A reference in the path cuts the URL there, since robots rules match on
 * path prefixes and the prefix is what is known.
 */
export function checkableUrl(raw: string): string | undefined {
  const cut = raw.indexOf('${');
  const known = cut >= 0 ? raw.slice(0, cut) : raw;
  let url: URL;
  try {
    url = new URL(known);
  } catch {
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return undefined;
  // The origin must be complete: something after the host (a path) or the whole URL known.
  if (cut >= 0 && !/^https?:\/\/[^/]+\//i.test(known)) return undefined;
  return url.href;
}

/** The URLs of a parsed spec that robots.txt applies to, with their ranges. */
export function robotsUrls(result: SpecParseResult): CheckedUrl[] {
  const out: CheckedUrl[] = [];
  const { model, locate } = result;
  for (const source of model.sources) {
    const entries =
      source.kind === 'scrape'
        ? source.startUrls.map((url, i) => ({ url, range: locate.valueRange([...source.path, KEYS.startUrls, i]) ?? locate.valueRange([...source.path, KEYS.startUrls]) }))
        : [{ url: source.request.url, range: locate.valueRange([...source.path, KEYS.request, KEYS.url]) }];
    for (const entry of entries) {
      const url = checkableUrl(entry.url ?? '');
      if (!url || !entry.range) continue;
      if (!model.politeness.allowPrivateNetwork && classifyHost(new URL(url).hostname) !== 'public') continue;
      out.push({ url, range: toLspRange(entry.range) });
      if (out.length >= MAX_URLS_PER_DOCUMENT) return out;
    }
  }
  return out;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return `${Number.isInteger(s) ? s : s.toFixed(1)} s`;
}

/**
 * The diagnostics a robots.txt verdict (and, when known, the TDMRep reservation) produces for
 * one URL of `model`.
 */
export function verdictDiagnostics(decision: RobotsDecision, checked: CheckedUrl, model: RobotsContext, tdm?: TdmReservation): Diagnostic[] {
  const make = (severity: DiagnosticSeverity, code: string, message: string): Diagnostic => ({ range: checked.range, severity, code, source: DIAGNOSTIC_SOURCE, message });
  const robotsLocation = (line?: number): Diagnostic['relatedInformation'] =>
    decision.robotsUrl
      ? [{ location: { uri: decision.robotsUrl, range: { start: { line: Math.max(0, (line ?? 1) - 1), character: 0 }, end: { line: Math.max(0, (line ?? 1) - 1), character: 0 } } }, message: line ? `robots.txt line ${line}` : 'robots.txt' }]
      : undefined;
  const out: Diagnostic[] = [];
  const ua = model.userAgent;

  if (!decision.allowed) {
    if (decision.basis === 'rule' && decision.rule) {
      const d = make(
        DiagnosticSeverity.Error,
        'robots-disallowed',
        `robots.txt disallows ${checked.url} for ${ua}: \`${decision.rule.text.trim()}\` at robots.txt line ${decision.rule.line}. Gleaner will not fetch it.`,
      );
      d.relatedInformation = robotsLocation(decision.rule.line);
      out.push(d);
    } else {
      // 5xx, 429, timeouts and network failures: RFC 9309 says "unreachable", so everything is
      // disallowed. This must never read as "allowed" (Scrapy and Crawlee fail open here).
      const d = make(
        DiagnosticSeverity.Error,
        'robots-unreachable',
        `robots.txt could not be read (${decision.reason}). Everything on ${originOf(checked.url)} is treated as disallowed until it can be.`,
      );
      d.relatedInformation = robotsLocation();
      out.push(d);
    }
    return out;
  }

  const delay = decision.crawlDelayMs !== undefined ? ` · crawl-delay ${seconds(decision.crawlDelayMs)}` : '';
  const why = decision.basis === 'rule' && decision.rule ? `allowed by line ${decision.rule.line} (\`${decision.rule.text.trim()}\`)` : decision.basis === 'status' ? decision.reason : 'no rule applies';
  const info = make(DiagnosticSeverity.Information, 'robots-allowed', `robots.txt: ${why}${delay}`);
  info.relatedInformation = robotsLocation(decision.rule?.line);
  out.push(info);

  if (decision.crawlDelayMs !== undefined && decision.crawlDelayMs > model.delayMs) {
    out.push(
      make(
        DiagnosticSeverity.Warning,
        'robots-crawl-delay',
        `robots.txt asks for Crawl-delay ${seconds(decision.crawlDelayMs)}, longer than politeness.delay (${seconds(model.delayMs)}). Gleaner waits ${seconds(decision.crawlDelayMs)} between requests to this host; set \`delay\` to match.`,
      ),
    );
  }

  const training = trainingUses(model);
  const optOut = aiUseOptOut(decision.contentSignal, tdm);
  if (training.length > 0 && optOut.reserved) {
    const d = make(
      DiagnosticSeverity.Warning,
      'ai-opt-out',
      `The site opts out of AI training (${optOut.reasons.join('; ')}), but licence.intended_use includes ${training.join(', ')}.`,
    );
    d.relatedInformation = robotsLocation();
    out.push(d);
  }
  return out;
}

/** The intended uses of a spec that count as AI training. */
function trainingUses(model: RobotsContext): string[] {
  return model.intendedUse.filter((u) => TRAINING_USES.has(u));
}

function originOf(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return url;
  }
}

/** Registers the robots.txt diagnostics contributor and `gleaner/robotsCheck`. */
export function register(connection: Connection, deps: ServerDeps): Disposable {
  // Verdicts by user agent and URL. RobotsCache already caches robots.txt per origin (24 h at
  // most); this memo only lets the synchronous contributor answer from what is known.
  const verdicts = new Map<string, RobotsDecision>();
  // TDMRep answers by URL (null: asked, none applies). Only asked for specs that intend training.
  const reservations = new Map<string, TdmReservation | null>();
  const key = (userAgent: string, url: string): string => `${userAgent}\n${url}`;
  const republishSoon = new Set<string>();
  let disposed = false;

  const flush = (): void => {
    const uris = [...republishSoon];
    republishSoon.clear();
    for (const uri of uris) deps.publisher.republish(uri);
  };

  const remember = (k: string, decision: RobotsDecision): boolean => {
    const before = verdicts.get(k);
    if (before && JSON.stringify(before) === JSON.stringify(decision)) return false;
    verdicts.delete(k);
    verdicts.set(k, decision);
    if (verdicts.size > MAX_REMEMBERED) verdicts.delete(verdicts.keys().next().value!);
    return true;
  };

  const applies = (context: RobotsContext): boolean => context.robots !== 'ignore' && context.userAgent.trim() !== '';

  const contributor = (_document: TextDocument, output: ValidationOutput): Diagnostic[] => {
    if (!deps.network.allowed() || !applies(output.robots)) return [];
    const out: Diagnostic[] = [];
    for (const checked of output.robotsUrls) {
      const decision = verdicts.get(key(output.robots.userAgent, checked.url));
      if (decision) out.push(...verdictDiagnostics(decision, checked, output.robots, reservations.get(checked.url) ?? undefined));
    }
    return out;
  };

  const checkInBackground = (document: TextDocument, output: ValidationOutput): void => {
    if (!deps.network.allowed() || !applies(output.robots)) return;
    const userAgent = output.robots.userAgent;
    const uri = document.uri;
    const schedule = (): void => {
      // Coalesce: many URLs of one document usually answer together.
      if (republishSoon.size === 0) setImmediate(flush);
      republishSoon.add(uri);
    };
    const wantsTdm = trainingUses(output.robots).length > 0;
    for (const checked of output.robotsUrls) {
      if (wantsTdm) {
        // Asked on every validation like robots.txt: the checker caches tdmrep.json per origin.
        deps.robots.tdm(checked.url, userAgent).then(
          (reservation) => {
            if (disposed) return;
            const before = reservations.get(checked.url);
            reservations.delete(checked.url);
            reservations.set(checked.url, reservation ?? null);
            if (reservations.size > MAX_REMEMBERED) reservations.delete(reservations.keys().next().value!);
            if (JSON.stringify(before ?? null) !== JSON.stringify(reservation ?? null)) schedule();
          },
          (error: unknown) => deps.log.error(`TDMRep check of ${checked.url} failed: ${describeError(error)}`),
        );
      }
      deps.robots.check(checked.url, userAgent).then(
        (decision) => {
          if (disposed || !decision) return;
          if (!remember(key(userAgent, checked.url), decision)) return;
          schedule();
        },
        (error: unknown) => deps.log.error(`robots.txt check of ${checked.url} failed: ${describeError(error)}`),
      );
    }
  };

  const revalidateAll = (): void => {
    for (const document of deps.documents.all()) {
      deps.publisher.validate(document.uri).catch((error: unknown) => deps.log.error(`revalidation failed: ${describeError(error)}`));
    }
  };

  const disposeContributor = deps.publisher.addContributor(contributor);
  const disposeListener = deps.publisher.onDidValidate(checkInBackground);
  // When trust is granted or the network setting turns on, check the open specs now; when either
  // turns off, republish without verdicts (the contributor answers nothing then).
  const disposeGate = deps.network.onDidChange(() => revalidateAll());

  const disposeRequest = connection.onRequest(robotsCheck.type, (params, token) =>
    runSafe(
      deps.log,
      robotsCheck.method,
      async (): Promise<RobotsCheckResult> => {
        const decision = await deps.robots.check(params.url, params.userAgent);
        if (!decision) {
          return { allowed: false, basis: 'network-disabled', reason: 'Network access is off (untrusted workspace or gleaner.network.enabled is false); robots.txt was not checked.', robotsUrl: '' };
        }
        return decision;
      },
      { allowed: false, basis: 'unreachable', reason: 'The robots.txt check failed inside the server.', robotsUrl: '' },
      token,
    ),
  );

  return combine(disposeContributor, disposeListener, disposeGate, disposeRequest, () => {
    disposed = true;
  });
}
