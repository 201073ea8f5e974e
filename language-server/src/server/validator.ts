/**
 * Where specs are parsed for diagnostics. A 50,000-line spec takes one to three seconds to parse
 * and check, and the language server has one event loop: parsed on it, every hover, completion
 * and cancellation would wait. So validation runs on a worker thread (the same bundle, started
 * with `workerData.role === 'gleaner-validator'`), and only plain data comes back: the
 * findings and what the robots.txt feature needs. Requests keep using the main thread's
 * own parse cache (see spec-cache.ts), which maps positions through recent edits.
 */
import { Worker, parentPort } from 'node:worker_threads';
import type { TextDocument } from 'vscode-languageserver-textdocument';
import { parseSpec, type SpecDiagnostic, type SpecParseResult } from '../engine/spec';
import type { CodeLens, DocumentSymbol } from 'vscode-languageserver';
import type { SourceSummary } from '../protocol';
import { codeLenses } from './features/code-lens';
import { robotsContext, robotsUrls, type CheckedUrl, type RobotsContext } from './features/robots';
import { sourceSummaries } from './features/sources';
import { documentSymbols } from './features/symbols';
import { describeError, type ServerLog } from './runner';
import type { SpecCache } from './spec-cache';

/** What a validation produces: plain data, cloneable between threads. */
export interface ValidationOutput {
  version: number;
  diagnostics: SpecDiagnostic[];
  /** What the robots.txt feature needs of the spec (not the whole model: it can be megabytes). */
  robots: RobotsContext;
  /** Start and API URLs with their ranges, for the robots.txt feature. */
  robotsUrls: CheckedUrl[];
  /**
   * The outline, code lenses and sources of this version, computed where it was parsed: the
   * request thread answers from them while the document is at this version, so it never has to
   * parse a huge spec itself just to draw the outline. A worker sends them just after the
   * diagnostics (see runValidationWorker); until they arrive, requests answer from the last parse
   * mapped through the edits, as they do for a version not validated yet.
   */
  symbols?: DocumentSymbol[];
  lenses?: CodeLens[];
  sources?: SourceSummary[];
}

/** The part of a ValidationOutput a worker sends after the diagnostics. */
type ValidationExtras = Pick<ValidationOutput, 'symbols' | 'lenses' | 'sources'>;

/** Validates spec texts, on this thread or another. */
export interface Validator {
  validate(uri: string, version: number, text: string): Promise<ValidationOutput>;
  /**
   * Readies the validator for later versions of `text` without producing anything: a worker
   * starts and parses it once, so the first edits are checked by compiled code rather than by a
   * cold thread (the parse of a large spec runs three to four times slower the first times).
   */
  warm?(text: string): void;
  /** Gets ready to validate (a worker starts loading) before there is anything to validate. */
  prepare?(): void;
  dispose(): Promise<void>;
}

/** The `workerData.role` that makes the server bundle run as a validation worker. */
export const WORKER_ROLE = 'gleaner-validator';

/** The ValidationOutput of a parse of `uri`. */
export function outputOf(uri: string, version: number, result: SpecParseResult): ValidationOutput {
  return {
    version,
    diagnostics: result.diagnostics,
    robots: robotsContext(result.model),
    robotsUrls: robotsUrls(result),
    symbols: documentSymbols(result),
    lenses: codeLenses(result, uri),
    sources: sourceSummaries(result),
  };
}

/**
 * The ValidationOutput of a parse that stays on this thread: the diagnostics at once, the rest
 * computed on first use. The first publish of a newly opened spec so waits only for its
 * diagnostics; the outline and code lenses are drawn when the editor asks for them.
 */
function lazyOutputOf(uri: string, version: number, result: SpecParseResult): ValidationOutput {
  const memo = <T>(compute: () => T): (() => T) => {
    let value: { v: T } | undefined;
    return () => (value ??= { v: compute() }).v;
  };
  const robots = memo(() => robotsContext(result.model));
  const urls = memo(() => robotsUrls(result));
  const symbols = memo(() => documentSymbols(result));
  const lenses = memo(() => codeLenses(result, uri));
  const sources = memo(() => sourceSummaries(result));
  return {
    version,
    diagnostics: result.diagnostics,
    get robots() {
      return robots();
    },
    get robotsUrls() {
      return urls();
    },
    get symbols() {
      return symbols();
    },
    get lenses() {
      return lenses();
    },
    get sources() {
      return sources();
    },
  };
}

/** Parses and extracts what the server needs. Runs on whichever thread calls it. */
export function validateText(uri: string, version: number, text: string): ValidationOutput {
  return outputOf(uri, version, parseSpec(text));
}

/**
 * The server's validator: the first parse of a document runs on the main thread through the
 * request cache, because every request needs that parse anyway (one parse at open instead of
 * two competing for the CPU); every later version is validated by `later` (the worker) while
 * requests are answered from the first parse mapped through the edits.
 */
export function firstParseHere(specs: SpecCache, documents: { get(uri: string): TextDocument | undefined }, later: Validator): Validator {
  return {
    validate(uri, version, text) {
      const document = documents.get(uri);
      if (document && document.version === version && !specs.has(uri)) {
        // The worker warms up on the same text meanwhile, on the other core.
        later.warm?.(text);
        return Promise.resolve(lazyOutputOf(uri, version, specs.get(document)));
      }
      return later.validate(uri, version, text);
    },
    dispose: () => later.dispose(),
  };
}

/** A validator on the calling thread (unit tests, and the fallback when a worker cannot start). */
export function inProcessValidator(): Validator {
  return {
    validate: async (uri, version, text) => validateText(uri, version, text),
    dispose: async () => undefined,
  };
}

interface Request {
  id: number;
  uri: string;
  version: number;
  text: string;
  /** Parse only, answer nothing (see Validator.warm). */
  warm?: boolean;
}

type Reply = { id: number; output: ValidationOutput } | { id: number; extras: ValidationExtras } | { id: number; error: string };

/**
 * A validator on a worker thread running `script` (the server bundle itself). If the worker
 * fails to start or dies, pending validations reject and later ones run in-process, so a broken
 * worker costs responsiveness, never diagnostics.
 */
export function workerValidator(script: string, log: ServerLog): Validator {
  let worker: Worker | undefined;
  let broken = false;
  let nextId = 1;
  const pending = new Map<number, { resolve: (o: ValidationOutput) => void; reject: (e: Error) => void }>();
  const awaitingExtras = new Map<number, ValidationOutput>();
  const fallback = inProcessValidator();

  const fail = (message: string): void => {
    broken = true;
    worker = undefined;
    log.error(`validation worker stopped (${message}); validating on the main thread from now on`);
    for (const p of pending.values()) p.reject(new Error(message));
    pending.clear();
    awaitingExtras.clear();
  };

  const start = (): Worker => {
    // stdout/stderr are piped to the log: a worker's console would otherwise write to the
    // process's stdout, which is the JSON-RPC channel.
    const w = new Worker(script, { workerData: { role: WORKER_ROLE }, stdout: true, stderr: true });
    w.stdout.setEncoding('utf8').on('data', (chunk: string) => log.log(`[validator] ${chunk.trimEnd()}`));
    w.stderr.setEncoding('utf8').on('data', (chunk: string) => log.error(`[validator] ${chunk.trimEnd()}`));
    w.on('message', (reply: Reply) => {
      if ('extras' in reply) {
        // The published output gains its outline, lenses and sources in place.
        const output = awaitingExtras.get(reply.id);
        awaitingExtras.delete(reply.id);
        if (output) Object.assign(output, reply.extras);
        return;
      }
      const p = pending.get(reply.id);
      if (!p) return;
      pending.delete(reply.id);
      if ('output' in reply) {
        awaitingExtras.set(reply.id, reply.output);
        p.resolve(reply.output);
      } else p.reject(new Error(reply.error));
    });
    w.on('error', (error) => fail(describeError(error)));
    w.on('exit', (code) => {
      if (worker === w) fail(`exit code ${code}`);
    });
    // The worker must never keep the server alive on its own.
    w.unref();
    return w;
  };

  return {
    validate(_uri, version, text) {
      if (broken) return fallback.validate(_uri, version, text);
      worker ??= start();
      const id = nextId++;
      const request: Request = { id, uri: _uri, version, text };
      return new Promise<ValidationOutput>((resolve, reject) => {
        pending.set(id, { resolve, reject });
        worker!.postMessage(request);
      }).catch(() => fallback.validate(_uri, version, text));
    },
    warm(text) {
      if (broken) return;
      worker ??= start();
      const request: Request = { id: 0, uri: '', version: 0, text, warm: true };
      worker.postMessage(request);
    },
    prepare() {
      if (!broken) worker ??= start();
    },
    async dispose() {
      const w = worker;
      worker = undefined;
      broken = true;
      if (w) await w.terminate();
    },
  };
}

/** How many times a warm-up parses its text (see runValidationWorker). */
const WARM_PASSES = 4;

/** The worker side: answers each request with its validation. Call only on a worker thread. */
export function runValidationWorker(): void {
  const port = parentPort;
  if (!port) return;
  // A warm-up parses its text a few times, one pass per turn of the event loop, and stops as
  // soon as a real request arrives: V8 compiles the hot parts of the parser only after several
  // runs, and a real request must never wait behind more than the pass already running.
  let warmGeneration = 0;
  port.on('message', (request: Request) => {
    const generation = ++warmGeneration;
    if (request.warm) {
      let passes = WARM_PASSES;
      const pass = (): void => {
        if (generation !== warmGeneration || passes-- <= 0) return;
        try {
          validateText(request.uri, request.version, request.text);
        } catch {
          // A warm-up has no one to tell; the real validation of this text will report it.
          return;
        }
        setImmediate(pass);
      };
      pass();
      return;
    }
    // The diagnostics go first, and the outline, lenses and sources (a third of the work on a
    // large spec, and most of what is copied between threads) follow in a second message.
    let parsed: SpecParseResult;
    try {
      parsed = parseSpec(request.text);
      const first: ValidationOutput = { version: request.version, diagnostics: parsed.diagnostics, robots: robotsContext(parsed.model), robotsUrls: robotsUrls(parsed) };
      port.postMessage({ id: request.id, output: first } satisfies Reply);
    } catch (error) {
      // parseSpec never throws on user input; this is a bug, reported as such.
      port.postMessage({ id: request.id, error: describeError(error) } satisfies Reply);
      return;
    }
    let extras: ValidationExtras = {};
    try {
      extras = { symbols: documentSymbols(parsed), lenses: codeLenses(parsed, request.uri), sources: sourceSummaries(parsed) };
    } catch {
      // Requests then answer from the request thread's own parse, as before the extras arrive.
    }
    port.postMessage({ id: request.id, extras } satisfies Reply);
  });
}
