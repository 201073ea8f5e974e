/**
 * Quick fixes: the spec parser attaches `fixes` to its diagnostics; this module hands them to
 * the editor for the diagnostics in the request's context, matched by range and code (the
 * client echoes back what we published, so range+code identifies the finding).
 */
import { CodeActionKind, type CodeAction, type Connection, type Diagnostic } from 'vscode-languageserver';
import type { SpecDiagnostic } from '../../engine/spec';
import { sameRange, toLspRange, toLspDiagnostic } from '../convert';
import type { Disposable, ServerDeps } from '../deps';
import { runSafe } from '../runner';
import { FRESH_PARSE_CHARS } from '../spec-cache';

/** Quick fixes for `diagnostics` (as the client sent them back) from the parser's `findings`. */
export function quickFixes(findings: readonly SpecDiagnostic[], uri: string, diagnostics: readonly Diagnostic[]): CodeAction[] {
  const actions: CodeAction[] = [];
  for (const sent of diagnostics) {
    for (const finding of findings) {
      if (!finding.fixes || finding.fixes.length === 0) continue;
      if (finding.code !== sent.code || !sameRange(toLspRange(finding.range), sent.range)) continue;
      const diagnostic = toLspDiagnostic(finding, uri);
      for (const fix of finding.fixes) {
        actions.push({
          title: fix.title,
          kind: CodeActionKind.QuickFix,
          diagnostics: [diagnostic],
          isPreferred: fix.preferred === true,
          edit: { changes: { [uri]: fix.edits.map((e) => ({ range: toLspRange(e.range), newText: e.newText })) } },
        });
      }
    }
  }
  return actions;
}

/** Registers `textDocument/codeAction`. */
export function register(connection: Connection, deps: ServerDeps): Disposable {
  return connection.onCodeAction((params, token) =>
    runSafe(
      deps.log,
      'codeAction',
      () => {
        const document = deps.documents.get(params.textDocument.uri);
        if (!document) return [];
        if (params.context.only && !params.context.only.some((k) => CodeActionKind.QuickFix.startsWith(k))) return [];
        // The published findings carry the fixes. For a version not validated yet a small spec is
        // parsed here; a huge one is not (editors ask for code actions on every cursor move, and
        // a second-long parse would freeze them): its fixes appear once validation catches up.
        const validated = deps.publisher.current(document.uri, document.version)?.diagnostics;
        const findings = validated ?? (document.getText().length < FRESH_PARSE_CHARS ? deps.specs.get(document).diagnostics : []);
        return quickFixes(findings, document.uri, params.context.diagnostics);
      },
      [],
      token,
    ),
  );
}
