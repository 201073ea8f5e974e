/**
 * The Gleaner output channel, created the first time something is written or shown, so that
 * activation itself creates no UI.
 */
import * as vscode from 'vscode';

/** A lazily created output channel, shared by the language client and the run manager. */
export class LazyOutputChannel implements vscode.Disposable {
  private channel: vscode.OutputChannel | undefined;

  constructor(private readonly name: string) {}

  /** The underlying channel, created on first use. */
  get(): vscode.OutputChannel {
    this.channel ??= vscode.window.createOutputChannel(this.name);
    return this.channel;
  }

  /** Appends one line, prefixed with the time of day. */
  appendLine(line: string): void {
    this.get().appendLine(`[${new Date().toLocaleTimeString()}] ${line}`);
  }

  /** Reveals the channel without taking focus from the editor. */
  show(): void {
    this.get().show(true);
  }

  dispose(): void {
    this.channel?.dispose();
    this.channel = undefined;
  }
}
