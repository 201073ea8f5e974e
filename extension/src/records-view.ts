/**
 * The "Records" webview view in the Gleaner sidebar: the records of the latest run (or of records
 * pushed by a preview through `showRecords`), paged and searched on the host side so that a big
 * file stays responsive, with a per-field summary and the class balance of a chosen label field.
 *
 * A webview rather than a tree because a table with bars is where pixels matter (STYLE.md §9).
 * Records are scraped and hostile: the webview builds its DOM with `textContent` only, the host
 * checks every incoming message against an allowlist, and a row's link opens only when its URL is
 * http(s) and really is one of the loaded records' `_source.url`.
 *
 * Reading is lazy: a finished run is only remembered until the view is shown or the Show Records
 * command asks for it, so runs nobody looks at cost nothing.
 */
import { existsSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import * as vscode from 'vscode';
import type { RecordsHostMessage, RecordsSourceInfo, RecordsWebviewMessage } from '../../media/src/records-messages';
import {
  DEFAULT_READ_LIMITS,
  labelDistribution,
  loadNotes,
  parseRecordsViewMessage,
  readColumnTypes,
  readRecordsFile,
  recordsFileToRead,
  recordsFormatOf,
  RecordsIndex,
  safeHttpUrl,
  SOURCE_KEY,
  suggestLabelField,
  summarizeFields,
  type JsonRecord,
  type ReadLimits,
} from './records-data';
import { readRunInfo, runBelongsToSpec, runFile, type RunInfo } from './run-history';
import type { RunManager } from './runs';
import { renderWebviewHtml } from './webview-html';

/** The webview view's id, as contributed in package.json. */
export const RECORDS_VIEW_ID = 'gleaner.records';
const SPEC_LANGUAGE_ID = 'collection-spec';
const MAX_MANIFESTS = 500;

/** Records pushed from elsewhere (a source preview), shown instead of a run's. */
export interface PushedRecords {
  title: string;
  records: readonly JsonRecord[];
  fields: readonly string[];
}

/** What the view shows after a load; also the Show Records command's result. */
export interface RecordsShown {
  key: string;
  title: string;
  /** Records loaded (after the read limits). */
  loaded: number;
  fields: string[];
  notes: string[];
}

interface Current {
  info: RecordsSourceInfo;
  index: RecordsIndex;
  query: string;
  page: number;
  labelField?: string;
  seq: number;
}

/** Provides the Records view and holds what it shows. */
export class RecordsViewProvider implements vscode.WebviewViewProvider, vscode.Disposable {
  private view: vscode.WebviewView | undefined;
  private ready = false;
  private current: Current | undefined;
  private emptyMessage = 'No records yet. Run a collection, or choose Show Records on a run in the Collection Specs view.';
  /** A run that finished but has not been read yet (read when the view shows). */
  private pendingRunDir: string | undefined;
  /** Bumped on every load, so a slow read that was overtaken by a newer one is dropped. */
  private loadGeneration = 0;

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly lastRunDir: () => string | undefined,
    private readonly limits: ReadLimits = DEFAULT_READ_LIMITS,
  ) {}

  resolveWebviewView(view: vscode.WebviewView): void {
    this.view = view;
    this.ready = false;
    const webview = view.webview;
    webview.options = {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.extensionUri, 'media')],
    };
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      title: 'Records',
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'dist', 'webview', 'records.js')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(this.extensionUri, 'media', 'records.css')).toString()],
      initialState: null,
    });
    const subscriptions = [
      webview.onDidReceiveMessage((raw: unknown) => this.receive(raw)),
      view.onDidChangeVisibility(() => {
        if (view.visible) this.loadPendingRun();
      }),
    ];
    subscriptions.push(
      view.onDidDispose(() => {
        this.view = undefined;
        this.ready = false;
        for (const d of subscriptions.splice(0)) d.dispose();
      }),
    );
    this.updateDescription();
    if (this.pendingRunDir) this.loadPendingRun();
    else if (!this.current && this.loadGeneration === 0) void this.showLatest().catch((error: unknown) => this.showEmpty(`Could not read the latest run: ${describe(error)}`));
  }

  /** Remembers a finished run; reads it now only if the view is showing. */
  runFinished(runDir: string): void {
    this.pendingRunDir = runDir;
    if (this.view?.visible) this.loadPendingRun();
  }

  private loadPendingRun(): void {
    const dir = this.pendingRunDir;
    if (!dir) return;
    this.pendingRunDir = undefined;
    void this.showRun(dir).catch((error: unknown) => this.showEmpty(`Could not read the run in ${dir}: ${describe(error)}`));
  }

  /** Shows records that someone else produced (a preview), within the same record and field limits as a file. */
  showRecords(source: PushedRecords): RecordsShown {
    this.loadGeneration++;
    this.pendingRunDir = undefined;
    const records = source.records.slice(0, this.limits.maxRecords);
    const fields = source.fields.filter((f) => f !== SOURCE_KEY).slice(0, this.limits.maxFields);
    const notes = records.length < source.records.length ? [`Showing the first ${records.length} of ${source.records.length} records.`] : [];
    return this.setCurrent(`pushed:${this.loadGeneration}:${source.title}`, source.title, 'preview', records, fields, notes);
  }

  /**
   * Reads the records of the run in `runDir` (its manifest names the records file; a run without
   * one yet falls back to records.jsonl) and shows them: JSON Lines as written, CSV with the
   * column types the run's croissant.json declares. Rejects when the file cannot be read.
   */
  async showRun(runDir: string): Promise<RecordsShown | undefined> {
    const generation = ++this.loadGeneration;
    this.pendingRunDir = undefined;
    const info = await readRunInfo(runDir);
    const { file, note } = recordsFileToRead(info ? runFile(info, 'records') : join(runDir, 'records.jsonl'));
    const extraNotes = note ? [note] : [];
    const title = info?.specName ? `${info.specName} · ${info.runId}` : basename(runDir);
    const format = recordsFormatOf(file);
    if (!format) {
      this.showEmpty(`This run wrote its records as ${basename(file)}; the Records view reads JSON Lines and CSV (output format jsonl or csv).`);
      return undefined;
    }
    if (!existsSync(file)) {
      this.showEmpty(`The run in ${runDir} has no ${basename(file)} yet.`);
      return undefined;
    }
    this.post({ type: 'loading', title });
    // CSV keeps only text; the run's Croissant description says which columns are numbers or booleans.
    const columnTypes = format === 'csv' ? await readColumnTypes(info ? runFile(info, 'croissant') : join(runDir, 'croissant.json')) : undefined;
    const load = await readRecordsFile(file, this.limits, { format, formulaGuard: info?.formulaGuard === true, ...(columnTypes ? { columnTypes } : {}) });
    // A newer load (another run, pushed records) started while this one read: it wins.
    if (generation !== this.loadGeneration) return undefined;
    return this.setCurrent(`run:${runDir}`, title, file, load.records, load.fields, [...extraNotes, ...loadNotes(load, this.limits)]);
  }

  /**
   * Shows the most relevant run: the newest run of the spec in the active editor, else the last
   * run started from this workspace, else the newest run in the workspace. Undefined when there
   * is none.
   */
  async showLatest(): Promise<RecordsShown | undefined> {
    const doc = vscode.window.activeTextEditor?.document;
    const spec = doc?.languageId === SPEC_LANGUAGE_ID && doc.uri.scheme === 'file' ? doc.uri.fsPath : undefined;
    const last = this.lastRunDir();
    // The workspace scan is only needed when the active spec or a missing last run asks for it.
    const runs = spec || !last || !existsSync(last) ? await workspaceRuns() : [];
    const dir = (spec ? runs.find((r) => runBelongsToSpec(r, spec))?.dir : undefined) ?? (last && existsSync(last) ? last : runs[0]?.dir);
    if (!dir) {
      this.showEmpty(this.emptyMessage);
      return undefined;
    }
    return this.showRun(dir);
  }

  /** What is shown now, for the Show Records command's callers (tests, other commands). */
  shown(): RecordsShown | undefined {
    const c = this.current;
    return c ? { key: c.info.key, title: c.info.title, loaded: c.info.loaded, fields: c.info.fields, notes: c.info.notes } : undefined;
  }

  private setCurrent(key: string, title: string, origin: string, records: readonly JsonRecord[], fields: readonly string[], notes: string[]): RecordsShown {
    const summaries = summarizeFields(records, fields);
    const suggestedLabel = suggestLabelField(summaries, records.length);
    const info: RecordsSourceInfo = { key, title, origin, loaded: records.length, fields: [...fields], summaries, notes, ...(suggestedLabel ? { suggestedLabel } : {}) };
    this.current = { info, index: new RecordsIndex(records, fields), query: '', page: 0, labelField: suggestedLabel, seq: this.current?.seq ?? 0 };
    this.updateDescription();
    this.sendAll();
    return this.shown()!;
  }

  private showEmpty(message: string): void {
    this.current = undefined;
    this.emptyMessage = message;
    this.updateDescription();
    this.post({ type: 'empty', message });
  }

  private updateDescription(): void {
    if (this.view) this.view.description = this.current ? `${this.current.info.title} · ${this.current.info.loaded} records` : undefined;
  }

  /** Sends everything the webview needs for the current state. */
  private sendAll(): void {
    const c = this.current;
    if (!c) {
      this.post({ type: 'empty', message: this.emptyMessage });
      return;
    }
    this.post({ type: 'source', source: c.info });
    this.post({ type: 'page', page: c.index.page(c.query, c.page, c.seq) });
    this.post({ type: 'distribution', distribution: c.labelField ? labelDistribution(c.index.records, c.labelField) : undefined });
  }

  private receive(raw: unknown): void {
    const message: RecordsWebviewMessage | undefined = parseRecordsViewMessage(raw);
    // Anything outside the allowlist is dropped: the page is ours, but what it shows is not.
    if (!message) return;
    const c = this.current;
    switch (message.type) {
      case 'ready': {
        this.ready = true;
        // A webview recreated after being hidden hands back its search, page and label, which
        // apply only if it is still looking at the same records.
        const restore = message.restore;
        if (c && restore && restore.key === c.info.key) {
          c.query = restore.query;
          c.page = restore.page;
          if (restore.labelField !== undefined && c.info.fields.includes(restore.labelField)) c.labelField = restore.labelField;
        }
        this.sendAll();
        break;
      }
      case 'query':
        if (!c) return;
        c.query = message.query;
        c.page = message.page;
        c.seq = message.seq;
        this.post({ type: 'page', page: c.index.page(c.query, c.page, c.seq) });
        break;
      case 'labelField':
        if (!c || !c.info.fields.includes(message.field)) return;
        c.labelField = message.field;
        this.post({ type: 'distribution', distribution: labelDistribution(c.index.records, message.field) });
        break;
      case 'openUrl': {
        const url = safeHttpUrl(message.url);
        if (!url || !c?.index.hasSourceUrl(url)) return;
        void vscode.env.openExternal(vscode.Uri.parse(url, true));
        break;
      }
      default: {
        const unexpected: never = message;
        void unexpected;
      }
    }
  }

  private post(message: RecordsHostMessage): void {
    // Until the page says it is ready, messages would be lost; `ready` triggers a full send.
    if (this.view && this.ready) void this.view.webview.postMessage(message);
  }

  dispose(): void {
    // Drop the records and any late read; the view's own subscriptions end with the view.
    this.loadGeneration++;
    this.current = undefined;
  }
}

/** Every run manifest in the workspace, newest first. */
async function workspaceRuns(): Promise<RunInfo[]> {
  const manifests = await vscode.workspace.findFiles('**/manifest.json', '{**/node_modules/**,**/.git/**}', MAX_MANIFESTS);
  const infos = await Promise.all(manifests.map((m) => readRunInfo(dirname(m.fsPath))));
  return infos.filter((i): i is RunInfo => i !== undefined).sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The run directory a Show Records argument names: a run node of the sidebar tree, or a path. */
function runDirOf(arg: unknown): string | undefined {
  if (typeof arg === 'string' && arg.length > 0) return arg;
  if (typeof arg === 'object' && arg !== null && (arg as { kind?: unknown }).kind === 'run') {
    const dir = (arg as { run?: { dir?: unknown } }).run?.dir;
    if (typeof dir === 'string') return dir;
  }
  return undefined;
}

/** The registration: dispose it to unregister; `provider.showRecords` takes pushed records (a preview). */
export type RecordsViewRegistration = vscode.Disposable & { readonly provider: RecordsViewProvider };

/**
 * Registers the Records view, the Show Records command (for a run node, a run directory, or
 * nothing: the latest run) and the feed from finished runs. The command resolves with what the
 * view shows, or undefined when there was nothing to show.
 */
export function registerRecordsView(context: vscode.ExtensionContext, runs: RunManager): RecordsViewRegistration {
  const provider = new RecordsViewProvider(context.extensionUri, () => runs.lastRunDir);
  const disposable = vscode.Disposable.from(
    provider,
    vscode.window.registerWebviewViewProvider(RECORDS_VIEW_ID, provider),
    runs.onDidFinish((dir) => {
      if (dir) provider.runFinished(dir);
    }),
    vscode.commands.registerCommand('gleaner.showRecords', async (arg: unknown): Promise<RecordsShown | undefined> => {
      try {
        const dir = runDirOf(arg);
        const shown = dir ? await provider.showRun(dir) : await provider.showLatest();
        // Reveal after loading, so the view's first render is the records, not an empty state.
        await vscode.commands.executeCommand(`${RECORDS_VIEW_ID}.focus`);
        if (!shown && !dir) void vscode.window.showInformationMessage('Gleaner: no run with records to show yet.');
        return shown;
      } catch (error) {
        void vscode.window.showErrorMessage(`Gleaner: could not show the records: ${describe(error)}`);
        return undefined;
      }
    }),
  );
  return Object.assign(disposable, { provider });
}
