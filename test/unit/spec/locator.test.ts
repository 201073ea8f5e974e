// The locator: key and value ranges of paths, and the path under a position.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec } from '../../../language-server/src/engine/spec';
import { BASE, rangeOf } from './helpers';

void describe('spec locator', () => {
  const r = parseSpec(BASE);

  void it('finds key and value ranges', () => {
    assert.deepEqual(r.locate.keyRange(['name']), rangeOf(BASE, 'name'));
    assert.deepEqual(r.locate.valueRange(['name']), rangeOf(BASE, 'test'));
    assert.deepEqual(r.locate.valueRange(['sources', 0, 'id']), rangeOf(BASE, 'web'));
    assert.deepEqual(r.locate.keyRange(['sources', 0, 'records', 'fields', 'title']), rangeOf(BASE, 'title'));
    assert.deepEqual(r.locate.valueRange(['sources', 0, 'records', 'fields', 'title', 'selector']), rangeOf(BASE, 'h1'));
    assert.deepEqual(r.locate.valueRange(['licence', 'intended_use', 0]), rangeOf(BASE, 'research'));
    assert.equal(r.locate.valueRange(['nope']), undefined);
    assert.equal(r.locate.keyRange(['sources', 0]), undefined);
    assert.ok(r.locate.valueRange(['sources', 0]));
  });

  void it('answers pathAt for keys, values and list items', () => {
    assert.deepEqual(r.locate.pathAt(rangeOf(BASE, 'name').start), ['name']);
    assert.deepEqual(r.locate.pathAt(rangeOf(BASE, 'test').start), ['name']);
    assert.deepEqual(r.locate.pathAt(rangeOf(BASE, 'h1').start), ['sources', 0, 'records', 'fields', 'title', 'selector']);
    assert.deepEqual(r.locate.pathAt(rangeOf(BASE, 'research', 0, 2).start), ['licence', 'intended_use', 0]);
    assert.deepEqual(r.locate.pathAt(rangeOf(BASE, 'kind').start), ['sources', 0, 'kind']);
    assert.deepEqual(r.locate.pathAt({ line: 999, character: 0 }), []);
  });

  void it('treats number-like keys and indexes apart, and keeps the first of duplicate keys', () => {
    const text = 'a:\n  "0": x\n  0b: y\nb: [p, q]\na: again\n';
    const l = parseSpec(text).locate;
    assert.deepEqual(l.valueRange(['a', '0']), rangeOf(text, 'x'));
    assert.deepEqual(l.valueRange(['b', 1]), rangeOf(text, 'q'));
    assert.equal(l.valueRange(['b', '1']), undefined);
    assert.deepEqual(l.keyRange(['a']), rangeOf(text, 'a'));
  });

  void it('counts characters in UTF-16 code units, as LSP does', () => {
    const text = BASE.replace('name: test', 'name: "😀 é"\ndescription: z');
    const l = parseSpec(text).locate;
    assert.deepEqual(l.valueRange(['description']), rangeOf(text, 'z'));
    assert.deepEqual(l.valueRange(['name']), { start: { line: 1, character: 6 }, end: { line: 1, character: 12 } });
  });

  void it('gives the same positions for CRLF line endings', () => {
    const crlf = BASE.replace(/\n/g, '\r\n');
    const c = parseSpec(crlf);
    assert.deepEqual(c.diagnostics.filter((d) => d.severity === 'error'), []);
    assert.deepEqual(c.locate.valueRange(['sources', 0, 'id']), r.locate.valueRange(['sources', 0, 'id']));
    assert.deepEqual(c.locate.pathAt(rangeOf(BASE, 'h1').start), ['sources', 0, 'records', 'fields', 'title', 'selector']);
  });
});
