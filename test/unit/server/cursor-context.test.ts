import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec } from '../../../language-server/src/engine/spec';
import { cursorContext } from '../../../language-server/src/server/cursor-context';

/** The text with `|` removed, and the position where it was. */
function at(marked: string): { text: string; position: { line: number; character: number } } {
  const offset = marked.indexOf('|');
  const before = marked.slice(0, offset).split('\n');
  return { text: marked.slice(0, offset) + marked.slice(offset + 1), position: { line: before.length - 1, character: before[before.length - 1]!.length } };
}

function contextOf(marked: string) {
  const { text, position } = at(marked);
  return cursorContext(text, position, parseSpec(text).locate);
}

void describe('cursorContext', () => {
  void it('finds a top-level key being typed, with the keys already present', () => {
    const ctx = contextOf('gleaner: 1\nname: x\nlic|\noutput:\n  format: csv\n');
    assert.equal(ctx?.kind, 'key');
    assert.ok(ctx.kind === 'key');
    assert.deepEqual(ctx.parent, []);
    assert.deepEqual(ctx.present.sort(), ['gleaner', 'name', 'output']);
    assert.deepEqual(ctx.replace, { start: { line: 2, character: 0 }, end: { line: 2, character: 3 } });
  });

  void it('finds a key inside a list element mapping (compact sequence)', () => {
    const ctx = contextOf('sources:\n- id: a\n  kind: scrape\n  sta|\n');
    assert.ok(ctx?.kind === 'key');
    assert.deepEqual(ctx.parent, ['sources', 0]);
    assert.deepEqual(ctx.present.sort(), ['id', 'kind']);
  });

  void it('finds a key on an empty line inside a nested mapping', () => {
    const ctx = contextOf('politeness:\n  delay: 1s\n  |\nsources: []\n');
    assert.ok(ctx?.kind === 'key');
    assert.deepEqual(ctx.parent, ['politeness']);
    assert.deepEqual(ctx.present, ['delay']);
  });

  void it('finds the value of a key, with the token being typed', () => {
    const ctx = contextOf('licence:\n  spdx: MIT OR Apa|\n');
    assert.ok(ctx?.kind === 'value');
    assert.deepEqual(ctx.path, ['licence', 'spdx']);
    assert.deepEqual(ctx.replace, { start: { line: 1, character: 15 }, end: { line: 1, character: 18 } });
  });

  void it('finds a follow rule source value with its list index', () => {
    const ctx = contextOf('sources:\n  - id: a\n    kind: scrape\n    follow:\n      - selector: a\n      - selector: b\n        source: |\n');
    assert.ok(ctx?.kind === 'value');
    assert.deepEqual(ctx.path, ['sources', 0, 'follow', 1, 'source']);
  });

  void it('treats `- ` under a list of scalars as a list element', () => {
    const ctx = contextOf('licence:\n  intended_use:\n    - res|\n');
    assert.ok(ctx?.kind === 'key');
    assert.deepEqual(ctx.parent, ['licence', 'intended_use']);
  });

  void it('offers nothing inside a comment or under a scalar', () => {
    assert.equal(contextOf('name: x # sp|\n'), undefined);
    assert.equal(contextOf('name: x\n  fo|\n'), undefined);
  });
});

void describe('cursorContext through a renamed parent key', () => {
  void it('uses the new spelling of a key the parser saw under its old name', () => {
    const before = 'records:\n  fields:\n    title:\n      type: string\n';
    const old = parseSpec(before);
    // The user renamed `title` to `name` and is typing under it; the locator is the old one.
    const text = 'records:\n  fields:\n    name:\n      req\n';
    const ctx = cursorContext(text, { line: 3, character: 9 }, old.locate);
    assert.ok(ctx?.kind === 'key');
    assert.deepEqual(ctx.parent, ['records', 'fields', 'name']);
  });
});
