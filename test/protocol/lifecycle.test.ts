import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DiagnosticSeverity, type DocumentSymbol, type PublishDiagnosticsParams } from 'vscode-languageserver-protocol';
import { buildServer, LspClient } from '../support/lsp-client';
import { BROKEN_SPEC, GOOD_SPEC } from './specs';

void describe('language server: lifecycle and diagnostics', () => {
  let client: LspClient;

  before(async () => {
    await buildServer();
    client = await LspClient.start({ initializationOptions: { trusted: false } });
  });

  after(async () => {
    await client?.stop();
  });

  void it('announces its capabilities', () => {
    const caps = client.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    assert.equal(caps.hoverProvider, true);
    assert.deepEqual(caps.completionProvider?.triggerCharacters, [':', ' ', '-']);
    assert.deepEqual(caps.codeActionProvider, { codeActionKinds: ['quickfix'] });
    assert.equal(caps.documentSymbolProvider, true);
    assert.equal(caps.definitionProvider, true);
    assert.equal(caps.foldingRangeProvider, true);
    assert.deepEqual(caps.codeLensProvider, { resolveProvider: false });
  });

  void it('publishes no errors or warnings for a good spec', async () => {
    const uri = 'file:///w/good.collect.yaml';
    await client.open(uri, GOOD_SPEC);
    const published = await client.waitForDiagnostics(uri);
    assert.equal(published.version, 1);
    const serious = published.diagnostics.filter((d) => d.severity === DiagnosticSeverity.Error || d.severity === DiagnosticSeverity.Warning);
    assert.deepEqual(serious, []);
  });

  void it('publishes exact codes and ranges for a broken spec', async () => {
    const uri = 'file:///w/broken.collect.yaml';
    await client.open(uri, BROKEN_SPEC);
    const published = await client.waitForDiagnostics(uri);
    const found = published.diagnostics.map((d) => [d.code, d.severity, d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character]);
    assert.deepEqual(found, [
      ['unknown-key', DiagnosticSeverity.Error, 7, 0, 7, 9],
      ['no-budget', DiagnosticSeverity.Warning, 13, 4, 13, 10],
      ['unknown-source', DiagnosticSeverity.Error, 15, 16, 15, 20],
    ]);
    assert.ok(published.diagnostics.every((d) => d.source === 'gleaner'));
    assert.match(published.diagnostics[0]!.message, /Did you mean `politeness`/);
  });

  void it('updates diagnostics after an edit, publishing only the latest of rapid edits', async () => {
    const uri = 'file:///w/rapid.collect.yaml';
    await client.open(uri, GOOD_SPEC);
    await client.waitForDiagnostics(uri, (p) => p.version === 1);
    // Five edits in a burst, each misspelling a different key; only the last text should be shown.
    for (let v = 2; v <= 6; v++) await client.change(uri, v, GOOD_SPEC.replace('output:', `outpt${v}:`));
    const last = await client.waitForDiagnostics(uri, (p) => p.version === 6);
    assert.deepEqual(
      last.diagnostics.filter((d) => d.code === 'unknown-key').map((d) => d.range),
      [{ start: { line: 26, character: 0 }, end: { line: 26, character: 6 } }],
    );
    // A round trip after the last publish: anything the server still had queued has arrived by now.
    await client.request('textDocument/documentSymbol', { textDocument: { uri } });
    const mine = client.published.filter((p) => p.uri === uri);
    assert.equal(mine[mine.length - 1]!.version, 6);
    const versions = mine.map((p) => p.version ?? -1);
    assert.deepEqual(versions, [...versions].sort((a, b) => a - b), `versions out of order: ${versions.join(',')}`);
    // The debounce should have swallowed most of the burst.
    assert.ok(versions.filter((v) => v > 1 && v < 6).length <= 2, `too many intermediate publishes: ${versions.join(',')}`);
  });

  void it('gives the outline of the validated version of a large spec, sent by the worker after its diagnostics', async () => {
    // Over 200,000 characters, requests answer from a mapped older parse until the worker's
    // outline for the new version arrives; it must arrive, and be used.
    const uri = 'file:///w/large-outline.collect.yaml';
    const source = GOOD_SPEC.slice(GOOD_SPEC.indexOf('  - id: '), GOOD_SPEC.indexOf('\noutput:') + 1);
    const copies = Array.from({ length: Math.ceil(210_000 / source.length) }, (_, i) => source.replace(/id: (\S+)/, `id: $1-${i}`));
    const text = GOOD_SPEC.replace(source, copies.join(''));
    assert.ok(text.length > 200_000);
    await client.open(uri, text);
    await client.waitForDiagnostics(uri, (p) => p.version === 1, 60_000);
    const at = text.indexOf('-0\n');
    const line = text.slice(0, at).split('\n').length - 1;
    const character = at - (text.lastIndexOf('\n', at) + 1);
    await client.edit(uri, 2, { start: { line, character }, end: { line, character: character + 2 } }, '-renamed');
    await client.waitForDiagnostics(uri, (p) => p.version === 2, 60_000);
    const names = async (): Promise<string[]> => ((await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri } })) ?? []).flatMap(function all(s: DocumentSymbol): string[] {
      return [s.name, ...(s.children ?? []).flatMap(all)];
    });
    let found = false;
    for (let attempt = 0; attempt < 100 && !found; attempt++) {
      found = (await names()).some((n) => n.includes('-renamed'));
      if (!found) await new Promise((resolve) => setTimeout(resolve, 50));
    }
    assert.ok(found, 'the outline never showed the renamed source');
    await client.close(uri);
  });

  void it('fixes a finding after an incremental edit and clears diagnostics on close', async () => {
    const uri = 'file:///w/fix.collect.yaml';
    await client.open(uri, BROKEN_SPEC);
    await client.waitForDiagnostics(uri, (p) => p.version === 1);
    await client.edit(uri, 2, { start: { line: 7, character: 0 }, end: { line: 7, character: 9 } }, 'politeness');
    const fixed: PublishDiagnosticsParams = await client.waitForDiagnostics(uri, (p) => p.version === 2);
    assert.ok(!fixed.diagnostics.some((d) => d.code === 'unknown-key'));
    await client.close(uri);
    const cleared = await client.waitForDiagnostics(uri, (p) => p.version === undefined && p.diagnostics.length === 0);
    assert.deepEqual(cleared.diagnostics, []);
  });

  void it('writes nothing but JSON-RPC to stdout and logs no errors', async () => {
    // A round trip after everything above: any stray output would have broken the stream by now.
    await client.request('textDocument/foldingRange', { textDocument: { uri: 'file:///w/good.collect.yaml' } });
    assert.deepEqual(client.protocolErrors, []);
    assert.deepEqual(client.logs.filter((l) => /failed|exception|rejection/i.test(l)), []);
  });
});
