// Fuzzing: mutated versions of the examples never make the parser throw, and always give a model
// and diagnostics whose ranges lie inside the document. Seeded, so a failure reproduces.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIAGNOSTIC_CODES, LICENCE_CODES, parseSpec, type Position } from '../../../language-server/src/engine/spec';
import { mutate, prng, seeds } from './mutations';

const KNOWN_CODES = new Set(Object.keys({ ...DIAGNOSTIC_CODES, ...LICENCE_CODES }));

function inside(p: Position, lines: string[]): boolean {
  return Number.isInteger(p.line) && Number.isInteger(p.character) && p.line >= 0 && p.line < lines.length && p.character >= 0 && p.character <= lines[p.line].length;
}

void describe('spec parser fuzzing', () => {
  void it('never throws and keeps every range inside the document', () => {
    const rnd = prng(20261123);
    const started = performance.now();
    let runs = 0;
    // Bounded by count and by time: on a loaded machine fewer cases run, but never for long.
    for (let i = 0; i < 2500 && performance.now() - started < 9000; i++) {
      const text = mutate(seeds[i % seeds.length], rnd);
      const r = parseSpec(text);
      runs++;
      assert.ok(r.model && Array.isArray(r.model.sources), `model for case ${i}`);
      const lines = text.split('\n');
      for (const d of r.diagnostics) {
        const where = `case ${i}: ${d.code} ${JSON.stringify(d.range)}`;
        assert.ok(inside(d.range.start, lines) && inside(d.range.end, lines), where);
        assert.ok(d.range.start.line < d.range.end.line || (d.range.start.line === d.range.end.line && d.range.start.character <= d.range.end.character), where);
        assert.ok(KNOWN_CODES.has(d.code), `${where}: undocumented code`);
        assert.notEqual(d.code, 'internal-error', `${where}: ${d.message}`);
        for (const f of d.fixes ?? []) for (const e of f.edits) assert.ok(inside(e.range.start, lines) && inside(e.range.end, lines), where);
      }
      const last = lines.length - 1;
      assert.ok(Array.isArray(r.locate.pathAt({ line: Math.floor(rnd() * (last + 1)), character: Math.floor(rnd() * 40) })));
    }
    assert.ok(runs >= 100, `only ${runs} cases ran in the time budget`);
  });
});
