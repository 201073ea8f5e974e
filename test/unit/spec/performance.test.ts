// Performance guards: parsing grows linearly with the spec, and a 20,000-line spec stays fast.
// Bounds are generous (the machine running the tests may be busy); they catch quadratic work,
// not a few milliseconds.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseSpec } from '../../../language-server/src/engine/spec';

const books = readFileSync(join(__dirname, '..', '..', '..', 'examples', 'books.collect.yaml'), 'utf8');
const head = books.slice(0, books.indexOf('sources:\n') + 'sources:\n'.length);
const source = books.slice(books.indexOf('  - id: book\n'), books.indexOf('\nrecords:\n') + 1);

/** The books example with its detail source repeated until the spec has about `lines` lines. */
function bigSpec(lines: number): string {
  const parts = [head];
  let n = head.split('\n').length;
  for (let i = 0; n < lines; i++) {
    const s = source.replace('id: book', `id: book${i}`).replace('    kind: scrape\n', '    kind: scrape\n    start_urls: [http://127.0.0.1:8917/x]\n');
    parts.push(s);
    n += s.split('\n').length - 1;
  }
  return parts.join('');
}

function fastest(text: string, runs: number): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    parseSpec(text);
    best = Math.min(best, performance.now() - t);
  }
  return best;
}

void describe('spec parser performance', () => {
  void it('a 20,000-line spec parses clean, in linear time', () => {
    const big = bigSpec(20_000);
    const small = bigSpec(5_000);
    assert.ok(big.split('\n').length >= 20_000);
    const r = parseSpec(big);
    assert.deepEqual(r.diagnostics, []);
    assert.ok(r.model.sources.length > 500);
    const tSmall = fastest(small, 3);
    const tBig = fastest(big, 3);
    // Four times the text: linear work takes about four times as long; quadratic, sixteen.
    assert.ok(tBig < 10 * tSmall + 100, `20k lines ${tBig.toFixed(0)} ms vs 5k lines ${tSmall.toFixed(0)} ms`);
    assert.ok(tBig < 5000, `20k lines took ${tBig.toFixed(0)} ms`);
  });

  void it('a spec of one megabyte-long line does not hang', () => {
    const text = `gleaner: 1\nname: "${'a'.repeat(1 << 20)}\n`;
    const t = performance.now();
    const r = parseSpec(text);
    assert.ok(performance.now() - t < 5000);
    assert.ok(r.diagnostics.some((d) => d.code === 'yaml-syntax'));
  });
});
