// Fuzzing: mutated versions of the examples never make the parser throw, and always give a model
// and diagnostics whose ranges lie inside the document. Seeded, so a failure reproduces.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DIAGNOSTIC_CODES, LICENCE_CODES, parseSpec, type Position } from '../../../language-server/src/engine/spec';

const KNOWN_CODES = new Set(Object.keys({ ...DIAGNOSTIC_CODES, ...LICENCE_CODES }));

const root = join(__dirname, '..', '..', '..');
const seeds = [
  ...readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.collect.yaml')).map((f) => join(root, 'examples', f)),
  join(root, 'test', 'fixtures', 'specs', 'broken.collect.yaml'),
].map((p) => readFileSync(p, 'utf8'));

/** mulberry32: a small seeded PRNG. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NOISE = [':', '-', ' ', '  ', '\t', '"', "'", '[', ']', '{', '}', '&a', '*a', '!', '|', '>', '#', '\n', '%', '@', '`', '${', '}', '\\', 'é', '😀', '\r\n', ',', '?', 'ghp_'];

function mutate(text: string, rnd: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)];
  let lines = text.split('\n');
  const edits = 1 + Math.floor(rnd() * 4);
  for (let e = 0; e < edits; e++) {
    const i = Math.floor(rnd() * lines.length);
    switch (Math.floor(rnd() * 7)) {
      case 0:
        lines.splice(i, 1);
        break;
      case 1:
        lines.splice(i, 0, lines[i] ?? '');
        break;
      case 2: {
        const line = lines[i] ?? '';
        const at = Math.floor(rnd() * (line.length + 1));
        lines[i] = line.slice(0, at) + pick(NOISE) + line.slice(at + (rnd() < 0.5 ? 1 : 0));
        break;
      }
      case 3:
        lines[i] = (rnd() < 0.5 ? '  ' : '') + (lines[i] ?? '').replace(/^ {1,2}/, rnd() < 0.5 ? '' : ' ');
        break;
      case 4:
        lines = lines.slice(0, Math.max(1, i));
        break;
      case 5: {
        const joined = lines.join('\n');
        const cut = Math.floor(rnd() * joined.length);
        lines = joined.slice(0, cut).split('\n');
        break;
      }
      default: {
        const j = Math.floor(rnd() * lines.length);
        [lines[i], lines[j]] = [lines[j] ?? '', lines[i] ?? ''];
      }
    }
  }
  return lines.join('\n');
}

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
