/**
 * Run diagnostics on the spec: when a run ends, each of its warnings that names a spec path
 * (a field that matched nothing on ≥ 90 % of pages, a follow rule that never yielded a link)
 * becomes a Warning at that selector, with source `gleaner run`. They belong to the run, not to
 * the text: a new run of the spec clears them, and editing a line clears the diagnostic on it.
 */
import * as vscode from 'vscode';
import type { WarningEvent } from '../../language-server/src/protocol/run-events';
import { adjustForEdit, planRunDiagnostics, type PlannedDiagnostic } from './run-diagnostics-core';

/** The diagnostic collection's name (also what tests look for). */
export const RUN_DIAGNOSTICS_NAME = 'gleaner-run';
/** The `source` shown with each diagnostic. */
export const RUN_DIAGNOSTIC_SOURCE = 'gleaner run';

/** Owns the `gleaner-run` diagnostic collection. */
export class RunDiagnostics implements vscode.Disposable {
  private readonly collection = vscode.languages.createDiagnosticCollection(RUN_DIAGNOSTICS_NAME);
  // The planned form is kept per spec: edits move it, and the diagnostics are rebuilt from it.
  private readonly planned = new Map<string, PlannedDiagnostic[]>();
  private readonly subscription: vscode.Disposable;

  constructor() {
    this.subscription = vscode.workspace.onDidChangeTextDocument((e) => this.onEdit(e));
  }

  /** Removes a spec's run diagnostics (a new run of it starts). */
  clear(spec: vscode.Uri): void {
    this.planned.delete(spec.toString());
    this.collection.delete(spec);
  }

  /** Puts a finished run's warnings on its spec. */
  async publish(spec: vscode.Uri, runId: string, warnings: readonly WarningEvent[]): Promise<void> {
    if (!warnings.some((w) => w.specPath !== undefined)) {
      this.clear(spec);
      return;
    }
    let text: string;
    try {
      text = (await vscode.workspace.openTextDocument(spec)).getText();
    } catch {
      return; // The spec was deleted or moved since the run started: nowhere to show them.
    }
    this.set(spec, planRunDiagnostics(text, runId, warnings));
  }

  private set(spec: vscode.Uri, planned: PlannedDiagnostic[]): void {
    if (planned.length === 0) {
      this.clear(spec);
      return;
    }
    this.planned.set(spec.toString(), planned);
    this.collection.set(
      spec,
      planned.map((p) => {
        const d = new vscode.Diagnostic(new vscode.Range(p.line, p.start, p.line, Math.max(p.end, p.start + 1)), p.message, vscode.DiagnosticSeverity.Warning);
        d.source = RUN_DIAGNOSTIC_SOURCE;
        d.code = p.code;
        return d;
      }),
    );
  }

  private onEdit(e: vscode.TextDocumentChangeEvent): void {
    let planned = this.planned.get(e.document.uri.toString());
    if (!planned || e.contentChanges.length === 0) return;
    // Changes of one event do not overlap; applied bottom-up, each one's lines are still valid.
    const changes = [...e.contentChanges].sort((a, b) => b.range.start.line - a.range.start.line);
    for (const c of changes) {
      planned = adjustForEdit(planned, { startLine: c.range.start.line, endLine: c.range.end.line, newLineBreaks: c.text.split('\n').length - 1 });
    }
    this.set(e.document.uri, planned);
  }

  dispose(): void {
    this.subscription.dispose();
    this.collection.dispose();
  }
}
