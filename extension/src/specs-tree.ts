/**
 * The "Collection Specs" tree in the Gleaner view container: spec files in the workspace → their
 * sources (from the language server's `gleaner/listSources`, or a quick text scan when the
 * server cannot answer) and their recent runs (read from each run directory's manifest.json).
 * When there is no spec, the tree is empty and `viewsWelcome` shows the empty state.
 */
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import * as vscode from 'vscode';
import type { GleanerLanguageClient } from './language-client';
import { isRunSpecCopy, readRunInfo, runBelongsToSpec, runFile, type RunInfo } from './run-history';
import { scanSources } from './spec-scan';

/** The tree view's id, as contributed in package.json. */
export const SPECS_VIEW_ID = 'gleaner.specs';
const SPEC_GLOB = '**/*.collect.{yaml,yml}';
const EXCLUDE_GLOB = '{**/node_modules/**,**/.git/**}';
const MAX_SPECS = 500;
const MAX_MANIFESTS = 500;
const RECENT_RUNS = 10;

/** A source of a spec, from the server or the scan. */
export interface SourceRef {
  id: string;
  kind: 'scrape' | 'api' | 'unknown';
  urls: string[];
  /** Where the id is written, for revealing it. */
  range?: vscode.Range;
  origin: 'server' | 'scan';
}

/** The nodes of the tree. Commands receive them as their first argument from context menus. */
export type SpecsNode =
  | { kind: 'spec'; uri: vscode.Uri }
  | { kind: 'source'; uri: vscode.Uri; source: SourceRef }
  | { kind: 'runs'; uri: vscode.Uri; runs: RunInfo[] }
  | { kind: 'run'; uri: vscode.Uri; run: RunInfo };

/** Reads the sources of a spec: the server's answer when it has one, else the quick scan. */
export async function sourcesOf(client: GleanerLanguageClient, uri: vscode.Uri): Promise<SourceRef[]> {
  const fromServer = await client.listSources(uri);
  if (fromServer) {
    return fromServer.sources.map((s) => ({
      id: s.id,
      kind: s.kind,
      urls: s.urls,
      range: new vscode.Range(s.idRange.start.line, s.idRange.start.character, s.idRange.end.line, s.idRange.end.character),
      origin: 'server',
    }));
  }
  const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString());
  let text: string;
  try {
    text = open ? open.getText() : await readFile(uri.fsPath, 'utf8');
  } catch {
    // A spec deleted between listing and reading has no sources to show.
    return [];
  }
  return scanSources(text).map((s) => ({ id: s.id, kind: s.kind, urls: s.urls, range: new vscode.Range(s.line, s.start, s.line, s.end), origin: 'scan' }));
}

/** The tree data provider. */
export class SpecsTreeProvider implements vscode.TreeDataProvider<SpecsNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<SpecsNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private runsCache: Promise<RunInfo[]> | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private readonly disposables: vscode.Disposable[] = [];

  private watching = false;

  constructor(private readonly client: GleanerLanguageClient) {}

  /** Starts watching spec and manifest files the first time the tree is shown, not at activation. */
  private watch(): void {
    if (this.watching) return;
    this.watching = true;
    const specs = vscode.workspace.createFileSystemWatcher(SPEC_GLOB);
    const manifests = vscode.workspace.createFileSystemWatcher('**/manifest.json');
    for (const watcher of [specs, manifests]) {
      this.disposables.push(watcher, watcher.onDidCreate(() => this.refreshSoon()), watcher.onDidDelete(() => this.refreshSoon()));
    }
    this.disposables.push(manifests.onDidChange(() => this.refreshSoon()));
  }

  /** Re-reads everything now. */
  refresh(): void {
    this.runsCache = undefined;
    this.changed.fire(undefined);
  }

  /** Coalesces bursts of file events (a run writes many files) into one refresh. */
  refreshSoon(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), 300);
  }

  getTreeItem(node: SpecsNode): vscode.TreeItem {
    switch (node.kind) {
      case 'spec': {
        const item = new vscode.TreeItem(basename(node.uri.fsPath), vscode.TreeItemCollapsibleState.Collapsed);
        item.resourceUri = node.uri;
        // With resourceUri set, ThemeIcon.File takes the file icon theme's icon for a spec.
        item.iconPath = vscode.ThemeIcon.File;
        const folder = dirname(vscode.workspace.asRelativePath(node.uri, false));
        item.description = folder === '.' ? undefined : folder;
        item.contextValue = 'gleaner.spec';
        item.command = { command: 'vscode.open', title: 'Open Spec', arguments: [node.uri] };
        return item;
      }
      case 'source': {
        const s = node.source;
        const item = new vscode.TreeItem(s.id, vscode.TreeItemCollapsibleState.None);
        item.description = s.kind === 'unknown' ? undefined : s.kind;
        item.iconPath = new vscode.ThemeIcon(s.kind === 'api' ? 'json' : 'globe');
        const tip = new vscode.MarkdownString();
        tip.appendText(`${s.id} (${s.kind})\n\n${s.urls.join('\n')}`);
        if (s.origin === 'scan') tip.appendText('\n\nFrom a quick scan; open the spec for the full check.');
        item.tooltip = tip;
        item.contextValue = 'gleaner.source';
        item.command = { command: 'vscode.open', title: 'Reveal Source', arguments: [node.uri, s.range ? { selection: s.range } : {}] };
        return item;
      }
      case 'runs': {
        const item = new vscode.TreeItem('Recent runs', vscode.TreeItemCollapsibleState.Collapsed);
        item.iconPath = new vscode.ThemeIcon('history');
        item.description = String(node.runs.length);
        return item;
      }
      case 'run': {
        const r = node.run;
        const item = new vscode.TreeItem(r.startedAt ? new Date(r.startedAt).toLocaleString() : r.runId, vscode.TreeItemCollapsibleState.None);
        item.description = `${r.status} · ${r.records} records${r.failed ? ` · ${r.failed} failed` : ''}`;
        item.iconPath = new vscode.ThemeIcon(r.status === 'completed' ? 'pass' : r.status === 'failed' ? 'error' : r.status === 'running' ? 'sync' : 'debug-pause');
        item.tooltip = `${r.dir}${r.statusReason ? `\n${r.statusReason}` : ''}`;
        item.contextValue = 'gleaner.run';
        item.command = { command: 'vscode.open', title: 'Open Manifest', arguments: [vscode.Uri.file(runFile(r, 'manifest'))] };
        return item;
      }
    }
  }

  async getChildren(node?: SpecsNode): Promise<SpecsNode[]> {
    if (!node) {
      if (!vscode.workspace.workspaceFolders) return [];
      this.watch();
      const uris = await vscode.workspace.findFiles(SPEC_GLOB, EXCLUDE_GLOB, MAX_SPECS);
      return uris
        .filter((uri) => !isRunSpecCopy(uri.fsPath))
        .sort((a, b) => a.fsPath.localeCompare(b.fsPath))
        .map((uri) => ({ kind: 'spec', uri }));
    }
    switch (node.kind) {
      case 'spec': {
        const sources: SpecsNode[] = (await sourcesOf(this.client, node.uri)).map((source) => ({ kind: 'source', uri: node.uri, source }));
        const runs = (await this.allRuns()).filter((r) => runBelongsToSpec(r, node.uri.fsPath)).slice(0, RECENT_RUNS);
        return runs.length > 0 ? [...sources, { kind: 'runs', uri: node.uri, runs }] : sources;
      }
      case 'runs':
        return node.runs.map((run) => ({ kind: 'run', uri: node.uri, run }));
      default:
        return [];
    }
  }

  /** Every run manifest in the workspace, newest first (cached until the next refresh). */
  private allRuns(): Promise<RunInfo[]> {
    this.runsCache ??= (async () => {
      const manifests = await vscode.workspace.findFiles('**/manifest.json', EXCLUDE_GLOB, MAX_MANIFESTS);
      const infos = await Promise.all(manifests.map((m) => readRunInfo(dirname(m.fsPath))));
      return infos.filter((i): i is RunInfo => i !== undefined).sort((a, b) => (b.startedAt ?? '').localeCompare(a.startedAt ?? ''));
    })();
    return this.runsCache;
  }

  /** The newest run in the workspace, for Open Last Output when this session ran nothing. */
  async newestRun(): Promise<RunInfo | undefined> {
    return (await this.allRuns())[0];
  }

  /** Runs that can be resumed (not completed), newest first. */
  async resumableRuns(): Promise<RunInfo[]> {
    return (await this.allRuns()).filter((r) => r.status !== 'completed');
  }

  dispose(): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    for (const d of this.disposables.splice(0)) d.dispose();
    this.changed.dispose();
  }
}

/** Registers the tree view; returns its disposables. */
export function registerSpecsTree(provider: SpecsTreeProvider): vscode.Disposable {
  const view = vscode.window.createTreeView(SPECS_VIEW_ID, { treeDataProvider: provider, showCollapseAll: true });
  return vscode.Disposable.from(view, provider);
}
