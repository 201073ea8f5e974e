/**
 * Every command contributed in package.json, registered here; each registration returns a
 * Disposable. Handlers accept the argument shapes that reach them: `[uri: string, sourceId]` from
 * the server's CodeLens, a tree node from the sidebar's context menu, nothing from the palette.
 */
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { COMMANDS, type RobotsCheckResult } from '../../language-server/src/protocol';
import { inferSpec, type InferSpecResult } from '../../language-server/src/protocol/infer';
import type { GleanerLanguageClient } from './language-client';
import { networkAllowed } from './network-guard';
import type { LazyOutputChannel } from './output-channel';
import type { PreviewPanels } from './preview-panel';
import { isRunSpecCopy, readRunInfo, runFile, type RunInfo } from './run-history';
import { openRunFile, type RunManager } from './runs';
import { clearSecretCommand, setSecretCommand, type SecretStore } from './secrets';
import { scanUserAgent } from './spec-scan';
import { sourcesOf, type SourceRef, type SpecsNode, type SpecsTreeProvider } from './specs-tree';

/** What the command handlers work with. */
export interface CommandDeps {
  client: GleanerLanguageClient;
  runs: RunManager;
  secrets: SecretStore;
  tree: SpecsTreeProvider;
  preview: PreviewPanels;
  output: LazyOutputChannel;
}

const SPEC_LANGUAGE_ID = 'collection-spec';
const DEFAULT_USER_AGENT = 'GleanerBot/1.0';

/** Registers every contributed command. */
export function registerCommands(deps: CommandDeps): vscode.Disposable[] {
  const { client, runs, secrets, tree, preview, output } = deps;
  const register = (id: string, handler: (...args: unknown[]) => unknown): vscode.Disposable =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await handler(...args);
      } catch (error) {
        const message = error instanceof Error ? error.message : String(error);
        output.appendLine(`${id} failed: ${message}`);
        void vscode.window.showErrorMessage(`Gleaner: ${message}`, 'Show Output').then((c) => c && output.show());
        return undefined;
      }
    });

  return [
    register('gleaner.createSpec', (a0) => createSpec(client, output, a0)),
    register(COMMANDS.previewSource, async (a0, a1) => {
      if (!networkAllowed('preview sources')) return;
      const target = await resolveSource(client, a0, a1);
      if (target) preview.show(target.uri, target.source);
    }),
    register(COMMANDS.runCollection, async (a0, a1) => {
      const uri = await resolveSpec(a0);
      if (!uri) return;
      const sourceId = typeof a1 === 'string' ? a1 : isNode(a0) && a0.kind === 'source' ? a0.source.id : undefined;
      await runs.runCollection(uri, sourceId);
    }),
    register('gleaner.stopRun', () => runs.stop()),
    register('gleaner.resumeRun', async (a0) => {
      const dir = isNode(a0) && a0.kind === 'run' ? a0.run.dir : typeof a0 === 'string' ? a0 : await pickRun(tree, runs, 'Run to resume', true);
      if (dir) await runs.resume(dir);
    }),
    register('gleaner.checkRobots', (a0, a1) => checkRobots(client, typeof a0 === 'string' ? a0 : undefined, typeof a1 === 'string' ? a1 : undefined)),
    register('gleaner.openLastOutput', async () => {
      const info = await lastRun(tree, runs);
      if (info) await openRunFile(runFile(info, 'records'));
    }),
    register('gleaner.openDatasheet', async (a0) => {
      const dir = isNode(a0) && a0.kind === 'run' ? a0.run.dir : typeof a0 === 'string' ? a0 : undefined;
      const info = dir ? ((await readRunInfo(dir)) ?? { dir, files: {} }) : await lastRun(tree, runs);
      if (info) await openRunFile(runFile(info, 'datasheet'));
    }),
    register('gleaner.setSecret', () => setSecretCommand(secrets)),
    register('gleaner.clearSecret', () => clearSecretCommand(secrets)),
    register('gleaner.restartServer', () => client.restart()),
    register('gleaner.showOutput', () => output.show()),
    register('gleaner.refreshSpecs', () => tree.refresh()),
  ];
}

function isNode(value: unknown): value is SpecsNode {
  return typeof value === 'object' && value !== null && 'kind' in value && 'uri' in value && (value as { uri: unknown }).uri instanceof vscode.Uri;
}

function toUri(value: unknown): vscode.Uri | undefined {
  if (value instanceof vscode.Uri) return value;
  if (typeof value === 'string' && value.length > 0) return value.includes('://') || value.startsWith('untitled:') ? vscode.Uri.parse(value) : vscode.Uri.file(value);
  if (isNode(value)) return value.uri;
  return undefined;
}

/** The spec a command is about: its argument, else the active spec editor, else a pick. */
async function resolveSpec(arg: unknown): Promise<vscode.Uri | undefined> {
  const given = toUri(arg);
  if (given) return given;
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.languageId === SPEC_LANGUAGE_ID) return editor.document.uri;
  const specs = (await vscode.workspace.findFiles('**/*.collect.{yaml,yml}', '**/node_modules/**', 200)).filter((uri) => !isRunSpecCopy(uri.fsPath));
  if (specs.length === 0) {
    void vscode.window.showInformationMessage('No collection spec (*.collect.yaml) in this workspace.', 'New Collection Spec').then((c) => c && vscode.commands.executeCommand('gleaner.createSpec'));
    return undefined;
  }
  if (specs.length === 1) return specs[0];
  const picked = await vscode.window.showQuickPick(
    specs.map((uri) => ({ label: vscode.workspace.asRelativePath(uri), uri })),
    { title: 'Gleaner', placeHolder: 'Which collection spec?' },
  );
  return picked?.uri;
}

/** The source a command is about: `[uri, sourceId]`, a tree node, or a pick in the active spec. */
async function resolveSource(client: GleanerLanguageClient, a0: unknown, a1: unknown): Promise<{ uri: vscode.Uri; source: SourceRef } | undefined> {
  if (isNode(a0) && a0.kind === 'source') return { uri: a0.uri, source: a0.source };
  const uri = await resolveSpec(a0);
  if (!uri) return undefined;
  const sources = await sourcesOf(client, uri);
  if (typeof a1 === 'string') {
    const found = sources.find((s) => s.id === a1);
    if (found) return { uri, source: found };
    void vscode.window.showWarningMessage(`The spec has no source "${a1}".`);
    return undefined;
  }
  if (sources.length === 0) {
    void vscode.window.showWarningMessage('This spec has no sources to preview yet.');
    return undefined;
  }
  if (sources.length === 1) return { uri, source: sources[0] };
  const picked = await vscode.window.showQuickPick(
    sources.map((source) => ({ label: source.id, description: source.kind, detail: source.urls.join(' '), source })),
    { title: 'Gleaner: Preview Source', placeHolder: 'Which source?' },
  );
  return picked ? { uri, source: picked.source } : undefined;
}

/** The last run of this session, else the newest run in the workspace. */
async function lastRun(tree: SpecsTreeProvider, runs: RunManager): Promise<Pick<RunInfo, 'dir' | 'files'> | undefined> {
  const dir = runs.lastRunDir;
  if (dir && existsSync(dir)) return (await readRunInfo(dir)) ?? { dir, files: {} };
  const newest = await tree.newestRun();
  if (!newest) void vscode.window.showInformationMessage('No Gleaner run yet. Run a collection first.');
  return newest;
}

async function pickRun(tree: SpecsTreeProvider, runs: RunManager, placeHolder: string, resumable: boolean): Promise<string | undefined> {
  const candidates = resumable ? await tree.resumableRuns() : [];
  const last = runs.lastRunDir;
  if (candidates.length === 0 && last && existsSync(last)) return last;
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage('No stopped or failed Gleaner run to resume.');
    return undefined;
  }
  const picked = await vscode.window.showQuickPick(
    candidates.map((r) => ({ label: r.specName ?? r.runId, description: `${r.status} · ${r.records} records`, detail: r.dir, dir: r.dir })),
    { title: 'Gleaner: Resume Run', placeHolder },
  );
  return picked?.dir;
}

/**
 * Check robots.txt: asks for the URL and user agent unless given as arguments, asks the server,
 * shows the verdict and returns it (so other commands and tests can use the answer).
 */
async function checkRobots(client: GleanerLanguageClient, givenUrl: string | undefined, givenAgent: string | undefined): Promise<RobotsCheckResult | undefined> {
  const url =
    givenUrl ??
    (await vscode.window.showInputBox({
      title: 'Gleaner: Check robots.txt',
      prompt: 'URL to check against its site\'s robots.txt',
      placeHolder: 'https://example.org/some/page',
      validateInput: (v) => (/^https?:\/\/[^\s/]+/.test(v.trim()) ? undefined : 'An http(s) URL.'),
    }));
  if (!url) return undefined;
  const editor = vscode.window.activeTextEditor;
  const fromSpec = editor?.document.languageId === SPEC_LANGUAGE_ID ? scanUserAgent(editor.document.getText()) : undefined;
  const userAgent = givenAgent ?? (await vscode.window.showInputBox({ title: 'Gleaner: Check robots.txt', prompt: 'User agent to decide for', value: fromSpec ?? DEFAULT_USER_AGENT }));
  if (!userAgent) return undefined;
  const result = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Checking robots.txt' }, () => client.robotsCheck({ url: url.trim(), userAgent }));
  if (!result) {
    void vscode.window.showErrorMessage('The Gleaner language server is not running, so robots.txt cannot be checked.', 'Show Output').then((c) => c && vscode.commands.executeCommand('gleaner.showOutput'));
    return undefined;
  }
  const rule = result.rule ? ` Deciding line ${result.rule.line}: "${result.rule.text}".` : '';
  const delay = result.crawlDelayMs !== undefined ? ` Crawl-delay: ${result.crawlDelayMs / 1000} s.` : '';
  const open = 'Open robots.txt';
  const show = result.allowed ? vscode.window.showInformationMessage : vscode.window.showWarningMessage;
  void show(`${result.allowed ? 'Allowed' : 'Disallowed'}: ${result.reason}${rule}${delay}`, open).then((choice) => choice === open && vscode.env.openExternal(vscode.Uri.parse(result.robotsUrl)));
  return result;
}

function specTemplate(name: string): string {
  return `# Gleaner collection spec. Hover any key for its documentation; Ctrl+Space completes keys.
gleaner: 1
name: ${name}
description: What is collected, and why.
user_agent: "GleanerBot/1.0 (+mailto:you@example.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: research
politeness:
  delay: 1s
  budget:
    pages: 50
sources:
  - id: pages
    kind: scrape
    start_urls:
      - https://example.org/
    records:
      selector: article
      fields:
        title:
          selector: h2
        link:
          selector: a
          attribute: href
          type: url
output:
  format: jsonl
`;
}

/**
 * The argument `gleaner.createSpec` accepts for automation (tests, other extensions, keybindings):
 * `{ url }` skips the URL prompt; an empty `url` means the blank template.
 */
export interface CreateSpecArgs {
  url?: string;
}

function isCreateSpecArgs(value: unknown): value is CreateSpecArgs {
  return typeof value === 'object' && value !== null && !(value instanceof vscode.Uri) && (!('url' in value) || typeof (value as { url: unknown }).url === 'string');
}

/**
 * New Collection Spec. Asks for a URL first: with one, the language server fetches it politely
 * and proposes a spec (`gleaner/inferSpec`), which is written to `<name>.collect.yaml` in the
 * first workspace folder (never over an existing file: `-2`, `-3`, … are added) and opened; the
 * inference's notes follow in an information message. Without a URL, the blank template as
 * before. Resolves with the new document's URI (undefined when cancelled or refused).
 */
async function createSpec(client: GleanerLanguageClient, output: LazyOutputChannel, arg: unknown): Promise<vscode.Uri | undefined> {
  const given = isCreateSpecArgs(arg) ? arg.url : undefined;
  const url =
    given ??
    (await vscode.window.showInputBox({
      title: 'Gleaner: New Collection Spec',
      prompt: 'URL to start from (leave empty for a blank template)',
      placeHolder: 'https://example.org/catalogue/page-1.html',
      validateInput: (v) => (v.trim() === '' || /^https?:\/\/[^\s/]+\S*$/i.test(v.trim()) ? undefined : 'An http(s) URL, or empty for a blank template.'),
    }));
  if (url === undefined) return undefined;
  if (url.trim() === '') return createBlankSpec();
  // Refused here with a message, and by the server too (it makes no request when untrusted).
  if (!networkAllowed('fetch URLs to propose a spec')) return undefined;
  const editor = vscode.window.activeTextEditor;
  const userAgent = editor?.document.languageId === SPEC_LANGUAGE_ID ? scanUserAgent(editor.document.getText()) : undefined;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: `Gleaner: proposing a spec from ${url.trim()}`, cancellable: true },
    async (_progress, token): Promise<InferSpecResult | undefined> => {
      const languageClient = await client.start();
      if (!languageClient || token.isCancellationRequested) return undefined;
      try {
        return await languageClient.sendRequest(inferSpec.type, { url: url.trim(), ...(userAgent ? { userAgent } : {}) }, token);
      } catch (error) {
        // The user pressed Cancel: the server answers RequestCancelled, which is not a failure.
        if (token.isCancellationRequested) return undefined;
        throw error;
      }
    },
  );
  if (!result) {
    if (!client.isRunning) void vscode.window.showErrorMessage('The Gleaner language server is not running, so no spec can be proposed.', 'Show Output').then((c) => c && output.show());
    return undefined;
  }
  if (!result.ok) {
    output.appendLine(`New Collection Spec from ${url.trim()}: ${result.reason}`);
    void vscode.window.showWarningMessage(`Gleaner could not propose a spec: ${result.reason}`);
    return undefined;
  }
  const name = specNameOf(result.yaml) ?? 'my-dataset';
  const folder = vscode.workspace.workspaceFolders?.[0];
  let uri: vscode.Uri;
  if (!folder || folder.uri.scheme !== 'file') {
    const doc = await vscode.workspace.openTextDocument({ language: SPEC_LANGUAGE_ID, content: result.yaml });
    uri = doc.uri;
    await vscode.window.showTextDocument(doc);
  } else {
    uri = vscode.Uri.file(await writeNewFile(folder.uri.fsPath, name, result.yaml));
    await vscode.window.showTextDocument(uri);
  }
  const summary = `Proposed a ${result.kind === 'api' ? 'JSON API' : 'scrape'} spec (confidence ${Math.round(result.confidence * 100)} %).`;
  for (const note of result.notes) output.appendLine(`New Collection Spec from ${url.trim()}: ${note}`);
  void vscode.window.showInformationMessage([summary, ...result.notes].join(' '));
  return uri;
}

/** The spec's top-level `name:` as a file name (letters, digits, - and _), if it has one. */
export function specNameOf(yaml: string): string | undefined {
  const match = /^name:[ \t]*(["']?)([^"'#\r\n]*)\1[ \t]*(?:#.*)?$/m.exec(yaml);
  const cleaned = (match?.[2] ?? '').trim().replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^[-_]+|-+$/g, '').slice(0, 80);
  return cleaned === '' ? undefined : cleaned;
}

/**
 * Writes `text` to `<name>.collect.yaml` in `dir`, or `<name>-2.collect.yaml`, `-3`, … when taken.
 * `wx` makes the existence check and the write one step, so a file created meanwhile is never
 * overwritten. Returns the path written.
 */
async function writeNewFile(dir: string, name: string, text: string): Promise<string> {
  // Bounded: a folder with a thousand specs of one name is not a case worth looping further for.
  for (let n = 1; n <= 1000; n++) {
    const path = join(dir, `${n === 1 ? name : `${name}-${n}`}.collect.yaml`);
    try {
      await writeFile(path, text, { flag: 'wx' });
      return path;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }
  throw new Error(`${name}.collect.yaml and 999 numbered variants already exist.`);
}

/** The blank template: asks for a name, writes `<name>.collect.yaml` in the first folder, opens it. */
async function createBlankSpec(): Promise<vscode.Uri | undefined> {
  const name = await vscode.window.showInputBox({
    title: 'Gleaner: New Collection Spec',
    prompt: 'Name of the collection (letters, digits, - and _)',
    value: 'my-dataset',
    validateInput: (v) => (/^[A-Za-z0-9][\w-]*$/.test(v) ? undefined : 'Letters, digits, - and _, starting with a letter or digit.'),
  });
  if (!name) return undefined;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder || folder.uri.scheme !== 'file') {
    const doc = await vscode.workspace.openTextDocument({ language: SPEC_LANGUAGE_ID, content: specTemplate(name) });
    await vscode.window.showTextDocument(doc);
    return doc.uri;
  }
  const path = join(folder.uri.fsPath, `${name}.collect.yaml`);
  if (existsSync(path)) {
    void vscode.window.showWarningMessage(`${name}.collect.yaml already exists.`);
    await vscode.window.showTextDocument(vscode.Uri.file(path));
    return vscode.Uri.file(path);
  }
  await writeFile(path, specTemplate(name), { flag: 'wx' });
  await vscode.window.showTextDocument(vscode.Uri.file(path));
  return vscode.Uri.file(path);
}
