import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CodeAction, CodeLens, CompletionList, Diagnostic, DocumentSymbol, FoldingRange, Hover, Location } from 'vscode-languageserver-protocol';
import { buildServer, LspClient } from '../support/lsp-client';
import { BROKEN_SPEC, GOOD_SPEC } from './specs';

const GOOD = 'file:///w/features.collect.yaml';

void describe('language server: editor features', () => {
  let client: LspClient;

  before(async () => {
    await buildServer();
    client = await LspClient.start({ initializationOptions: { trusted: false } });
    await client.open(GOOD, GOOD_SPEC);
    await client.waitForDiagnostics(GOOD);
  });

  after(async () => {
    await client?.stop();
  });

  const at = (line: number, character: number) => ({ textDocument: { uri: GOOD }, position: { line, character } });

  void it('hovers a key with its documentation', async () => {
    const hover = await client.request<Hover>('textDocument/hover', at(9, 4)); // `delay`
    const value = (hover.contents as { value: string }).value;
    assert.match(value, /\*\*delay\*\*/);
    assert.match(value, /Minimum gap between two requests/);
    assert.match(value, /Default: `1s`/);
    assert.deepEqual(hover.range, { start: { line: 9, character: 2 }, end: { line: 9, character: 7 } });
  });

  void it('hovers an SPDX id with the licence name', async () => {
    const hover = await client.request<Hover>('textDocument/hover', at(5, 10));
    assert.match((hover.contents as { value: string }).value, /Creative Commons Attribution 4\.0/);
  });

  void it('hovers a source reference with that source’s summary', async () => {
    const hover = await client.request<Hover>('textDocument/hover', at(19, 17));
    assert.match((hover.contents as { value: string }).value, /Source `book`/);
  });

  void it('completes keys, enum values, SPDX ids and source ids', async () => {
    const uri = 'file:///w/complete.collect.yaml';
    const text = GOOD_SPEC.replace('  delay: 1s\n', '  delay: 1s\n  rob\n').replace('  format: jsonl', '  format: ').replace('  spdx: CC-BY-4.0', '  spdx: Apa').replace('        source: book', '        source: ');
    await client.open(uri, text);
    const lines = text.split('\n');
    const pos = (needle: string) => {
      const line = lines.findIndex((l) => l === needle);
      assert.ok(line >= 0, needle);
      return { textDocument: { uri }, position: { line, character: needle.length } };
    };
    const keys = await client.request<CompletionList>('textDocument/completion', pos('  rob'));
    const robots = keys.items.find((i) => i.label === 'robots');
    assert.ok(robots, 'robots key offered');
    assert.equal(robots.insertTextFormat, 2);
    assert.match((robots.textEdit as { newText: string }).newText, /^robots: \$\{1\|obey,ignore\|\}$/);
    assert.ok(!keys.items.some((i) => i.label === 'delay'), 'present keys are not offered again');

    const formats = await client.request<CompletionList>('textDocument/completion', pos('  format: '));
    assert.deepEqual(formats.items.map((i) => i.label).sort(), ['csv', 'jsonl', 'parquet']);

    const spdx = await client.request<CompletionList>('textDocument/completion', pos('  spdx: Apa'));
    const apache = spdx.items.find((i) => i.label === 'Apache-2.0');
    assert.ok(apache, 'Apache-2.0 offered');
    assert.equal(apache.detail, 'Apache License 2.0');
    assert.ok(spdx.items.length > 400);

    const ids = await client.request<CompletionList>('textDocument/completion', pos('        source: '));
    assert.deepEqual(ids.items.map((i) => i.label), ['listing', 'book']);

    const uses = await client.request<CompletionList>('textDocument/completion', { textDocument: { uri }, position: { line: 6, character: 17 } });
    assert.ok(uses.items.some((i) => i.label === 'commercial-training'));
  });

  void it('offers the preferred quick fix for a misspelt key', async () => {
    const uri = 'file:///w/fixes.collect.yaml';
    await client.open(uri, BROKEN_SPEC);
    const published = await client.waitForDiagnostics(uri);
    const diagnostic = published.diagnostics.find((d) => d.code === 'unknown-key') as Diagnostic;
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    assert.equal(actions.length, 1);
    assert.equal(actions[0]!.title, 'Change to `politeness`');
    assert.equal(actions[0]!.kind, 'quickfix');
    assert.equal(actions[0]!.isPreferred, true);
    assert.deepEqual(actions[0]!.edit?.changes?.[uri], [{ range: diagnostic.range, newText: 'politeness' }]);
  });

  void it('offers a quick fix for `Apache 2.0`', async () => {
    const uri = 'file:///w/apache.collect.yaml';
    await client.open(uri, GOOD_SPEC.replace('spdx: CC-BY-4.0', 'spdx: Apache 2.0'));
    const published = await client.waitForDiagnostics(uri);
    const diagnostic = published.diagnostics.find((d) => d.range.start.line === 5);
    assert.ok(diagnostic, `a licence diagnostic on line 5: ${JSON.stringify(published.diagnostics)}`);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', { textDocument: { uri }, range: diagnostic.range, context: { diagnostics: [diagnostic] } });
    const fix = actions.find((a) => a.edit?.changes?.[uri]?.some((e) => e.newText === 'Apache-2.0'));
    assert.ok(fix, `a fix to Apache-2.0 among ${JSON.stringify(actions.map((a) => a.title))}`);
  });

  void it('outlines the spec: sections, sources with their fields', async () => {
    const symbols = await client.request<DocumentSymbol[]>('textDocument/documentSymbol', { textDocument: { uri: GOOD } });
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['metadata', 'licence', 'politeness', 'sources', 'output'],
    );
    const sources = symbols.find((s) => s.name === 'sources')!;
    assert.deepEqual(
      sources.children?.map((c) => [c.name, c.detail]),
      [
        ['listing', 'scrape'],
        ['book', 'scrape'],
      ],
    );
    assert.deepEqual(sources.children?.[1]?.children?.map((c) => c.name), ['title']);
    assert.equal(sources.children?.[1]?.selectionRange.start.line, 20);
  });

  void it('goes from a source reference to the source id', async () => {
    const location = await client.request<Location>('textDocument/definition', at(19, 17));
    assert.deepEqual(location, { uri: GOOD, range: { start: { line: 20, character: 8 }, end: { line: 20, character: 12 } } });
  });

  void it('folds mappings and sequences', async () => {
    const ranges = await client.request<FoldingRange[]>('textDocument/foldingRange', { textDocument: { uri: GOOD } });
    const pairs = ranges.map((r) => [r.startLine, r.endLine]);
    assert.ok(pairs.some(([s, e]) => s === 12 && e === 25), JSON.stringify(pairs)); // sources
    assert.ok(pairs.some(([s, e]) => s === 13 && e === 19), JSON.stringify(pairs)); // listing
  });

  void it('puts Preview and Run lenses above each source', async () => {
    const lenses = await client.request<CodeLens[]>('textDocument/codeLens', { textDocument: { uri: GOOD } });
    assert.deepEqual(
      lenses.map((l) => [l.range.start.line, l.command?.command, l.command?.arguments]),
      [
        [13, 'gleaner.previewSource', [GOOD, 'listing']],
        [13, 'gleaner.runCollection', [GOOD, 'listing']],
        [20, 'gleaner.previewSource', [GOOD, 'book']],
        [20, 'gleaner.runCollection', [GOOD, 'book']],
      ],
    );
  });

  void it('lists sources over gleaner/listSources', async () => {
    const result = await client.request<{ version: number; sources: { id: string; kind: string; urls: string[] }[] }>('gleaner/listSources', { uri: GOOD });
    assert.equal(result.version, 1);
    assert.deepEqual(
      result.sources.map((s) => [s.id, s.kind, s.urls]),
      [
        ['listing', 'scrape', ['https://example.org/catalogue/page-1.html']],
        ['book', 'scrape', []],
      ],
    );
    const none = await client.request<{ version: number }>('gleaner/listSources', { uri: 'file:///w/not-open.collect.yaml' });
    assert.equal(none.version, -1);
  });
});
