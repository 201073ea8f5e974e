/**
 * The `gleaner` command line: argv → engine → stdout and exit codes. Human output and the
 * progress bar go to stderr; `--json` puts one JSON object per line on stdout, nothing else.
 */
import { Command, CommanderError } from 'commander';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import {
  createHttpClient,
  envSecrets,
  parseSpec,
  RobotsCache,
  runCollection,
  RUN_FILES,
  RUN_INFO_FILE,
  RUN_SPEC_FILE,
  systemClock,
  systemRandom,
  systemSleep,
} from '../engine/index';
import type { Checkpoint, CollectionSpec, CrawlState, RunEvent, RunSummary, SpecDiagnostic } from '../engine/index';
import { runDemo } from './demo';
import { stderrLogger } from './node-ports';
import { ProgressBar } from './progress';
import { formatSummary } from './summary';

/** Exit codes, as documented in `gleaner --help`. */
export const EXIT = { ok: 0, specErrors: 1, usage: 2, runFailed: 3, interrupted: 4 } as const;

const EXIT_HELP = `
Exit codes:
  0  success
  1  the spec has errors (see \`gleaner check\`)
  2  usage error (unknown command or option, missing file)
  3  the run failed (see the manifest's status_reason)
  4  the run was interrupted; continue it with \`gleaner resume <run-dir>\`

Secrets: \${env:NAME} reads the environment; \${secret:NAME} reads GLEANER_SECRET_NAME (or NAME).`;

/** An error the CLI reports as one line and an exit code, never as a stack trace. */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

/** `path:line:col severity code message` (1-based line and column). */
export function formatDiagnostic(path: string, d: SpecDiagnostic): string {
  return `${path}:${d.range.start.line + 1}:${d.range.start.character + 1} ${d.severity} ${d.code} ${d.message}`;
}

function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new CliError(`${path}: cannot read the file (${code})`, EXIT.usage);
  }
}

/** `gleaner check`: prints diagnostics; returns the exit code. */
export function checkCommand(paths: string[], options: { json?: boolean }, out: (s: string) => void): number {
  let errors = 0;
  const all: object[] = [];
  for (const path of paths) {
    const { diagnostics } = parseSpec(readText(path));
    for (const d of diagnostics) {
      if (d.severity === 'error') errors += 1;
      if (options.json) {
        all.push({ file: path, line: d.range.start.line + 1, column: d.range.start.character + 1, severity: d.severity, code: d.code, message: d.message });
      } else out(`${formatDiagnostic(path, d)}\n`);
    }
  }
  if (options.json) out(`${JSON.stringify(all)}\n`);
  else if (errors === 0) out(`${paths.length} spec${paths.length === 1 ? '' : 's'} checked: no errors\n`);
  return errors > 0 ? EXIT.specErrors : EXIT.ok;
}

/** Parses a spec file; throws CliError (exit 1) listing its errors. Warnings go to `warn`. */
export function loadSpec(path: string, text: string, warn: (s: string) => void): CollectionSpec {
  const { model, diagnostics } = parseSpec(text);
  const errors = diagnostics.filter((d) => d.severity === 'error');
  for (const d of diagnostics.filter((x) => x.severity === 'warning')) warn(`${formatDiagnostic(path, d)}\n`);
  if (errors.length > 0) throw new CliError(errors.map((d) => formatDiagnostic(path, d)).join('\n'), EXIT.specErrors);
  return model;
}

/** A fresh run directory name: `<spec name>-<UTC timestamp>`, made unique in `outDir`. */
export function newRunDir(outDir: string, name: string, now: number): string {
  const stamp = new Date(now).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const safe = (name || 'run').replace(/[^A-Za-z0-9._-]+/g, '-');
  let dir = join(outDir, `${safe}-${stamp}`);
  for (let i = 2; existsSync(dir) && i < 1000; i++) dir = join(outDir, `${safe}-${stamp}-${i}`);
  return dir;
}

/** Options shared by run, resume and demo. */
export interface ExecuteOptions {
  json?: boolean;
  verbose?: boolean;
  /** Extra environment for secret resolution (the demo's credentials). */
  env?: NodeJS.ProcessEnv;
  stdout?: (s: string) => void;
  stderr?: NodeJS.WriteStream;
}

/** Runs (or resumes) one spec with real ports; SIGINT/SIGTERM stop it gracefully. */
export async function execute(
  input: { spec: CollectionSpec; specText: string; specPath: string; runDir: string; sourceIds?: string[]; resume?: boolean },
  options: ExecuteOptions,
): Promise<RunSummary> {
  const stdout = options.stdout ?? ((s: string) => process.stdout.write(s));
  const stderr = options.stderr ?? process.stderr;
  const bar = new ProgressBar(stderr);
  const controller = new AbortController();
  let signals = 0;
  const onSignal = (sig: NodeJS.Signals): void => {
    signals += 1;
    if (signals === 1) {
      bar.clear();
      if (!options.json) stderr.write(`${sig}: finishing the pages in flight, then stopping (again to quit at once; the run stays resumable)\n`);
      controller.abort();
    } else {
      // A second signal: leave now. The last checkpoint still makes the run resumable.
      process.exit(EXIT.interrupted);
    }
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const http = createHttpClient();
  try {
    return await runCollection(
      input,
      {
        http,
        clock: systemClock,
        sleep: systemSleep,
        random: systemRandom,
        logger: stderrLogger(options.verbose === true),
        secrets: envSecrets({ ...process.env, ...options.env }),
        signal: controller.signal,
      },
      (e: RunEvent) => {
        if (options.json) stdout(`${JSON.stringify(e)}\n`);
        else if (e.type === 'progress') bar.update(e);
        else if (e.type === 'warning' && (options.verbose || e.specPath !== undefined)) {
          // A warning about the spec (a selector that matched nothing) is shown without --verbose.
          bar.clear();
          stderr.write(`warning: ${e.url ? `${e.url}: ` : ''}${e.message}\n`);
        }
      },
    );
  } finally {
    bar.clear();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await http.close();
  }
}

function exitFor(summary: RunSummary): number {
  return summary.status === 'completed' ? EXIT.ok : summary.status === 'stopped' ? EXIT.interrupted : EXIT.runFailed;
}

async function confirm(question: string): Promise<boolean> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = await new Promise<string>((res) => rl.question(question, res));
    return /^y(es)?$/i.test(answer.trim());
  } finally {
    rl.close();
  }
}

async function runCommand(specPath: string, options: { source?: string[]; out?: string; json?: boolean; yes?: boolean; verbose?: boolean }): Promise<number> {
  const text = readText(specPath);
  let warnings = 0;
  const spec = loadSpec(specPath, text, (s) => {
    warnings += 1;
    process.stderr.write(s);
  });
  if (warnings > 0 && !options.yes && !options.json && process.stdin.isTTY && process.stderr.isTTY) {
    if (!(await confirm(`${warnings} warning${warnings === 1 ? '' : 's'} above. Run anyway? [y/N] `))) return EXIT.ok;
  }
  const unknown = (options.source ?? []).filter((id) => !spec.sources.some((x) => x.id === id));
  if (unknown.length > 0) {
    throw new CliError(`${specPath}: no source with id ${unknown.join(', ')} (sources: ${spec.sources.map((x) => x.id).join(', ')})`, EXIT.usage);
  }
  const outDir = resolve(options.out ?? join(dirname(resolve(specPath)), spec.output.directory));
  const runDir = newRunDir(outDir, spec.metadata.name, Date.now());
  if (!options.json) process.stderr.write(`run directory: ${runDir}\n`);
  const summary = await execute({ spec, specText: text, specPath: resolve(specPath), runDir, sourceIds: options.source }, options);
  if (!options.json) process.stderr.write(formatSummary(spec.metadata.name || specPath, summary));
  if (summary.status === 'stopped' && !options.json) process.stderr.write(`resume with: gleaner resume ${runDir}\n`);
  return exitFor(summary);
}

async function resumeCommand(runDir: string, options: { json?: boolean; verbose?: boolean }): Promise<number> {
  const dir = resolve(runDir);
  if (!existsSync(join(dir, RUN_SPEC_FILE)) || !existsSync(join(dir, RUN_INFO_FILE))) {
    throw new CliError(`${dir}: not a Gleaner run directory (no ${RUN_SPEC_FILE} / ${RUN_INFO_FILE} in it)`, EXIT.usage);
  }
  const specText = readText(join(dir, RUN_SPEC_FILE));
  const info = JSON.parse(readText(join(dir, RUN_INFO_FILE))) as { specPath?: string; sourceIds?: string[] };
  let checkpoint: Checkpoint<CrawlState> | undefined;
  try {
    checkpoint = JSON.parse(readFileSync(join(dir, RUN_FILES.checkpoint), 'utf8')) as Checkpoint<CrawlState>;
  } catch {
    checkpoint = undefined;
  }
  let manifestStatus: string | undefined;
  try {
    manifestStatus = (JSON.parse(readFileSync(join(dir, RUN_FILES.manifest), 'utf8')) as { status?: string }).status;
  } catch {
    manifestStatus = undefined;
  }
  // Both must say so: a kill between the final checkpoint and the manifest leaves the manifest
  // at `running`, and resuming then only writes the paper trail again.
  if (checkpoint?.status === 'completed' && manifestStatus === 'completed') {
    process.stderr.write(`${dir}: the run is already completed; nothing to resume\n`);
    return EXIT.ok;
  }
  const spec = loadSpec(join(dir, RUN_SPEC_FILE), specText, () => undefined);
  const summary = await execute(
    { spec, specText, specPath: info.specPath ?? join(dir, RUN_SPEC_FILE), runDir: dir, sourceIds: info.sourceIds?.length ? info.sourceIds : undefined, resume: true },
    options,
  );
  if (!options.json) process.stderr.write(formatSummary(spec.metadata.name || dir, summary));
  return exitFor(summary);
}

async function robotsCommand(url: string, options: { agent: string; json?: boolean }): Promise<number> {
  try {
    new URL(url);
  } catch {
    throw new CliError(`${url}: not a valid URL`, EXIT.usage);
  }
  const http = createHttpClient();
  try {
    const cache = new RobotsCache({ http, clock: systemClock, userAgent: options.agent });
    const decision = await cache.check(url);
    const entry = await cache.lookup(url);
    if (options.json) {
      process.stdout.write(`${JSON.stringify({ url, agent: options.agent, ...decision, sitemaps: entry.sitemaps })}\n`);
    } else {
      const out = [
        `${url}: ${decision.allowed ? 'allowed' : 'disallowed'} for ${options.agent}`,
        `  reason:      ${decision.reason}`,
        `  robots.txt:  ${decision.robotsUrl}${decision.status !== undefined ? ` (HTTP ${decision.status})` : ''}`,
      ];
      if (decision.rule) out.push(`  line ${decision.rule.line}:     ${decision.rule.text}`);
      out.push(`  crawl-delay: ${decision.crawlDelayMs !== undefined ? `${decision.crawlDelayMs / 1000}s` : 'none'}`);
      if (decision.contentSignal) out.push(`  content-signal: ${Object.entries(decision.contentSignal).map(([k, v]) => `${k}=${v}`).join(', ')}`);
      for (const s of entry.sitemaps) out.push(`  sitemap:     ${s}`);
      process.stdout.write(`${out.join('\n')}\n`);
    }
    return EXIT.ok;
  } finally {
    await http.close();
  }
}

/** Builds the commander program; actions set `result.code`. */
export function buildProgram(result: { code: number }): Command {
  const program = new Command();
  program
    .name('gleaner')
    .description('Check, run and resume polite, resumable web and API collection specs.')
    .version('0.1.0')
    .addHelpText('after', EXIT_HELP)
    .showSuggestionAfterError()
    .exitOverride();
  program
    .command('check')
    .description('check specs; prints path:line:col severity code message')
    .argument('<spec...>', 'spec files (*.collect.yaml)')
    .option('--json', 'print the diagnostics as JSON')
    .action((paths: string[], o: { json?: boolean }) => {
      result.code = checkCommand(paths, o, (s) => process.stdout.write(s));
    });
  program
    .command('run')
    .description('run a spec into a new run directory')
    .argument('<spec>', 'spec file')
    .option('--source <id...>', 'only these sources')
    .option('--out <dir>', 'output directory (default: the spec’s output.directory)')
    .option('--json', 'print one JSON event per line on stdout')
    .option('--yes', 'do not ask before running a spec with warnings')
    .option('--verbose', 'log requests, retries and warnings on stderr')
    .action(async (path: string, o: { source?: string[]; out?: string; json?: boolean; yes?: boolean; verbose?: boolean }) => {
      result.code = await runCommand(path, o);
    });
  program
    .command('resume')
    .description('continue an interrupted run from its last checkpoint')
    .argument('<run-dir>', 'the run directory')
    .option('--json', 'print one JSON event per line on stdout')
    .option('--verbose', 'log requests, retries and warnings on stderr')
    .action(async (dir: string, o: { json?: boolean; verbose?: boolean }) => {
      result.code = await resumeCommand(dir, o);
    });
  program
    .command('robots')
    .description('the robots.txt verdict for a URL: deciding line and crawl-delay')
    .argument('<url>', 'the URL to check')
    .option('--agent <ua>', 'user agent', 'GleanerBot')
    .option('--json', 'print the verdict as JSON')
    .action(async (url: string, o: { agent: string; json?: boolean }) => {
      result.code = await robotsCommand(url, o);
    });
  program
    .command('demo')
    .description('start the demo shop and run the example specs against it')
    .option('--port <port>', 'port of the demo site', '8917')
    .option('--out <dir>', 'output directory', './gleaner-demo-output')
    .option('--keep', 'keep the demo site running after the runs (Ctrl-C to stop)')
    .option('--json', 'print one JSON event per line on stdout')
    .action(async (o: { port: string; out: string; keep?: boolean; json?: boolean }) => {
      const port = Number(o.port);
      if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`--port ${o.port}: not a port number`, EXIT.usage);
      result.code = await runDemo({ port, out: resolve(o.out), keep: o.keep === true, json: o.json === true }, execute);
    });
  return program;
}

/** Runs the CLI with `argv` (as process.argv) and returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const result = { code: EXIT.ok as number };
  const program = buildProgram(result);
  try {
    await program.parseAsync(argv);
    return result.code;
  } catch (e) {
    if (e instanceof CommanderError) {
      return e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help' ? EXIT.ok : EXIT.usage;
    }
    if (e instanceof CliError) {
      process.stderr.write(`${e.message}\n`);
      return e.exitCode;
    }
    // Anything else is a bug in Gleaner; say so in one line rather than a stack trace.
    process.stderr.write(`gleaner: internal error: ${e instanceof Error ? e.message : String(e)}\n`);
    return EXIT.runFailed;
  }
}

if (require.main === module) {
  main(process.argv).then(
    (code) => {
      process.exitCode = code;
    },
    () => {
      process.exitCode = EXIT.runFailed;
    },
  );
}
