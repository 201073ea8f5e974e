import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { foldingRanges } from '../../../language-server/src/server/features/folding';

void describe('foldingRanges', () => {
  void it('folds block mappings and compact sequences under their key', () => {
    const text = ['a: 1', 'sources:', '- id: x', '  kind: scrape', '- id: y', '  kind: api', 'output:', '  format: csv', ''].join('\n');
    const ranges = foldingRanges(text).map((r) => [r.startLine, r.endLine]);
    assert.deepEqual(ranges, [
      [1, 5],
      [2, 3],
      [4, 5],
      [6, 7],
    ]);
  });

  void it('ends a fold at the last content line, not at trailing blanks or comments', () => {
    const text = ['licence:', '  spdx: MIT', '', '# note', 'name: x'].join('\n');
    assert.deepEqual(
      foldingRanges(text).map((r) => [r.startLine, r.endLine]),
      [[0, 1]],
    );
  });

  void it('folds runs of comment lines as comments and ignores one-line blocks', () => {
    const text = ['# one', '# two', 'a: 1', 'b:', '  c: 2'].join('\n');
    const ranges = foldingRanges(text);
    assert.deepEqual(
      ranges.map((r) => [r.startLine, r.endLine, r.kind]),
      [
        [0, 1, 'comment'],
        [3, 4, undefined],
      ],
    );
  });

  void it('handles nested indented sequences and 50,000 lines quickly', () => {
    const lines = ['sources:'];
    for (let i = 0; i < 10_000; i++) lines.push(`  - id: s${i}`, '    kind: scrape', '    start_urls:', '      - https://example.org/');
    const started = performance.now();
    const ranges = foldingRanges(lines.join('\n'), Infinity);
    const elapsed = performance.now() - started;
    assert.equal(ranges[0]!.startLine, 0);
    assert.equal(ranges[0]!.endLine, lines.length - 1);
    assert.equal(ranges.length, 1 + 10_000 * 2);
    // With VS Code's limit, the outermost ranges are the ones kept.
    const limited = foldingRanges(lines.join('\n'), 5000);
    assert.equal(limited.length, 5000);
    assert.deepEqual([limited[0]!.startLine, limited[0]!.endLine], [0, lines.length - 1]);
    assert.ok(limited.slice(1).every((r) => r.endLine - r.startLine === 3), 'source items (4 lines) before their start_urls lists');
    assert.ok(elapsed < 1000, `took ${elapsed} ms`);
  });
});
