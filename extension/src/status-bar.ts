/**
 * The status bar: one item for the language server's state, one for the run in progress.
 */
import * as vscode from 'vscode';

/** The language server's state as the status bar shows it. */
export type ServerState = 'idle' | 'starting' | 'running' | 'stopped' | 'failed';

/** Live counters of a run, as the CLI's `progress` events report them. */
export interface RunStats {
  pages: number;
  records: number;
  failed: number;
  skipped: number;
  errors: number;
  retries: number;
}

const SERVER_TEXT: Record<ServerState, string> = {
  idle: '$(book) Gleaner',
  starting: '$(sync~spin) Gleaner',
  running: '$(pass) Gleaner',
  stopped: '$(circle-slash) Gleaner',
  failed: '$(error) Gleaner',
};

const SERVER_TOOLTIP: Record<ServerState, string> = {
  idle: 'Gleaner: the language server starts when a collection spec opens.',
  starting: 'Gleaner: the language server is starting.',
  running: 'Gleaner: the language server is running.',
  stopped: 'Gleaner: the language server is stopped. Run "Gleaner: Restart Language Server" to start it.',
  failed: 'Gleaner: the language server failed. Click to show the output.',
};

/** Formats run counters for one line of text. */
export function formatRunStats(stats: RunStats): string {
  const parts = [`${stats.pages} pages`, `${stats.records} records`];
  if (stats.failed > 0) parts.push(`${stats.failed} failed`);
  if (stats.skipped > 0) parts.push(`${stats.skipped} skipped`);
  if (stats.errors > 0) parts.push(`${stats.errors} errors`);
  if (stats.retries > 0) parts.push(`${stats.retries} retries`);
  return parts.join(' · ');
}

/** Owns the two status bar items. */
export class StatusBar implements vscode.Disposable {
  private readonly server: vscode.StatusBarItem;
  private readonly run: vscode.StatusBarItem;

  constructor() {
    this.server = vscode.window.createStatusBarItem('gleaner.server', vscode.StatusBarAlignment.Left, 10);
    this.server.name = 'Gleaner Language Server';
    this.server.command = 'gleaner.showOutput';
    this.run = vscode.window.createStatusBarItem('gleaner.run', vscode.StatusBarAlignment.Left, 9);
    this.run.name = 'Gleaner Run';
    this.run.command = 'gleaner.stopRun';
    this.setServerState('idle');
  }

  /** Shows the server state; `detail` is added to the tooltip (e.g. an error message). */
  setServerState(state: ServerState, detail?: string): void {
    this.server.text = SERVER_TEXT[state];
    this.server.tooltip = detail ? `${SERVER_TOOLTIP[state]}\n${detail}` : SERVER_TOOLTIP[state];
    this.server.backgroundColor = state === 'failed' ? new vscode.ThemeColor('statusBarItem.errorBackground') : undefined;
    this.server.show();
  }

  /** Shows the run in progress, or hides the run item when `stats` is undefined. */
  setRun(label: string | undefined, stats?: RunStats): void {
    if (label === undefined) {
      this.run.hide();
      return;
    }
    this.run.text = `$(sync~spin) ${label}${stats ? `: ${formatRunStats(stats)}` : ''}`;
    this.run.tooltip = 'Gleaner run in progress. Click to stop it (it checkpoints and can be resumed).';
    this.run.show();
  }

  dispose(): void {
    this.server.dispose();
    this.run.dispose();
  }
}
