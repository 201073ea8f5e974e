import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CancellationTokenSource, LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import { parseSpec } from '../../../language-server/src/engine/spec';
import { quickFixes } from '../../../language-server/src/server/features/code-actions';
import { codeLenses } from '../../../language-server/src/server/features/code-lens';
import { completionItems } from '../../../language-server/src/server/features/completion';
import { definitionAt } from '../../../language-server/src/server/features/definition';
import { hoverAt, licenceWordAt } from '../../../language-server/src/server/features/hover';
import { documentSymbols } from '../../../language-server/src/server/features/symbols';
import { toLspDiagnostic } from '../../../language-server/src/server/convert';
import { NetworkGate } from '../../../language-server/src/server/network-gate';
import { runSafe } from '../../../language-server/src/server/runner';

const SPEC = `gleaner: 1
name: unit
user_agent: "GleanerBot/1.0 (+mailto:a@b.org)"
licence:
  spdx: MIT OR CC-BY-NC-4.0
  intended_use: [research]
  attribution: "x"
politeness:
  delay: 2s
  budget: { pages: 5 }
sources:
  - id: api
    kind: api
    request:
      url: https://api.example.org/items
    pagination:
      type: cursor
      cursor_path: $.next
    records:
      path: $.items[*]
      fields:
        id: { path: $.id }
  - id: pages
    kind: scrape
    start_urls: [https://example.org/]
    follow:
      - selector: a
        source: api
`;
const URI = 'file:///w/unit.collect.yaml';
const result = parseSpec(SPEC);
const lines = SPEC.split('\n');
const lineOf = (needle: string): number => lines.findIndex((l) => l.includes(needle));

void describe('hover', () => {
  void it('documents a key of the chosen variant (pagination type cursor)', () => {
    const line = lineOf('cursor_path');
    const hover = hoverAt(result, SPEC, { line, character: 8 });
    const value = (hover?.contents as { value: string }).value;
    assert.match(value, /\*\*cursor_path\*\* · `string` · required/);
    assert.match(value, /JSONPath of the next cursor/);
  });

  void it('lists allowed values and the default of an enum', () => {
    const hover = hoverAt(result, SPEC, { line: lineOf('type: cursor'), character: 7 });
    const value = (hover?.contents as { value: string }).value;
    assert.match(value, /Allowed: `none`, `page`, `offset`, `cursor`, `link_header`, `next_url`/);
  });

  void it('names each licence of an SPDX expression under the cursor', () => {
    const line = lineOf('spdx:');
    const mit = hoverAt(result, SPEC, { line, character: 9 });
    assert.match((mit?.contents as { value: string }).value, /MIT License/);
    const nc = hoverAt(result, SPEC, { line, character: 18 });
    assert.match((nc?.contents as { value: string }).value, /NonCommercial/);
    assert.deepEqual(licenceWordAt(SPEC, { line, character: 12 }), undefined, 'the OR operator is not a licence');
  });

  void it('answers null off the spec', () => {
    assert.equal(hoverAt(result, SPEC, { line: lines.length + 3, character: 0 }), null);
  });
});

void describe('completion', () => {
  const complete = (text: string, needle: string) => {
    const ls = text.split('\n');
    const line = ls.findIndex((l) => l === needle);
    assert.ok(line >= 0, needle);
    return completionItems(parseSpec(text), text, { line, character: needle.length });
  };

  void it('offers the keys of the pagination variant in use, with snippets', () => {
    const text = SPEC.replace('      cursor_path: $.next\n', '      cursor_path: $.next\n      \n');
    const items = complete(text, '      ');
    const labels = items.map((i) => i.label);
    assert.ok(labels.includes('param'));
    assert.ok(labels.includes('stop'));
    assert.ok(!labels.includes('cursor_path'), 'present key');
    assert.ok(!labels.includes('next_path'), 'key of another variant');
    const stop = items.find((i) => i.label === 'stop')!;
    assert.equal((stop.textEdit as { newText: string }).newText, 'stop:\n  $0');
  });

  void it('offers whole-source snippets in the sources list', () => {
    const text = SPEC.replace('  - id: pages\n', '  - \n  - id: pages\n');
    const items = complete(text, '  - ');
    assert.ok(items.some((i) => i.label === 'scrape source'));
    assert.ok(items.some((i) => i.label === 'id'));
  });

  void it('offers intended uses inside a flow list and SPDX ids after an operator', () => {
    const uses = complete(SPEC.replace('  intended_use: [research]', '  intended_use: '), '  intended_use: ');
    assert.ok(uses.some((i) => i.label === 'non-commercial-training'));
    const spdx = complete(SPEC.replace('  spdx: MIT OR CC-BY-NC-4.0', '  spdx: MIT OR '), '  spdx: MIT OR ');
    const apache = spdx.find((i) => i.label === 'Apache-2.0')!;
    assert.deepEqual((apache.textEdit as { range: unknown }).range, { start: { line: 4, character: 15 }, end: { line: 4, character: 15 } });
  });
});

void describe('symbols, definition, code lens, quick fixes', () => {
  void it('outlines metadata, sections and sources', () => {
    const symbols = documentSymbols(result);
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['metadata', 'licence', 'politeness', 'sources'],
    );
    assert.deepEqual(
      symbols[0]!.children?.map((c) => c.name),
      ['gleaner', 'name', 'user_agent'],
    );
    const api = symbols[3]!.children![0]!;
    assert.deepEqual([api.name, api.detail, api.children?.map((c) => c.name)], ['api', 'api', ['id']]);
  });

  void it('jumps from follow[].source to the source id, and not from elsewhere', () => {
    const line = lineOf('source: api');
    const location = definitionAt(result, URI, { line, character: 17 });
    assert.deepEqual(location, { uri: URI, range: { start: { line: 11, character: 8 }, end: { line: 11, character: 11 } } });
    assert.equal(definitionAt(result, URI, { line: lineOf('name: unit'), character: 7 }), null);
  });

  void it('puts two lenses per source on its first line', () => {
    const lenses = codeLenses(result, URI);
    assert.equal(lenses.length, 4);
    assert.deepEqual(lenses[2]!.command?.arguments, [URI, 'pages']);
    assert.equal(lenses[2]!.range.start.line, lineOf('id: pages'));
  });

  void it('matches quick fixes to diagnostics by code and range', () => {
    const broken = parseSpec(SPEC.replace('politeness:', 'politenes:'));
    const finding = broken.diagnostics.find((d) => d.code === 'unknown-key')!;
    const sent = toLspDiagnostic(finding, URI);
    assert.equal(quickFixes(broken.diagnostics, URI, [sent]).length, 1);
    assert.equal(quickFixes(broken.diagnostics, URI, [{ ...sent, code: 'other' }]).length, 0);
    assert.equal(quickFixes(broken.diagnostics, URI, [{ ...sent, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } }]).length, 0);
  });
});

void describe('network gate and runSafe', () => {
  void it('allows the network only when trusted, enabled and settled', () => {
    const gate = new NetworkGate(undefined);
    const seen: boolean[] = [];
    gate.onDidChange((allowed) => seen.push(allowed));
    assert.equal(gate.allowed(), false);
    gate.setTrusted(true);
    assert.equal(gate.allowed(), true);
    gate.expectSettings();
    assert.equal(gate.allowed(), false, 'closed while settings are pending');
    gate.setSettings({ network: { enabled: false } });
    assert.equal(gate.allowed(), false);
    gate.setSettings({ network: { enabled: 'yes' } });
    assert.equal(gate.allowed(), true, 'a malformed value falls back to the default');
    assert.deepEqual(seen, [true, false, true]);
  });

  void it('turns exceptions into the fallback and cancellation into RequestCancelled', async () => {
    const errors: string[] = [];
    const log = { error: (m: string) => errors.push(m), warn: () => undefined, info: () => undefined, log: () => undefined };
    assert.equal(
      await runSafe(
        log,
        'boom',
        () => {
          throw new Error('bad');
        },
        'fallback',
      ),
      'fallback',
    );
    assert.match(errors[0]!, /boom failed: Error: bad/);
    const source = new CancellationTokenSource();
    source.cancel();
    const cancelled = await runSafe(log, 'x', () => 'value', 'fallback', source.token);
    assert.ok(cancelled instanceof ResponseError);
    assert.equal(cancelled.code, LSPErrorCodes.RequestCancelled);
  });
});

void describe('outline limit', () => {
  void it('keeps every section and source but stops adding fields at the limit', () => {
    // 5 sections + metadata + 2 sources = 8 symbols before any field; the spec has one field.
    const fieldsWithin = (limit: number): number => {
      const sources = documentSymbols(result, limit).find((s) => s.name === 'sources')!;
      assert.equal(sources.children?.length, 2);
      return sources.children!.flatMap((c) => c.children ?? []).length;
    };
    assert.equal(fieldsWithin(8), 0);
    assert.equal(fieldsWithin(9), 1);
  });
});
