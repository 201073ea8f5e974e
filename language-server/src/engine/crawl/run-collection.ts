/**
 * The run: crawl every selected source of a spec into a run directory, politely, crash-safely
 * and with a paper trail.
 *
 * Workers take items from the frontier and fetch them concurrently (the per-host throttle
 * decides the pace). Processing a page (extract, coerce, validate) happens outside any lock;
 * committing it (de-duplicate, append, enqueue links, checkpoint) happens one page at a time, so
 * the checkpoint always describes exactly the records on disk. After `kill -9` a resume truncates
 * the outputs to the last checkpoint and refetches only the pages that were in flight.
 */
import { promises as fs } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { decodeBody } from '../http/charset';
import { compileHtmlExtractor, compileJsonExtractor } from '../extract/index';
import type { ExtractedLink, HtmlExtractor, JsonExtractor } from '../extract/index';
import {
  buildCroissant,
  datasetFields,
  describeFiles,
  emptyCounts,
  HttpCache,
  loadCheckpoint,
  lockRunDir,
  parquetRecordColumns,
  recordsFileName,
  Redactor,
  RUN_LOCK_FILE,
  RunLockedError,
  renderDatasheet,
  RUN_FILES,
  RunOutput,
  sha256Hex,
  writeFileAtomic,
  writeManifest,
} from '../output/index';
import type { Checkpoint, FailedRecord, RecordSource, RobotsEntry, RunCounts, RunManifest, RunStatus, SkipEntry } from '../output/index';
import type { Clock, HttpClient, Logger, SecretResolver, Sleep } from '../ports';
import { applyDerived, Deduper, validateRecord } from '../records/index';
import type { DeduperState, ExtractedRecord } from '../records/index';
import { applyDeduperDelta } from '../records/dedupe';
import type { DeduperDelta } from '../records/dedupe';
import type { ApiSource, CollectionSpec, ScrapeSource, SourceSpec } from '../spec/model';
import { canonicalizeUrl } from '../urls/index';
import { Authenticator, AuthError } from './auth';
import type { RunEvent, RunSummary } from './events';
import { FieldStatsCollector, mergeFieldStatsState } from './field-stats';
import type { FieldStatsState, PageObservation } from './field-stats';
import type { PageFetcher, PageFetchOutcome } from './fetch-port';
import { Frontier, itemKey } from './frontier';
import type { FrontierItem, FrontierState } from './frontier';
import { firstPage, nextPage, paginationParams } from './pagination';
import { createPoliteFetcher } from './polite-fetcher-adapter';
import type { RobotsObservation } from './polite-fetcher-adapter';
import { parseSitemap } from './sitemap';
import { MissingSecretError, TemplateResolver } from './templating';

/** The version written into manifests. */
export const GENERATOR = 'gleaner 0.1.0';

/** What to run. */
export interface RunInput {
  spec: CollectionSpec;
  /** The spec's text (hashed into provenance, copied into the run directory for resume). */
  specText: string;
  specPath: string;
  /** The run's own directory; its parent is the output directory (holding the HTTP cache). */
  runDir: string;
  /** Only these sources (default: all). */
  sourceIds?: string[];
  /** Continue the run in `runDir` from its checkpoint. */
  resume?: boolean;
}

/** The effects a run uses. */
export interface RunPorts {
  http: HttpClient;
  clock: Clock;
  sleep: Sleep;
  random: () => number;
  logger: Logger;
  secrets: SecretResolver;
  /** Aborting stops the run gracefully: in-flight pages finish, then a checkpoint marks it `stopped`. */
  signal?: AbortSignal;
  /** Replaces the polite fetcher (tests). */
  fetcher?: PageFetcher;
}

/** The crawl state saved in every checkpoint. */
export interface CrawlState {
  runId: string;
  startedAt: string;
  resumes: number;
  specSha256: string;
  sourceIds: string[];
  frontier: FrontierState;
  canonicals: string[];
  dedupe: DeduperState;
  counts: RunCounts;
  skips: SkipEntry[];
  robots: Record<string, RobotsEntry>;
  fetchMsTotal: number;
  /** Milliseconds spent in earlier sessions of this run. */
  elapsedMs: number;
  stopReason?: string;
  /**
   * The run diagnostics' counters (absent from checkpoints written before they were kept, whose
   * resumed runs count only the pages fetched after the resume).
   */
  fieldStats?: FieldStatsState;
}

/**
 * What one commit changed in the crawl state: one line of the checkpoint journal. Lists only
 * grow (queued items, finished keys, canonical URLs, dedupe keys, skips); counters and the
 * robots entries that changed are carried whole because they are small.
 */
export interface CrawlDelta {
  /** Items newly queued, with depth and source (their keys join `frontier.seen`). */
  queued?: FrontierItem[];
  /** Keys of the items finished (they leave `frontier.pending`). */
  done?: string[];
  canonicals?: string[];
  dedupe?: DeduperDelta;
  skips?: SkipEntry[];
  /** The robots entries of the origins whose entry changed. */
  robots?: RobotsEntry[];
  /** The field statistics of the sources observed, carried whole. */
  fieldStats?: FieldStatsState;
  counts: RunCounts;
  fetchMsTotal: number;
  elapsedMs: number;
}

/**
 * Folds journal deltas into a snapshot's crawl state, in order (the resume's replay). Mutates
 * the lists of `state`, which comes fresh from the parsed snapshot.
 */
export function replayCrawlDeltas(state: CrawlState, deltas: readonly CrawlDelta[]): CrawlState {
  const pending = new Map(state.frontier.pending.map((item) => [itemKey(item), item] as const));
  const seen = state.frontier.seen;
  const robots = { ...state.robots };
  let fieldStats = state.fieldStats;
  let { counts, fetchMsTotal, elapsedMs } = state;
  for (const d of deltas) {
    for (const item of d.queued ?? []) {
      const key = itemKey(item);
      seen.push(key);
      pending.set(key, item);
    }
    for (const key of d.done ?? []) pending.delete(key);
    for (const url of d.canonicals ?? []) state.canonicals.push(url);
    if (d.dedupe) applyDeduperDelta(state.dedupe, d.dedupe);
    for (const skip of d.skips ?? []) state.skips.push(skip);
    for (const entry of d.robots ?? []) robots[entry.origin] = entry;
    if (d.fieldStats) fieldStats = mergeFieldStatsState(fieldStats ?? { fields: {}, follows: {} }, d.fieldStats);
    counts = d.counts;
    fetchMsTotal = d.fetchMsTotal;
    elapsedMs = d.elapsedMs;
  }
  return { ...state, frontier: { pending: [...pending.values()], seen }, robots, counts, fetchMsTotal, elapsedMs, ...(fieldStats ? { fieldStats } : {}) };
}

/** A run directory's last checkpoint (snapshot with the journal replayed); undefined when none. */
export async function readRunCheckpoint(runDir: string): Promise<Checkpoint<CrawlState> | undefined> {
  return (await loadCheckpoint(runDir, replayCrawlDeltas)).checkpoint;
}

/** The file a run keeps a copy of its spec in, so `resume` needs only the run directory. */
export const RUN_SPEC_FILE = 'spec.collect.yaml';
/** The file naming the spec path a run was started from. */
export const RUN_INFO_FILE = 'run.json';

interface Candidate {
  values: Record<string, unknown>;
}

/** The result of fetching and processing one item, ready to commit. */
interface Processed {
  item: FrontierItem;
  url: string;
  status: number;
  notModified: boolean;
  bytes: number;
  ms: number;
  records: Candidate[];
  failed: FailedRecord[];
  links: FrontierItem[];
  linkSkips: SkipEntry[];
  canonicalUrl?: string;
  skip?: SkipEntry;
  error?: boolean;
  warnings: string[];
  /** What the extractor matched on this page, for the run's field statistics. */
  observed?: PageObservation;
  /** Stop this source (API: pagination ended badly). */
  fatal?: string;
}

function bump(map: Record<string, number>, key: string, by = 1): void {
  map[key] = (map[key] ?? 0) + by;
}

function sourceUrls(s: SourceSpec): string[] {
  return s.kind === 'api' ? [s.request.url] : [...s.startUrls, ...(s.sitemap ? [s.sitemap] : [])];
}

function safeMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/**
 * Runs (or resumes) a collection. Never throws for a crawl problem: the summary's status says
 * `failed` with a reason. Events are redacted before `onEvent` sees them.
 */
export async function runCollection(input: RunInput, ports: RunPorts, onEvent: (e: RunEvent) => void): Promise<RunSummary> {
  const redactor = new Redactor();
  const templates = new TemplateResolver(ports.secrets, redactor);
  const emit = (e: RunEvent): void => {
    try {
      onEvent(redactor.redactDeep(e));
    } catch (err) {
      ports.logger.warn(redactor.redact(`event listener failed: ${safeMessage(err)}`));
    }
  };
  const log = {
    info: (m: string): void => ports.logger.info(redactor.redact(m)),
    warn: (m: string): void => ports.logger.warn(redactor.redact(m)),
    debug: (m: string): void => ports.logger.debug(redactor.redact(m)),
    error: (m: string): void => ports.logger.error(redactor.redact(m)),
  };
  const { spec, runDir } = input;
  const sessionStart = ports.clock.now();
  const specSha256 = sha256Hex(input.specText);
  const outputDir = dirname(runDir);
  const runId = runDir.split(/[\\/]/).filter((p) => p.length > 0).pop() ?? 'run';

  await fs.mkdir(runDir, { recursive: true });
  let unlock: () => Promise<void>;
  try {
    unlock = await lockRunDir(runDir);
  } catch (e) {
    if (!(e instanceof RunLockedError)) throw e;
    const counts = emptyCounts();
    return {
      runId,
      runDir,
      status: 'failed',
      reason: e.message,
      counts,
      durationMs: 0,
      files: {
        records: join(runDir, recordsFileName(spec.output.format)),
        failed: join(runDir, RUN_FILES.failed),
        manifest: join(runDir, RUN_FILES.manifest),
        datasheet: join(runDir, RUN_FILES.datasheet),
        croissant: join(runDir, RUN_FILES.croissant),
        checkpoint: join(runDir, RUN_FILES.checkpoint),
      },
    };
  }
  try {
    return await runLocked();
  } finally {
    await unlock();
  }

  async function runLocked(): Promise<RunSummary> {
    // Resolve every secret reference up front: a missing one fails the run before any request,
    // and every resolved value is known to the redactor before anything is written.
    let setupError: string | undefined;
    const selected = spec.sources.filter((s) => !input.sourceIds || input.sourceIds.length === 0 || input.sourceIds.includes(s.id));
    try {
      for (const s of selected) {
        if (s.kind !== 'api') continue;
        templates.resolve(s.request.url);
        templates.resolveAll(s.request.params);
        templates.resolveAll(s.request.headers);
        const a = s.auth;
        if (a.type === 'api_key') templates.resolve(a.value);
        if (a.type === 'bearer') templates.resolve(a.token);
        if (a.type === 'basic') {
          templates.resolve(a.username);
          templates.resolve(a.password);
        }
        if (a.type === 'oauth2') {
          templates.resolve(a.clientId);
          templates.resolve(a.clientSecret);
        }
      }
    } catch (e) {
      setupError = e instanceof MissingSecretError ? `${e.message}: set it in the environment before running` : safeMessage(e);
    }
    if (input.sourceIds && input.sourceIds.length > 0) {
      const unknown = input.sourceIds.filter((id) => !spec.sources.some((s) => s.id === id));
      if (unknown.length > 0) setupError = `unknown source id(s): ${unknown.join(', ')}`;
    }

    const output = await RunOutput.open<CrawlState, CrawlDelta>(
      {
        runDir,
        format: spec.output.format,
        columns: csvColumns(spec),
        neutralizeFormulas: spec.output.neutralizeFormulas,
        recordColumns: parquetRecordColumns(spec),
        provenance: spec.output.provenance,
        createdBy: GENERATOR,
        redactor,
        resume: input.resume === true,
      },
      { replay: replayCrawlDeltas },
    );
    const previous: Checkpoint<CrawlState> | undefined = output.previous;

    if (!input.resume) {
      await writeFileAtomic(join(runDir, RUN_SPEC_FILE), redactor.redact(input.specText));
      await writeFileAtomic(join(runDir, RUN_INFO_FILE), `${JSON.stringify({ specPath: input.specPath, sourceIds: input.sourceIds ?? [], runId }, null, 2)}\n`);
    }

    const state: CrawlState = previous?.state
      ? { ...previous.state, resumes: previous.state.resumes + 1, stopReason: undefined }
      : {
          runId,
          startedAt: new Date(sessionStart).toISOString(),
          resumes: 0,
          specSha256,
          sourceIds: selected.map((s) => s.id),
          frontier: { pending: [], seen: [] },
          canonicals: [],
          dedupe: new Deduper(dedupeOptions(spec)).snapshot(),
          counts: emptyCounts(),
          skips: [],
          robots: {},
          fetchMsTotal: 0,
          elapsedMs: 0,
        };
    const frontier = previous?.state ? Frontier.restore(previous.state.frontier) : new Frontier();
    const deduper = Deduper.restore(state.dedupe);
    deduper.trackDelta();
    const canonicals = new Set(state.canonicals);
    const counts = state.counts;
    const sources = new Map(spec.sources.map((s) => [s.id, s] as const));
    const fieldStats = new FieldStatsCollector(selected);
    // The counters of the pages committed before a kill or stop: without them a resumed run
    // would judge its selectors on the pages of its last session only.
    if (state.fieldStats) fieldStats.restore(state.fieldStats);

    if (!previous?.state) {
      for (const s of selected) {
        if (s.kind === 'api') {
          frontier.push({ kind: 'api', sourceId: s.id, page: firstPage(s.pagination) });
          continue;
        }
        for (const raw of s.startUrls) {
          const url = canonicalizeUrl(raw);
          if (url) frontier.push({ kind: 'page', sourceId: s.id, url, depth: 0 });
          else recordSkip({ url: raw, reason: 'invalid-url', source_id: s.id });
        }
        if (s.sitemap) frontier.push({ kind: 'sitemap', sourceId: s.id, url: s.sitemap });
      }
    }

    const cache = await HttpCache.open(outputDir);
    const robotsSeen = new Map<string, RobotsEntry>(Object.entries(state.robots));
    // What changed since the last checkpoint: the next journal line. Reset by every snapshot.
    let deltaQueued: FrontierItem[] = [];
    let deltaDone: string[] = [];
    let deltaCanonicals: string[] = [];
    let skipsMark = state.skips.length;
    let dirtyOrigins = new Set<string>();
    const observeRobots = (o: RobotsObservation): void => {
      let origin: string;
      try {
        origin = new URL(o.url).origin;
      } catch {
        return;
      }
      const entry = robotsSeen.get(origin) ?? {
        origin,
        robots_url: o.robotsUrl || `${origin}/robots.txt`,
        verdict: spec.politeness.robots === 'ignore' ? 'ignored' : 'allowed',
        basis: o.basis,
        allowed_urls: 0,
        blocked_urls: 0,
        blocking_rules: [],
      };
      if (o.allowed) entry.allowed_urls += 1;
      else {
        entry.blocked_urls += 1;
        const rule = o.rule ? `${o.rule.text} (line ${o.rule.line})` : o.reason;
        if (!entry.blocking_rules.includes(rule) && entry.blocking_rules.length < 50) entry.blocking_rules.push(rule);
      }
      if (entry.verdict !== 'ignored') entry.verdict = entry.blocked_urls === 0 ? 'allowed' : entry.allowed_urls === 0 ? 'blocked' : 'partial';
      if (o.basis !== 'no-rule' && o.basis !== 'rule') entry.basis = o.basis;
      else if (entry.basis !== 'status' && entry.basis !== 'unreachable') entry.basis = 'rules';
      if (o.crawlDelayMs !== undefined) entry.crawl_delay_ms = o.crawlDelayMs;
      if (o.contentSignal) entry.content_signal = o.contentSignal;
      robotsSeen.set(origin, entry);
      dirtyOrigins.add(origin);
    };

    // Soft stop (SIGINT): no new items; the hard signal given to fetches never fires on its own,
    // so in-flight pages finish and are committed.
    const inner = new AbortController();
    const fetcher: PageFetcher =
      ports.fetcher ??
      createPoliteFetcher({
        http: ports.http,
        clock: ports.clock,
        sleep: ports.sleep,
        random: ports.random,
        politeness: spec.politeness,
        userAgent: spec.metadata.userAgent,
        logger: log,
        observeRobots,
      });

    const extractors = new Map<string, HtmlExtractor | JsonExtractor>();
    /** One-rule extractors for the follow diagnostics (see followLinksPerRule), by source and rule index. */
    const soloFollowExtractors = new Map<string, HtmlExtractor>();
    const authenticators = new Map<string, Authenticator>();
    const authFor = (s: ApiSource): Authenticator => {
      let a = authenticators.get(s.id);
      if (!a) {
        a = new Authenticator(s.auth, templates, redactor, ports.clock, async (url, headers, body) => {
          const outcome = await fetcher.fetch(url, { method: 'POST', headers: { ...headers, 'user-agent': spec.metadata.userAgent }, body, signal: inner.signal });
          if (!outcome.ok) return { error: outcome.reason };
          counts.requests += 1;
          return { status: outcome.response.status, text: Buffer.from(outcome.response.body).toString('utf8') };
        });
        authenticators.set(s.id, a);
      }
      return a;
    };

    function recordSkip(skip: SkipEntry): void {
      bump(counts.skipped, skip.reason);
      state.skips.push(skip);
      emit({ type: 'skip', url: skip.url, reason: skip.reason, ...(skip.source_id ? { sourceId: skip.source_id } : {}), ...(skip.detail ? { detail: skip.detail } : {}) });
    }

    /** Queues a link, remembering it for the journal. */
    function queue(item: FrontierItem): boolean {
      const queued = frontier.push(item);
      if (queued) deltaQueued.push(item);
      return queued;
    }

    /** Marks an item finished, remembering it for the journal. */
    function finish(item: FrontierItem): void {
      frontier.done(item);
      deltaDone.push(itemKey(item));
    }

    function addCanonical(url: string): void {
      if (canonicals.has(url)) return;
      canonicals.add(url);
      deltaCanonicals.push(url);
    }

    /** The changes since the last checkpoint; starts the next delta. */
    function takeDelta(): CrawlDelta {
      const delta: CrawlDelta = {
        counts,
        fetchMsTotal: state.fetchMsTotal,
        elapsedMs: state.elapsedMs + (ports.clock.now() - sessionStart),
      };
      if (deltaQueued.length > 0) delta.queued = deltaQueued;
      if (deltaDone.length > 0) delta.done = deltaDone;
      if (deltaCanonicals.length > 0) delta.canonicals = deltaCanonicals;
      const dedupe = deduper.takeDelta();
      if (dedupe.keys.length > 0 || dedupe.hashes.length > 0 || (dedupe.near?.length ?? 0) > 0) delta.dedupe = dedupe;
      if (state.skips.length > skipsMark) delta.skips = state.skips.slice(skipsMark);
      if (dirtyOrigins.size > 0) delta.robots = [...dirtyOrigins].flatMap((o) => robotsSeen.get(o) ?? []);
      const stats = fieldStats.takeDirty();
      if (stats) delta.fieldStats = stats;
      deltaQueued = [];
      deltaDone = [];
      deltaCanonicals = [];
      skipsMark = state.skips.length;
      dirtyOrigins = new Set();
      return delta;
    }

    /** The whole state; it holds every change so far, so the pending delta starts afresh. */
    function snapshot(): CrawlState {
      const full: CrawlState = {
        ...state,
        frontier: frontier.snapshot(),
        canonicals: [...canonicals],
        dedupe: deduper.snapshot(),
        robots: Object.fromEntries(robotsSeen),
        fieldStats: fieldStats.snapshot(),
        elapsedMs: state.elapsedMs + (ports.clock.now() - sessionStart),
      };
      takeDelta();
      return full;
    }

    let checkpoints = 0;
    let checkpointMs = 0;
    /** A snapshot, or with `journal` a journal line (which compacts into a snapshot now and then). */
    async function timedCheckpoint(s: RunStatus, journal = false): Promise<void> {
      const t0 = ports.clock.now();
      if (journal) await output.journal(takeDelta(), s, t0, snapshot);
      else await output.checkpoint(snapshot(), s, t0);
      checkpoints += 1;
      checkpointMs += ports.clock.now() - t0;
    }
    const sourceFailures: string[] = [];

    emit({ type: 'start', runId, runDir, spec: input.specPath, sources: state.sourceIds, resumed: input.resume === true, pending: frontier.pendingCount });
    log.info(`${input.resume ? 'resuming' : 'starting'} run ${runId} in ${runDir}`);
    await writeManifest(runDir, buildManifest('running'), redactor);
    await timedCheckpoint('running');

    let stopReason: string | undefined = setupError;
    let failed = setupError !== undefined;
    let budgetStop: string | undefined;
    const budget = spec.politeness.budget;

    // ---- processing one item (no shared state is changed here) ----

    async function fetchWithCache(url: string, method: 'GET' | 'POST' | 'HEAD', headers: Record<string, string>, body?: string): Promise<{ outcome: PageFetchOutcome; body?: Uint8Array; notModified: boolean; contentType?: string }> {
      const useCache = method === 'GET';
      const validators = useCache ? cache.validators(method, url) : undefined;
      let outcome = await fetcher.fetch(url, { method, headers, body, conditional: validators, signal: inner.signal });
      if (outcome.ok && (outcome.notModified || outcome.response.status === 304)) {
        const cached = await cache.get(method, url);
        // A 304 need not repeat Content-Type; the stored one decides the body's charset.
        if (cached) return { outcome, body: cached.data, notModified: true, contentType: cached.contentType ?? outcome.response.headers['content-type'] };
        // The stored body is gone: ask again without validators rather than use nothing.
        outcome = await fetcher.fetch(url, { method, headers, body, signal: inner.signal });
      }
      if (outcome.ok && useCache && outcome.response.status === 200) {
        const h = outcome.response.headers;
        await cache.put(method, url, { status: 200, etag: h.etag, lastModified: h['last-modified'], contentType: h['content-type'], body: outcome.response.body }, ports.clock.now());
      }
      return { outcome, body: outcome.ok ? outcome.response.body : undefined, notModified: false, contentType: outcome.ok ? outcome.response.headers['content-type'] : undefined };
    }

    function provenance(source: SourceSpec, url: string, status: number, headers: Record<string, string>, body: Uint8Array, fetchedAt: string): RecordSource {
      return {
        url,
        fetched_at: fetchedAt,
        status,
        ...(headers.etag ? { etag: headers.etag } : {}),
        ...(headers['last-modified'] ? { last_modified: headers['last-modified'] } : {}),
        content_sha256: sha256Hex(body),
        spec_sha256: specSha256,
        source_id: source.id,
      };
    }

    function judge(records: ExtractedRecord[], source: SourceSpec, src: RecordSource, out: Processed): void {
      for (const r of records) {
        const derived = applyDerived(r.values, spec.records.derived);
        const v = validateRecord(derived, spec.records);
        const errors = [...r.errors, ...(v.ok ? [] : v.errors)];
        if (errors.length > 0) {
          out.failed.push({
            source_id: source.id,
            source_url: src.url,
            reason: errors.map((e) => e.reason).join('; '),
            values: v.record,
            errors: errors.map((e) => ({ field: e.field, message: e.reason, ...(e.raw !== undefined ? { raw: e.raw } : {}) })),
            fetched_at: src.fetched_at,
          });
          continue;
        }
        const values: Record<string, unknown> = { ...v.record };
        if (spec.output.provenance) {
          if (spec.output.format === 'csv') {
            values._source_url = src.url;
            values._fetched_at = src.fetched_at;
          } else values._source = src;
        }
        out.records.push({ values });
      }
    }

    function fetchFailure(item: FrontierItem, url: string, outcome: Exclude<PageFetchOutcome, { ok: true }>, out: Processed): void {
      if (outcome.skipped) {
        out.skip = { url, reason: outcome.kind === 'robots' || /robots/i.test(outcome.kind) ? 'robots' : outcome.kind, source_id: item.sourceId, detail: outcome.reason };
      } else {
        noteRetries(outcome.attempts, url);
        out.error = true;
        out.status = outcome.status ?? 0;
        out.skip = { url, reason: outcome.status ? `http-${outcome.status}` : outcome.kind, source_id: item.sourceId, detail: outcome.reason };
      }
    }

    async function processPage(item: Extract<FrontierItem, { kind: 'page' }>, source: ScrapeSource, out: Processed): Promise<void> {
      const started = ports.clock.now();
      const { outcome, body, notModified, contentType } = await fetchWithCache(item.url, 'GET', { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.5' });
      out.ms = ports.clock.now() - started;
      if (!outcome.ok) return fetchFailure(item, item.url, outcome, out);
      const res = outcome.response;
      out.status = notModified ? 304 : res.status;
      out.notModified = notModified;
      out.bytes = res.wireBytes ?? res.body.byteLength;
      noteRetries(outcome.attempts, item.url);
      if (res.status >= 400 || !body) {
        out.error = true;
        out.skip = { url: item.url, reason: `http-${res.status}`, source_id: item.sourceId };
        return;
      }
      const html = decodeBody(body, contentType, 'html').text;
      let extractor = extractors.get(source.id) as HtmlExtractor | undefined;
      if (!extractor) {
        extractor = compileHtmlExtractor(source);
        extractors.set(source.id, extractor);
      }
      const extraction = extractor.extract(html, outcome.finalUrl);
      out.warnings.push(...extraction.warnings);
      out.observed = { recordCount: extraction.recordCount, matchCounts: extraction.matchCounts, linksPerRule: followLinksPerRule(source, extraction.links, html, outcome.finalUrl) };
      out.canonicalUrl = extraction.canonicalUrl;
      const fetchedAt = new Date(ports.clock.now()).toISOString();
      const src = provenance(source, outcome.finalUrl, out.status, res.headers, body, fetchedAt);
      if (source.records) judge(extraction.records, source, src, out);
      for (const link of extraction.links) {
        const depth = item.depth + 1;
        const target = sources.get(link.source) ?? source;
        if (link.rule.maxDepth !== undefined && depth > link.rule.maxDepth) {
          out.linkSkips.push({ url: link.url, reason: 'max-depth', source_id: target.id });
          continue;
        }
        if (budget.depth !== undefined && depth > budget.depth) {
          out.linkSkips.push({ url: link.url, reason: 'budget-depth', source_id: target.id });
          continue;
        }
        out.links.push({ kind: 'page', sourceId: target.id, url: link.url, depth, referrer: item.url });
      }
    }

    /**
     * Links per follow rule on one page, for the run diagnostics. The extractor keeps each
     * (target source, URL) once, for the first rule that finds it, so a rule sharing its target
     * with an earlier rule is credited with none of the links both find: zero for it on a page
     * where such an earlier rule found links says nothing. There, while the run has not yet
     * seen the rule yield a link, its own links are counted with an extractor holding that rule
     * alone. This costs a second parse of the page, and stops once the rule has yielded one
     * link, so it is paid in full only by a rule that really finds nothing (which is then
     * reported, truthfully).
     */
    function followLinksPerRule(source: ScrapeSource, links: readonly ExtractedLink[], html: string, pageUrl: string): number[] {
      const counts = source.follow.map((rule) => links.filter((l) => l.rule === rule).length);
      for (const [i, rule] of source.follow.entries()) {
        if (counts[i] > 0 || fieldStats.followYielded(source.id, i)) continue;
        const shadowed = source.follow.some((earlier, j) => j < i && earlier.source === rule.source && counts[j] > 0);
        if (!shadowed) continue;
        const key = `${source.id}\n${i}`;
        let solo = soloFollowExtractors.get(key);
        if (!solo) {
          solo = compileHtmlExtractor({ ...source, follow: [rule], records: undefined });
          soloFollowExtractors.set(key, solo);
        }
        counts[i] = solo.extract(html, pageUrl).links.length;
      }
      return counts;
    }

    async function processSitemap(item: Extract<FrontierItem, { kind: 'sitemap' }>, source: ScrapeSource, out: Processed): Promise<void> {
      const started = ports.clock.now();
      const { outcome, body, contentType } = await fetchWithCache(item.url, 'GET', { accept: 'application/xml,text/xml;q=0.9,*/*;q=0.5' });
      out.ms = ports.clock.now() - started;
      if (!outcome.ok) return fetchFailure(item, item.url, outcome, out);
      out.status = outcome.response.status;
      out.bytes = outcome.response.wireBytes ?? outcome.response.body.byteLength;
      if (outcome.response.status >= 400 || !body) {
        out.error = true;
        out.skip = { url: item.url, reason: `http-${outcome.response.status}`, source_id: item.sourceId };
        return;
      }
      const parsed = parseSitemap(decodeBody(body, contentType, 'text').text);
      for (const raw of parsed.urls) {
        const url = canonicalizeUrl(raw, outcome.finalUrl);
        if (!url) continue;
        if (parsed.isIndex) {
          out.links.push({ kind: 'sitemap', sourceId: source.id, url });
          continue;
        }
        // The spec format defines a sitemap's pages as start pages of the source that names it.
        out.links.push({ kind: 'page', sourceId: source.id, url, depth: 0, referrer: item.url });
      }
    }

    async function processApi(item: Extract<FrontierItem, { kind: 'api' }>, source: ApiSource, out: Processed): Promise<void> {
      const auth = authFor(source);
      let url: string;
      let applied: Awaited<ReturnType<Authenticator['apply']>>;
      try {
        applied = await auth.apply();
        const base = templates.resolve(source.request.url);
        url = buildApiUrl(base, templates.resolveAll(source.request.params), item.page.url, paginationParams(source.pagination, item.page), applied.query);
      } catch (e) {
        out.error = true;
        out.fatal = e instanceof AuthError || e instanceof MissingSecretError ? e.message : `request could not be built: ${safeMessage(e)}`;
        out.skip = { url: source.request.url, reason: 'auth', source_id: source.id, detail: out.fatal };
        return;
      }
      out.url = url;
      const headers: Record<string, string> = { accept: 'application/json', ...lowerKeys(templates.resolveAll(source.request.headers)), ...applied.headers };
      let body: string | undefined;
      if (source.request.body !== undefined) {
        body = typeof source.request.body === 'string' ? templates.resolve(source.request.body) : JSON.stringify(source.request.body);
        if (typeof source.request.body !== 'string') headers['content-type'] ??= 'application/json';
      }
      const started = ports.clock.now();
      let result = await fetchWithCache(url, source.request.method, headers, body);
      if (result.outcome.ok && result.outcome.response.status === 401 && source.auth.type === 'oauth2') {
        // The token may have been revoked early: fetch a new one once, then give up.
        auth.invalidate();
        const again = await auth.apply();
        result = await fetchWithCache(url, source.request.method, { ...headers, ...again.headers }, body);
      }
      out.ms = ports.clock.now() - started;
      const { outcome } = result;
      if (!outcome.ok) {
        fetchFailure(item, url, outcome, out);
        out.fatal = `${url}: ${outcome.reason}`;
        return;
      }
      const res = outcome.response;
      out.status = result.notModified ? 304 : res.status;
      out.notModified = result.notModified;
      out.bytes = res.wireBytes ?? res.body.byteLength;
      noteRetries(outcome.attempts, url);
      if (res.status >= 400 || !result.body) {
        out.error = true;
        out.skip = { url, reason: `http-${res.status}`, source_id: source.id };
        out.fatal = `${url} answered ${res.status}`;
        return;
      }
      let json: unknown;
      try {
        json = JSON.parse(decodeBody(result.body, result.contentType, 'json').text);
      } catch {
        out.error = true;
        out.skip = { url, reason: 'invalid-json', source_id: source.id };
        out.fatal = `${url} did not return JSON`;
        return;
      }
      let extractor = extractors.get(source.id) as JsonExtractor | undefined;
      if (!extractor) {
        extractor = compileJsonExtractor(source);
        extractors.set(source.id, extractor);
      }
      const extraction = extractor.extract(json, outcome.finalUrl);
      out.warnings.push(...extraction.warnings);
      out.observed = { recordCount: extraction.recordCount, matchCounts: extraction.matchCounts };
      const src = provenance(source, outcome.finalUrl, out.status, res.headers, result.body, new Date(ports.clock.now()).toISOString());
      judge(extraction.records, source, src, out);
      const step = nextPage(source.pagination, item.page, { json, headers: res.headers, recordCount: extraction.recordCount, url: outcome.finalUrl });
      if ('next' in step) out.links.push({ kind: 'api', sourceId: source.id, page: step.next });
      else if (step.warning) out.warnings.push(step.warning);
    }

    // The fetcher retries on its own; its attempt count is how the run learns of retries.
    function noteRetries(attempts: number, url: string): void {
      for (let attempt = 2; attempt <= attempts; attempt++) {
        counts.retries += 1;
        emit({ type: 'retry', url, attempt, reason: 'retried by the polite fetcher (see the log for why)' });
      }
    }

    async function processItem(item: FrontierItem): Promise<Processed> {
      const out: Processed = {
        item,
        url: item.kind === 'api' ? (item.page.url ?? (sources.get(item.sourceId) as ApiSource | undefined)?.request.url ?? '') : item.url,
        status: 0,
        notModified: false,
        bytes: 0,
        ms: 0,
        records: [],
        failed: [],
        links: [],
        linkSkips: [],
        warnings: [],
      };
      const source = sources.get(item.sourceId);
      try {
        if (!source) {
          out.skip = { url: out.url, reason: 'unknown-source', source_id: item.sourceId };
        } else if (item.kind === 'api') {
          if (source.kind !== 'api') out.skip = { url: out.url, reason: 'wrong-source-kind', source_id: item.sourceId };
          else await processApi(item, source, out);
        } else if (source.kind !== 'scrape') {
          out.skip = { url: out.url, reason: 'wrong-source-kind', source_id: item.sourceId, detail: `${source.id} is an API source; links cannot be followed into it` };
        } else if (item.kind === 'sitemap') await processSitemap(item, source, out);
        else await processPage(item, source, out);
      } catch (e) {
        out.error = true;
        out.skip = { url: out.url, reason: 'error', source_id: item.sourceId, detail: safeMessage(e) };
      }
      return out;
    }

    // ---- committing (one page at a time) ----

    let commitChain: Promise<void> = Promise.resolve();
    let sessionPages = 0;

    function commit(p: Processed): Promise<void> {
      const task = commitChain.then(() => commitNow(p));
      commitChain = task.catch(() => undefined);
      return task;
    }

    async function commitNow(p: Processed): Promise<void> {
      const kept: Record<string, unknown>[] = [];
      let duplicates = 0;
      if (p.skip) recordSkip(p.skip);
      if (p.error) counts.errors += 1;
      if (p.observed) fieldStats.observe(p.item.sourceId, p.observed);
      for (const s of p.linkSkips) recordSkip(s);
      for (const w of p.warnings) emit({ type: 'warning', message: w, url: p.url, sourceId: p.item.sourceId });
      if (p.fatal) {
        sourceFailures.push(`source ${p.item.sourceId} stopped: ${p.fatal}`);
        emit({ type: 'warning', message: `source ${p.item.sourceId} stopped: ${p.fatal}`, sourceId: p.item.sourceId });
      }
      const fetched = p.status > 0 && !(p.skip && !p.error);
      if (fetched) {
        counts.requests += 1;
        if (p.notModified) counts.not_modified += 1;
        else counts.pages_fetched += 1;
        counts.bytes += p.bytes;
        state.fetchMsTotal += p.ms;
        sessionPages += 1;
      }
      const source = sources.get(p.item.sourceId);
      let duplicatePage = false;
      if (p.item.kind === 'page' && source?.kind === 'scrape' && source.useCanonical) {
        const identity = p.canonicalUrl ?? p.item.url;
        if (canonicals.has(identity)) duplicatePage = true;
        addCanonical(identity);
        addCanonical(p.item.url);
      }
      if (duplicatePage && p.records.length > 0) {
        bump(counts.duplicates, 'canonical', p.records.length);
        duplicates += p.records.length;
      } else {
        for (const [i, c] of p.records.entries()) {
          if (budget.records !== undefined && counts.records + kept.length >= budget.records) {
            budgetStop ??= 'budget-records';
            // Not silently: the records past the budget are counted and named with their page.
            recordSkip({ url: p.url, reason: 'budget-records', source_id: p.item.sourceId, detail: `${p.records.length - i} record(s) past budget.records not kept` });
            break;
          }
          const verdict = deduper.check(c.values);
          if (verdict.duplicate) {
            bump(counts.duplicates, verdict.reason);
            duplicates += 1;
            continue;
          }
          deduper.add(c.values);
          kept.push(c.values);
        }
      }
      counts.records += kept.length;
      counts.failed += p.failed.length;
      for (const link of p.links) {
        // A link to a URL already queued (after canonicalisation, e.g. with a tracking parameter
        // removed) is a duplicate page caught before it was fetched.
        if (!queue(link) && link.kind === 'page') bump(counts.duplicates, 'url');
      }
      finish(p.item);
      await output.append(kept, p.failed);
      await timedCheckpoint('running', true);
      // The validator cache is only an optimisation; saving it now and then bounds what a
      // kill -9 costs the next run in refetches.
      if (fetched && sessionPages % 25 === 0) await cache.save();
      emit({ type: 'page', sourceId: p.item.sourceId, url: p.url, status: p.status, notModified: p.notModified, records: kept.length, failed: p.failed.length, duplicates, bytes: p.bytes, ms: p.ms });
      if (kept.length > 0 || p.failed.length > 0) {
        emit({ type: 'record-batch', sourceId: p.item.sourceId, url: p.url, count: kept.length, failed: p.failed.length, total: counts.records });
      }
      const elapsed = Math.max(1, ports.clock.now() - sessionStart);
      const rate = (sessionPages * 1000) / elapsed;
      const remaining = budget.pages !== undefined ? Math.min(frontier.pendingCount, Math.max(0, budget.pages - counts.pages_fetched)) : frontier.pendingCount;
      emit({
        type: 'progress',
        pages: counts.pages_fetched + counts.not_modified,
        records: counts.records,
        failed: counts.failed,
        skipped: Object.values(counts.skipped).reduce((a, b) => a + b, 0),
        errors: counts.errors,
        retries: counts.retries,
        rate: Math.round(rate * 100) / 100,
        pending: frontier.pendingCount + frontier.inFlightCount,
        ...(rate > 0 ? { etaMs: Math.round((remaining / rate) * 1000) } : {}),
      });
    }

    // ---- the worker pool ----

    let wake: (() => void) | undefined;
    let wakePromise: Promise<void> | undefined;
    const notify = (): void => {
      const w = wake;
      wake = undefined;
      wakePromise = undefined;
      w?.();
    };
    const changed = (): Promise<void> => {
      wakePromise ??= new Promise<void>((resolve) => {
        wake = resolve;
      });
      return wakePromise;
    };
    const onAbort = (): void => {
      stopReason ??= 'interrupted';
      notify();
    };
    ports.signal?.addEventListener('abort', onAbort);
    if (ports.signal?.aborted) onAbort();

    const stopped = (): boolean => failed || ports.signal?.aborted === true || budgetStop !== undefined;
    const checkBudgets = (): void => {
      if (budget.timeMs !== undefined && state.elapsedMs + (ports.clock.now() - sessionStart) >= budget.timeMs) budgetStop ??= 'budget-time';
      if (budget.records !== undefined && counts.records >= budget.records) budgetStop ??= 'budget-records';
    };
    let pagesStarted = counts.pages_fetched + counts.not_modified;

    async function worker(): Promise<void> {
      for (;;) {
        checkBudgets();
        if (stopped()) return;
        const item = frontier.take();
        if (!item) {
          if (frontier.inFlightCount === 0) return;
          await changed();
          continue;
        }
        if (item.kind !== 'sitemap' && budget.pages !== undefined && pagesStarted >= budget.pages) {
          finish(item);
          recordSkip({ url: item.kind === 'api' ? `${item.sourceId} page ${item.page.index + 1}` : item.url, reason: 'budget-pages', source_id: item.sourceId });
          // The rest of the frontier is skipped with the same reason when the run ends.
          budgetStop ??= 'budget-pages';
          continue;
        }
        if (item.kind !== 'sitemap') pagesStarted += 1;
        try {
          const processed = await processItem(item);
          // A page never requested (robots, a bad URL) does not count against budget.pages.
          if (processed.status === 0 && item.kind !== 'sitemap') pagesStarted -= 1;
          await commit(processed);
        } catch (e) {
          // Writing failed (disk full, permissions): the run cannot keep its promises; stop it.
          failed = true;
          stopReason ??= `writing the output failed: ${safeMessage(e)}`;
        } finally {
          notify();
        }
      }
    }

    if (!failed) {
      const n = Math.max(1, Math.min(spec.politeness.concurrencyTotal, 64));
      await Promise.all(Array.from({ length: n }, () => worker()));
      await commitChain;
    }
    ports.signal?.removeEventListener('abort', onAbort);

    // ---- finishing ----

    let status: RunStatus;
    if (failed) status = 'failed';
    else if (ports.signal?.aborted) status = 'stopped';
    else status = 'completed';
    if (status === 'completed' && sourceFailures.length > 0) {
      // Every source gave up and nothing was collected: that is a failed run, not an empty dataset.
      if (counts.records === 0 && counts.failed === 0) status = 'failed';
      stopReason ??= sourceFailures.join('; ');
    }
    if (status === 'completed' && budgetStop) {
      stopReason = budgetStop;
      for (const item of frontier.drain()) {
        recordSkip({ url: item.kind === 'api' ? `${item.sourceId} page ${item.page.index + 1}` : item.url, reason: budgetStop, source_id: item.sourceId });
      }
    }
    state.stopReason = stopReason;
    try {
      await timedCheckpoint(status);
      await output.close();
      await cache.save();
      // Parquet: the records file is written from the committed JSON Lines now (output/parquet.ts).
      await output.finishRecords();
    } catch (e) {
      status = 'failed';
      stopReason = `writing the output failed: ${safeMessage(e)}`;
    }

    const manifest = buildManifest(status, stopReason);
    const recordsFile = output.recordsFile;
    manifest.files = await describeFiles(runDir, [
      ...output.recordFileEntries(),
      { path: RUN_FILES.failed, role: 'failed', encoding_format: 'application/jsonlines' },
    ]);
    const datasheet = renderDatasheet(spec, manifest);
    await writeFileAtomic(join(runDir, RUN_FILES.datasheet), redactor.redact(datasheet));
    const croissant = buildCroissant(spec, manifest, { url: `file://${runDir.replace(/\\/g, '/')}` });
    await writeFileAtomic(join(runDir, RUN_FILES.croissant), `${JSON.stringify(redactor.redactDeep(croissant), null, 2)}\n`);
    manifest.files.push(
      ...(await describeFiles(runDir, [
        { path: RUN_FILES.datasheet, role: 'datasheet', encoding_format: 'text/markdown' },
        { path: RUN_FILES.croissant, role: 'croissant', encoding_format: 'application/ld+json' },
      ])),
    );
    await writeManifest(runDir, manifest, redactor);
    if (status === 'completed') await sealRunDir(runDir);

    // Run diagnostics: fields that matched (almost) nothing, follow rules that found no link.
    const stats = fieldStats.stats();
    emit({ type: 'field-stats', stats });
    for (const w of fieldStats.warnings()) {
      const stat = w.field !== undefined ? stats.find((s) => s.sourceId === w.sourceId && s.field === w.field) : undefined;
      emit({ type: 'warning', message: w.message, sourceId: w.sourceId, specPath: w.specPath, code: w.code, ...(stat ? { field: stat.field, pages: stat.pages, unmatched: stat.unmatched } : {}) });
    }

    const summary: RunSummary = {
      runId,
      runDir,
      status,
      ...(stopReason ? { reason: stopReason } : {}),
      counts,
      fieldStats: stats,
      durationMs: state.elapsedMs + (ports.clock.now() - sessionStart),
      files: {
        records: join(runDir, recordsFile),
        failed: join(runDir, RUN_FILES.failed),
        manifest: join(runDir, RUN_FILES.manifest),
        datasheet: join(runDir, RUN_FILES.datasheet),
        croissant: join(runDir, RUN_FILES.croissant),
        checkpoint: join(runDir, RUN_FILES.checkpoint),
      },
    };
    log.info(`run ${runId} ${status}${stopReason ? ` (${stopReason})` : ''}: ${counts.records} records, ${counts.failed} failed`);
    emit({ type: 'done', status, ...(stopReason ? { reason: stopReason } : {}), summary });
    return redactor.redactDeep(summary);

    function buildManifest(s: RunStatus, reason?: string): RunManifest {
      const now = ports.clock.now();
      const duration = state.elapsedMs + (now - sessionStart);
      return {
        manifest_version: 1,
        run_id: runId,
        generator: GENERATOR,
        spec: { name: spec.metadata.name, description: spec.metadata.description, path: relative(runDir, input.specPath) || input.specPath, sha256: specSha256, ...(spec.metadata.owner ? { owner: spec.metadata.owner } : {}) },
        user_agent: spec.metadata.userAgent,
        licence: {
          ...(spec.licence.spdx ? { spdx: spec.licence.spdx } : {}),
          intended_use: [...spec.licence.intendedUse],
          ...(spec.licence.attribution ? { attribution: spec.licence.attribution } : {}),
          ...(spec.licence.termsUrl ? { terms_url: spec.licence.termsUrl } : {}),
        },
        sources: selected.map((x) => ({ id: x.id, kind: x.kind, urls: sourceUrls(x) })),
        status: s,
        ...(reason ? { status_reason: reason } : {}),
        started_at: state.startedAt,
        ...(s !== 'running' ? { ended_at: new Date(now).toISOString() } : {}),
        resumes: state.resumes,
        counts,
        skips: state.skips,
        robots: [...robotsSeen.values()],
        timings: { duration_ms: duration, fetch_ms_total: state.fetchMsTotal, pages_per_second: duration > 0 ? Math.round(((counts.pages_fetched + counts.not_modified) * 1000 * 100) / duration) / 100 : 0,
          checkpoints,
          checkpoint_ms_total: checkpointMs,
        },
        http_cache: { path: relative(runDir, cache.dir), hits_304: counts.not_modified },
        field_stats: fieldStats.stats().map((f) => ({ source: f.sourceId, field: f.field, pages: f.pages, pages_unmatched: f.unmatched, records: f.records, records_with_value: f.matched, spec_path: f.specPath })),
        files: [],
      };
    }
  }
}

/** The dedupe options a spec asks for (provenance columns never count as content). */
function dedupeOptions(spec: CollectionSpec): ConstructorParameters<typeof Deduper>[0] {
  return {
    key: spec.records.key,
    contentHash: spec.records.dedupe.contentHash,
    ...(spec.records.dedupe.nearDuplicates ? { nearDuplicates: spec.records.dedupe.nearDuplicates } : {}),
    provenanceFields: ['_source', '_source_url', '_fetched_at'],
  };
}

/** CSV columns: every dataset field (rules, extracted, derived), then the provenance columns. */
export function csvColumns(spec: CollectionSpec): string[] {
  const names = datasetFields(spec).map((f) => f.name);
  if (spec.output.provenance) names.push('_source_url', '_fetched_at');
  return names;
}

function lowerKeys(h: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(h).map(([k, v]) => [k.toLowerCase(), v]));
}

/** The request URL of an API page: the spec URL and params (or the next link), pagination and auth query. */
function buildApiUrl(baseUrl: string, params: Record<string, string>, nextUrl: string | undefined, pageParams: Record<string, string>, authQuery: Record<string, string>): string {
  const u = new URL(nextUrl ?? baseUrl);
  if (!nextUrl) {
    for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
    for (const [k, v] of Object.entries(pageParams)) u.searchParams.set(k, v);
  }
  for (const [k, v] of Object.entries(authQuery)) if (!u.searchParams.has(k)) u.searchParams.set(k, v);
  return u.toString();
}

/** Marks a finished run's files read-only: a completed run directory is immutable. */
async function sealRunDir(runDir: string): Promise<void> {
  for (const name of await fs.readdir(runDir)) {
    if (name === RUN_LOCK_FILE) continue;
    await fs.chmod(join(runDir, name), 0o444).catch(() => undefined);
  }
}
