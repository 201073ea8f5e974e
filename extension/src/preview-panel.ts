/**
 * Preview Source: a webview panel beside the spec showing one source's response and the records
 * extracted from it, from the language server (`gleaner/preview`, then `gleaner/previewUpdated`
 * after each edit, which re-extracts from the server's cached response without a request).
 *
 * The panel follows the source under the cursor in the previewed spec (throttled), restores
 * itself after a reload through a WebviewPanelSerializer and the webview's own `setState`, and
 * checks every message from the webview against an allowlist before acting on it.
 */
import { basename } from 'node:path';
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';
import { listSources, type SourceSummary } from '../../language-server/src/protocol';
import { preview, previewUpdated, type PreviewParams, type PreviewResult, type PreviewUpdatedParams } from '../../language-server/src/protocol/preview';
import type { HostToWebviewMessage, PreviewWebviewState, SourcePreviewState, WebviewMessageShapes, WebviewToHostMessage } from '../../media/src/messages';
import type { SourceRef } from './specs-tree';
import { renderWebviewHtml } from './webview-html';

/** The webview panel's view type (also `onWebviewPanel:gleaner.preview` in package.json). */
export const PREVIEW_VIEW_TYPE = 'gleaner.preview';

/** How often, at most, a cursor move is turned into a source lookup. */
const FOLLOW_THROTTLE_MS = 250;

/** The webview messages the host accepts, with the fields each may carry besides `type`. */
const WEBVIEW_MESSAGE_SHAPES: WebviewMessageShapes = { ready: [], run: [], openSpec: [], refresh: [] };

/**
 * The message if it is one the host accepts, else undefined: an object whose `type` is listed
 * and that carries no other fields than the listed ones, each a string.
 */
export function validateWebviewMessage(raw: unknown): WebviewToHostMessage | undefined {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return undefined;
  const record = raw as Record<string, unknown>;
  const type = record.type;
  if (typeof type !== 'string' || !Object.prototype.hasOwnProperty.call(WEBVIEW_MESSAGE_SHAPES, type)) return undefined;
  const allowed = WEBVIEW_MESSAGE_SHAPES[type as WebviewToHostMessage['type']];
  for (const [key, value] of Object.entries(record)) {
    if (key === 'type') continue;
    if (!allowed.includes(key) || typeof value !== 'string') return undefined;
  }
  return record as WebviewToHostMessage;
}

/** Hooks the panel needs from the rest of the extension. */
export interface PreviewHost {
  isRunActive(): boolean;
  onDidChangeRunActive: vscode.Event<boolean>;
  run(specUri: vscode.Uri, sourceId: string): Thenable<unknown>;
  /** The language client, started if need be; undefined when it cannot start. */
  languageClient: () => Promise<LanguageClient | undefined>;
}

/** One preview panel, reused for whichever source is previewed next. */
export class PreviewPanels implements vscode.Disposable {
  private panel: vscode.WebviewPanel | undefined;
  private current: { uri: vscode.Uri; state: SourcePreviewState } | undefined;
  private readonly disposables: vscode.Disposable[] = [];
  private readonly panelDisposables: vscode.Disposable[] = [];
  private notificationsFor: LanguageClient | undefined;
  /** Increases with each preview request, so a late answer for an older source is dropped. */
  private requestSeq = 0;
  private followTimer: NodeJS.Timeout | undefined;
  private lastFollow = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly host: PreviewHost,
  ) {
    this.disposables.push(
      host.onDidChangeRunActive((active) => this.post({ type: 'runActive', active })),
      vscode.window.registerWebviewPanelSerializer(PREVIEW_VIEW_TYPE, {
        deserializeWebviewPanel: async (panel, saved: unknown) => this.restore(panel, saved),
      }),
      vscode.window.onDidChangeTextEditorSelection((event) => this.followCursor(event.textEditor)),
    );
  }

  /** Shows `source` of the spec at `uri` and asks the server for its preview. */
  show(uri: vscode.Uri, source: SourceRef): void {
    const state = this.sourceState(uri, source);
    this.current = { uri, state };
    if (this.panel) {
      this.panel.title = `Preview: ${source.id}`;
      this.panel.reveal(vscode.ViewColumn.Beside, true);
      this.post({ type: 'state', state });
      void this.requestPreview(false);
      return;
    }
    const panel = vscode.window.createWebviewPanel(PREVIEW_VIEW_TYPE, `Preview: ${source.id}`, { viewColumn: vscode.ViewColumn.Beside, preserveFocus: true }, this.webviewOptions());
    this.adopt(panel, { source: state });
    // The first preview is asked for when the page says it is ready (see receive).
  }

  private sourceState(uri: vscode.Uri, source: Pick<SourceRef, 'id' | 'kind' | 'urls' | 'origin'>): SourcePreviewState {
    const maxBytes = vscode.workspace.getConfiguration('gleaner', uri).get<number>('preview.maxBytes', 1048576);
    return {
      specUri: uri.toString(),
      specName: basename(uri.path),
      sourceId: source.id,
      kind: source.kind,
      urls: source.urls,
      origin: source.origin,
      maxBytes,
      runActive: this.host.isRunActive(),
    };
  }

  private webviewOptions(): vscode.WebviewPanelOptions & vscode.WebviewOptions {
    return {
      enableScripts: true,
      localResourceRoots: [vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview'), vscode.Uri.joinPath(this.context.extensionUri, 'media')],
    };
  }

  /** Restores a panel VS Code kept across a reload, from the state the webview saved. */
  private restore(panel: vscode.WebviewPanel, saved: unknown): void {
    const state = isWebviewState(saved) ? saved : undefined;
    if (this.panel || !state) {
      // Nothing to restore, or a panel is already open (one preview at a time).
      panel.dispose();
      return;
    }
    panel.webview.options = this.webviewOptions();
    this.current = { uri: vscode.Uri.parse(state.source.specUri), state: { ...state.source, runActive: this.host.isRunActive() } };
    this.adopt(panel, state);
  }

  private adopt(panel: vscode.WebviewPanel, initial: PreviewWebviewState): void {
    this.panel = panel;
    const webview = panel.webview;
    webview.html = renderWebviewHtml({
      cspSource: webview.cspSource,
      title: panel.title,
      scriptUri: webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'dist', 'webview', 'preview.js')).toString(),
      styleUris: [webview.asWebviewUri(vscode.Uri.joinPath(this.context.extensionUri, 'media', 'preview.css')).toString()],
      initialState: initial,
    });
    panel.onDidDispose(
      () => {
        this.panel = undefined;
        this.current = undefined;
        for (const d of this.panelDisposables.splice(0)) d.dispose();
      },
      undefined,
      this.panelDisposables,
    );
    webview.onDidReceiveMessage((raw: unknown) => this.receive(raw), undefined, this.panelDisposables);
  }

  private receive(raw: unknown): void {
    const message = validateWebviewMessage(raw);
    // Anything not on the allowlist is dropped without a word: the page is not trusted.
    if (!message) return;
    const current = this.current;
    switch (message.type) {
      case 'ready':
        // The page may have been restored from its saved state; send the latest, then the preview
        // (from the server's cache when it has the response: no request).
        if (current) {
          this.post({ type: 'state', state: { ...current.state, runActive: this.host.isRunActive() } });
          void this.requestPreview(false);
        }
        break;
      case 'run':
        if (current) void this.host.run(current.uri, current.state.sourceId);
        break;
      case 'openSpec':
        if (current) void vscode.window.showTextDocument(current.uri, { viewColumn: vscode.ViewColumn.One });
        break;
      case 'refresh':
        if (current) void this.requestPreview(true);
        break;
      default: {
        const unexpected: never = message;
        void unexpected;
      }
    }
  }

  /** The language client, started if need be, or undefined when there is none. */
  private client(): Promise<LanguageClient | undefined> {
    return this.host.languageClient();
  }

  private async requestPreview(refresh: boolean): Promise<void> {
    const current = this.current;
    if (!current) return;
    const seq = ++this.requestSeq;
    this.post({ type: 'loading' });
    const client = await this.client();
    if (!client || client.state !== State.Running) {
      this.post({ type: 'error', message: 'The Gleaner language server is not running, so the source cannot be previewed.' });
      return;
    }
    this.listen(client);
    // The server previews what it has open: make sure the spec is open (it usually is).
    await vscode.workspace.openTextDocument(current.uri);
    const params: PreviewParams = { uri: client.code2ProtocolConverter.asUri(current.uri), sourceId: current.state.sourceId, maxBytes: current.state.maxBytes, ...(refresh ? { refresh } : {}) };
    let result: PreviewResult;
    try {
      result = await client.sendRequest(preview.type, params);
    } catch (error) {
      if (seq === this.requestSeq) this.post({ type: 'error', message: `The preview failed: ${error instanceof Error ? error.message : String(error)}` });
      return;
    }
    if (seq !== this.requestSeq || this.current !== current) return;
    // The webview compares URIs as the state spells them.
    this.post({ type: 'result', result: { ...result, uri: current.state.specUri } });
  }

  /** Subscribes to the server's pushes once per client. */
  private listen(client: LanguageClient): void {
    if (this.notificationsFor === client) return;
    this.notificationsFor = client;
    this.disposables.push(
      client.onNotification(previewUpdated.type, (update: PreviewUpdatedParams) => {
        const current = this.current;
        if (!current || update.sourceId !== current.state.sourceId) return;
        if (client.protocol2CodeConverter.asUri(update.uri).toString() !== current.uri.toString()) return;
        this.post({ type: 'update', update: { ...update, uri: current.state.specUri } });
      }),
    );
  }

  /** After the cursor settles in the previewed spec, previews the source it is in. */
  private followCursor(editor: vscode.TextEditor): void {
    const current = this.current;
    if (!this.panel || !current || editor.document.uri.toString() !== current.uri.toString()) return;
    if (this.followTimer) clearTimeout(this.followTimer);
    const wait = Math.max(0, this.lastFollow + FOLLOW_THROTTLE_MS - Date.now());
    this.followTimer = setTimeout(() => {
      this.followTimer = undefined;
      this.lastFollow = Date.now();
      void this.followNow(editor);
    }, wait);
  }

  private async followNow(editor: vscode.TextEditor): Promise<void> {
    const current = this.current;
    const client = await this.client();
    if (!current || !client || client.state !== State.Running) return;
    const position = editor.selection.active;
    const answer = await client.sendRequest(listSources.type, { uri: client.code2ProtocolConverter.asUri(current.uri) }).catch(() => undefined);
    const sources: SourceSummary[] = answer?.sources ?? [];
    const under = sources.find((s) => {
      const range = new vscode.Range(s.range.start.line, s.range.start.character, s.range.end.line, s.range.end.character);
      return range.contains(position);
    });
    if (!under || under.id === this.current?.state.sourceId || this.current !== current) return;
    this.show(current.uri, { id: under.id, kind: under.kind, urls: under.urls, origin: 'server' });
  }

  private post(message: HostToWebviewMessage): void {
    void this.panel?.webview.postMessage(message);
  }

  dispose(): void {
    if (this.followTimer) clearTimeout(this.followTimer);
    this.panel?.dispose();
    for (const d of this.disposables.splice(0)) d.dispose();
  }
}

function isWebviewState(value: unknown): value is PreviewWebviewState {
  if (typeof value !== 'object' || value === null) return false;
  const source = (value as { source?: unknown }).source;
  if (typeof source !== 'object' || source === null) return false;
  const s = source as Record<string, unknown>;
  return typeof s.specUri === 'string' && typeof s.sourceId === 'string' && typeof s.specName === 'string' && Array.isArray(s.urls);
}
