/**
 * Runs from the editor: Run Collection spawns `node dist/cli.js run <spec> --json [--source id]`,
 * reads its events line by line, shows a cancellable progress notification and live counters in
 * the status bar, and ends with a summary offering the run's files. Stop Run sends SIGINT, which
 * the CLI answers by checkpointing and exiting; Resume Run spawns `resume <run-dir> --json`.
 *
 * Runs need the network, so they are refused in an untrusted workspace and when
 * `gleaner.network.enabled` is off — also when a command is invoked directly, not only through
 * the menus whose `enablement` hides them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import * as vscode from 'vscode';
import { describe } from './language-client';
import { networkAllowed } from './network-guard';
import type { LazyOutputChannel } from './output-channel';
import { LineSplitter, parseRunEvent, type ReadRunEvent, type RunSummary, type WarningEvent } from './run-event-reader';
import { readRunInfo, runFile } from './run-history';
import { secretEnvName, unresolvedSecretNames } from './secret-refs';
import type { SecretStore } from './secrets';
import type { RunStats, StatusBar } from './status-bar';

/** The context key that is true while a run is in progress (used in `when` clauses). */
export const RUN_ACTIVE_CONTEXT_KEY = 'gleaner.runActive';
const LAST_RUN_KEY = 'gleaner.lastRunDir';
// The CLI prints one event per line; a line longer than this is dropped with a warning.
const MAX_EVENT_LINE = 1024 * 1024;
// The CLI's exit code for "the spec has errors" (documented in `gleaner --help`).
const CLI_EXIT_SPEC_ERRORS = 1;
// How much of the child's stderr is kept to explain a crash.
const STDERR_TAIL_LINES = 20;

interface ActiveRun {
  child: ChildProcess;
  label: string;
  runDir?: string;
  stats: RunStats;
  stopping: boolean;
  /** The spec the run collects with, once known (for the run's diagnostics on it). */
  specUri?: vscode.Uri;
  runId?: string;
  /** Warnings that name a place in the spec. */
  specWarnings: WarningEvent[];
}

/** A run of a spec ended with a summary; its warnings that name a spec path. */
export interface SpecRunEnded {
  specUri: vscode.Uri;
  runId: string;
  status: string;
  warnings: WarningEvent[];
}

/** Owns the one run that may be in progress, and remembers the last one. */
export class RunManager implements vscode.Disposable {
  private active: ActiveRun | undefined;
  private readonly finished = new vscode.EventEmitter<string | undefined>();
  private readonly activeChanged = new vscode.EventEmitter<boolean>();
  private readonly specRunStarted = new vscode.EventEmitter<vscode.Uri>();
  private readonly specRunEnded = new vscode.EventEmitter<SpecRunEnded>();
  /** Fires with the spec's URI when a run of it starts (or resumes). */
  readonly onDidStartSpecRun = this.specRunStarted.event;
  /** Fires when a run of a spec ended with a summary. */
  readonly onDidEndSpecRun = this.specRunEnded.event;
  /** Fires when a run starts (true) or ends (false). */
  readonly onDidChangeActive = this.activeChanged.event;
  /** Fires with the run directory when a run ends (or undefined when it never started). */
  readonly onDidFinish = this.finished.event;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly output: LazyOutputChannel,
    private readonly status: StatusBar,
    private readonly secrets: SecretStore,
  ) {
    void vscode.commands.executeCommand('setContext', RUN_ACTIVE_CONTEXT_KEY, false);
  }

  /** True while a run is in progress. */
  get isActive(): boolean {
    return this.active !== undefined;
  }

  /** The directory of the last run started from this workspace, if any. */
  get lastRunDir(): string | undefined {
    return this.context.workspaceState.get<string>(LAST_RUN_KEY);
  }

  /** Runs the spec at `specUri` (one source of it when `sourceId` is given). */
  async runCollection(specUri: vscode.Uri, sourceId?: string): Promise<void> {
    if (!this.allowed('run collections')) return;
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === specUri.toString());
    if (doc?.isDirty) await doc.save();
    if (specUri.scheme !== 'file') {
      void vscode.window.showWarningMessage('Gleaner can only run a spec saved as a file.');
      return;
    }
    if (!(await this.secretsResolvable(specUri, doc))) return;
    const args = ['run', specUri.fsPath, '--json'];
    if (sourceId) args.push('--source', sourceId);
    const outputDirectory = vscode.workspace.getConfiguration('gleaner', specUri).get<string>('run.outputDirectory', '').trim();
    if (outputDirectory) args.push('--out', isAbsolute(outputDirectory) ? outputDirectory : resolve(dirname(specUri.fsPath), outputDirectory));
    const label = sourceId ? `${basename(specUri.fsPath)} › ${sourceId}` : basename(specUri.fsPath);
    await this.launch(args, label, dirname(specUri.fsPath), specUri);
  }

  /**
   * False, after telling the user, when the spec references a `${secret:NAME}` that is neither
   * stored nor in the environment: the CLI would fail the run with advice for the command line.
   */
  private async secretsResolvable(specUri: vscode.Uri, doc: vscode.TextDocument | undefined): Promise<boolean> {
    let text: string;
    try {
      text = doc?.getText() ?? (await readFile(specUri.fsPath, 'utf8'));
    } catch {
      return true; // Unreadable here: the CLI reports that itself.
    }
    const missing = unresolvedSecretNames(text, this.secrets.names(), process.env);
    if (missing.length === 0) return true;
    const refs = missing.map((n) => `\${secret:${n}}`).join(', ');
    const message = `Gleaner did not run ${basename(specUri.fsPath)}: it uses ${refs}, which ${missing.length === 1 ? 'is' : 'are'} not stored. Store ${missing.length === 1 ? 'it' : 'them'} with "Gleaner: Set Secret" (a run receives ${secretEnvName(missing[0])}).`;
    this.output.appendLine(message);
    void vscode.window.showErrorMessage(message, 'Set Secret').then((choice) => choice && vscode.commands.executeCommand('gleaner.setSecret'));
    return false;
  }

  /** Resumes the run in `runDir`. */
  async resume(runDir: string): Promise<void> {
    if (!this.allowed('resume runs')) return;
    if (!existsSync(runDir)) {
      void vscode.window.showErrorMessage(`The run directory ${runDir} does not exist.`);
      return;
    }
    await this.launch(['resume', runDir, '--json'], `resume ${basename(runDir)}`, dirname(runDir));
  }

  /** Asks the run in progress to stop (SIGINT: the CLI checkpoints, writes its files and exits). */
  stop(): void {
    const run = this.active;
    if (!run) {
      void vscode.window.showInformationMessage('No Gleaner run is in progress.');
      return;
    }
    // The CLI answers a first SIGINT by finishing the pages in flight and checkpointing, and a
    // second one by leaving at once (the last checkpoint still makes the run resumable).
    this.output.appendLine(run.stopping ? `Stopping ${run.label} at once (second SIGINT).` : `Stopping ${run.label} (SIGINT); it stays resumable.`);
    run.stopping = true;
    run.child.kill('SIGINT');
  }

  private allowed(what: string): boolean {
    if (!networkAllowed(what)) return false;
    if (this.active) {
      void vscode.window.showWarningMessage(`A Gleaner run (${this.active.label}) is already in progress. Stop it first.`);
      return false;
    }
    return true;
  }

  private async launch(args: string[], label: string, cwd: string, specUri?: vscode.Uri): Promise<void> {
    const cli = this.context.asAbsolutePath('dist/cli.js');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      ...(await this.secrets.environment()),
      // In desktop VS Code process.execPath is the Electron binary; this makes it behave as Node.
      ELECTRON_RUN_AS_NODE: '1',
    };
    this.output.appendLine(`$ gleaner ${args.join(' ')}`);
    let child: ChildProcess;
    try {
      child = spawn(process.execPath, [cli, ...args], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], windowsHide: true });
    } catch (error) {
      void vscode.window.showErrorMessage(`Could not start the Gleaner CLI: ${describe(error)}`);
      return;
    }
    const run: ActiveRun = { child, label, stats: { pages: 0, records: 0, failed: 0, skipped: 0, errors: 0, retries: 0 }, stopping: false, specUri, specWarnings: [] };
    this.active = run;
    if (specUri) this.specRunStarted.fire(specUri);
    void vscode.commands.executeCommand('setContext', RUN_ACTIVE_CONTEXT_KEY, true);
    this.activeChanged.fire(true);
    this.status.setRun(label, run.stats);

    await vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: `Gleaner: ${label}`, cancellable: true },
      (progress, token) => {
        token.onCancellationRequested(() => this.stop());
        return this.follow(run, (message) => progress.report({ message }));
      },
    );
  }

  /** Reads the child's events until it exits, then shows the summary. */
  private follow(run: ActiveRun, report: (message: string) => void): Promise<void> {
    let done: { status: string; reason?: string; summary: RunSummary } | undefined;
    const stderrTail: string[] = [];
    const onEvent = (event: ReadRunEvent): void => {
      switch (event.type) {
        case 'start':
          run.runDir = event.runDir;
          run.runId = event.runId || basename(event.runDir);
          // A resume learns its spec from the run (the path it was started from).
          if (!run.specUri && isAbsolute(event.spec)) {
            run.specUri = vscode.Uri.file(event.spec);
            this.specRunStarted.fire(run.specUri);
          }
          void this.context.workspaceState.update(LAST_RUN_KEY, event.runDir);
          report(event.resumed ? 'resumed' : 'started');
          break;
        case 'progress':
          run.stats = event;
          this.status.setRun(run.label, event);
          report(`${event.pages} pages · ${event.records} records · ${event.failed} failed`);
          break;
        case 'warning':
          this.output.appendLine(`warning: ${event.message}${event.url ? ` (${event.url})` : ''}`);
          if (event.specPath !== undefined) run.specWarnings.push(event);
          break;
        case 'field-stats':
          for (const s of event.stats.filter((x) => x.unmatched > 0)) this.output.appendLine(`field ${s.sourceId}.${s.field}: matched nothing on ${s.unmatched} of ${s.pages} pages`);
          break;
        case 'skip':
          this.output.appendLine(`skipped ${event.url}: ${event.reason}${event.detail ? ` — ${event.detail}` : ''}`);
          break;
        case 'retry':
          this.output.appendLine(`retry ${event.attempt} of ${event.url}: ${event.reason}`);
          break;
        case 'done':
          done = event;
          if (event.summary.runDir) {
            run.runDir = event.summary.runDir;
            void this.context.workspaceState.update(LAST_RUN_KEY, event.summary.runDir);
          }
          break;
        case 'page':
        case 'record-batch':
        case 'other':
          break;
        default: {
          const unexpected: never = event;
          void unexpected;
        }
      }
    };
    const stdout = new LineSplitter(
      (line) => {
        const event = parseRunEvent(line);
        if (event) onEvent(event);
        else this.output.appendLine(line);
      },
      MAX_EVENT_LINE,
      (length) => this.output.appendLine(`warning: dropped an output line of ${length} characters from the CLI`),
    );
    const stderr = new LineSplitter(
      (line) => {
        this.output.appendLine(line);
        stderrTail.push(line);
        if (stderrTail.length > STDERR_TAIL_LINES) stderrTail.shift();
      },
      64 * 1024,
    );
    run.child.stdout?.setEncoding('utf8').on('data', (chunk: string) => stdout.push(chunk));
    run.child.stderr?.setEncoding('utf8').on('data', (chunk: string) => stderr.push(chunk));

    return new Promise<void>((resolveRun) => {
      let settled = false;
      const finish = (code: number | null, signal: NodeJS.Signals | null, spawnError?: Error): void => {
        if (settled) return;
        settled = true;
        stdout.end();
        stderr.end();
        this.active = undefined;
        void vscode.commands.executeCommand('setContext', RUN_ACTIVE_CONTEXT_KEY, false);
        this.activeChanged.fire(false);
        this.status.setRun(undefined);
        this.finished.fire(run.runDir);
        if (done && run.specUri) {
          this.specRunEnded.fire({ specUri: run.specUri, runId: done.summary.runId || run.runId || basename(run.runDir ?? 'run'), status: done.status, warnings: run.specWarnings });
        }
        resolveRun();
        if (spawnError) {
          void vscode.window.showErrorMessage(`Could not start the Gleaner CLI: ${spawnError.message}`, 'Show Output').then((c) => c && this.output.show());
        } else if (done) {
          void this.showSummary(done.summary, done.status, done.reason);
        } else {
          if (code === CLI_EXIT_SPEC_ERRORS) {
            void vscode.window.showErrorMessage(`Gleaner did not run ${run.label}: the spec has errors (see the Problems panel).`, 'Show Output').then((c) => c && this.output.show());
            return;
          }
          const how = signal ? `was killed (${signal})` : `exited with code ${code}`;
          this.output.appendLine(`The run ${how} without a summary.`);
          const tail = stderrTail.slice(-3).join(' ').slice(0, 300);
          void vscode.window.showErrorMessage(`Gleaner run ${run.label} ${how}${tail ? `: ${tail}` : '.'}`, 'Show Output').then((c) => c && this.output.show());
        }
      };
      run.child.on('error', (error) => finish(null, null, error));
      run.child.on('close', (code, signal) => finish(code, signal));
    });
  }

  private async showSummary(summary: RunSummary, status: string, reason: string | undefined): Promise<void> {
    const info = summary.runDir ? await readRunInfo(summary.runDir) : undefined;
    const records = summary.counts?.records ?? info?.records ?? 0;
    const failed = summary.counts?.failed ?? info?.failed ?? 0;
    const seconds = summary.durationMs !== undefined ? ` in ${(summary.durationMs / 1000).toFixed(1)} s` : '';
    const text = `Gleaner run ${status}: ${records} records, ${failed} failed${seconds}.${reason ? ` ${reason}` : ''}`;
    this.output.appendLine(text);
    const actions = ['Open Output', ...(failed > 0 ? ['Failed Records'] : []), 'Manifest', 'Datasheet'];
    const show = status === 'failed' ? vscode.window.showErrorMessage : vscode.window.showInformationMessage;
    const choice = await show(text, ...actions);
    if (!choice || !summary.runDir) return;
    const files = { dir: summary.runDir, files: info?.files ?? {} };
    const target =
      choice === 'Open Output' ? summary.files?.records ?? runFile(files, 'records')
      : choice === 'Failed Records' ? summary.files?.failed ?? runFile(files, 'failed')
      : choice === 'Manifest' ? summary.files?.manifest ?? runFile(files, 'manifest')
      : summary.files?.datasheet ?? runFile(files, 'datasheet');
    await openRunFile(resolve(summary.runDir, target));
  }

  dispose(): void {
    // Closing the window must not leave a crawler running unattended; SIGINT still checkpoints.
    this.active?.child.kill('SIGINT');
    this.finished.dispose();
    this.activeChanged.dispose();
    this.specRunStarted.dispose();
    this.specRunEnded.dispose();
  }
}

/** Opens a run file in an editor, or says that it does not exist. */
export async function openRunFile(path: string): Promise<void> {
  if (!existsSync(path)) {
    void vscode.window.showWarningMessage(`${basename(path)} does not exist in ${dirname(path)}.`);
    return;
  }
  await vscode.commands.executeCommand('vscode.open', vscode.Uri.file(path));
}
