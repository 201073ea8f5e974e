// The block-YAML reader must give exactly what the `yaml` package gives (same node kinds, keys,
// values, scalar styles and ranges) whenever it does not step aside, and must step aside on any
// text the `yaml` package reports an error or warning for.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { isMap, isScalar, isSeq, parseDocument } from 'yaml';
import { readBlockYaml } from '../../../language-server/src/engine/spec/block-yaml';
import { mutate, prng, seeds } from './mutations';

/** A comparable picture of a node: kind, ranges (start and value end) and content. */
function shape(node: unknown): unknown {
  const range = (node as { range?: number[] } | null)?.range?.slice(0, 2);
  if (isMap(node)) return { map: range, flow: Boolean(node.flow), items: node.items.map((p) => [shape(p.key), shape(p.value)]) };
  if (isSeq(node)) return { seq: range, flow: Boolean(node.flow), items: node.items.map(shape) };
  if (isScalar(node)) return { scalar: range, value: node.value, type: node.type };
  return { other: node === null ? null : typeof node };
}

/** Compares the two readers on `text`; returns whether the block reader took it. */
function agree(text: string, label: string): boolean {
  const fast = readBlockYaml(text);
  if (!fast) return false;
  const reference = parseDocument(text, { uniqueKeys: false, prettyErrors: false });
  assert.deepEqual(
    [...reference.errors, ...reference.warnings].map((e) => e.message),
    [],
    `${label}: the block reader accepted text the yaml package reports:\n${text}`,
  );
  assert.deepEqual(shape(fast.contents), shape(reference.contents), `${label}:\n${text}`);
  return true;
}

const EDGE_CASES = [
  'a: 1\nb:   foo bar   # c\nc:\nd: "x"\ne: [1, two, "3"]\n',
  'sources:\n  - id: x\n    kind: scrape\n  - y\n  -\n  - [ ]\nz: {}\n',
  'a:\n  b: 1\n\n# c\n  c: 2\n',
  'a:\n  b: 1\n\n# trailing\n\n',
  '# head\n\na: 1\n',
  'k: 0x1F\nl: .inf\nm: ~\nn: Null\no: TRUE\np: 1e3\nq: -0.5\nr: 012\ns: 0o12\nt: +12\nu: .NaN\nv: -.inf\n',
  "a: 'it''s'\nb: \"t\\\"q \\u00e9 \\x41 \\\\d+\"\n",
  'a: b',
  'a:',
  'a:   # nothing\nb: 2\n',
  'list:\n- a\n- b\nnext: 1\n',
  'list:\n- a: 1\n  b: 2\n- c\n',
  '- a\n- b: c\n  d:\n    - e\n',
  'a:\n  - \n  - x\n',
  'a:\n  -   # empty\n  - x\n',
  'url: http://example.org/a#b\npath: $.items[*]\nsel: div > a[href^="x"]\n',
  'a: x #not a comment\n',
  'a: [x, y] # c\nb: ["a, b", \'c\']\n',
  'key with spaces: value with spaces\n',
  '1: one\ntrue: yes\nnull: nothing\n',
  'a: -x\nb: -1\nc: :x\n',
  '  a: 1\n  b: 2\n',
  'a: 1\n b: 2\n',
  'a:\n    b: 1\n  c: 2\n',
  'a: b: c\n',
  'a: b:\n',
  'a: "unterminated\n',
  "a: 'x' y\n",
  'a: [x, [y]]\n',
  'a: [x,]\n',
  'a: {b: 1}\n',
  'a: &x 1\nb: *x\n',
  'a: !!str 1\n',
  'a: |\n  text\n',
  'a: >\n  text\n',
  'a: plain\n  continued\n',
  '---\na: 1\n',
  'a: 1\n---\nb: 2\n',
  '? a\n: b\n',
  '"quoted key": 1\n',
  'a: "\\q"\n',
  'a:\tb\n',
  'a: b\r\nc: d\r\n',
  'a:\n- b\n  - c\n',
  '- - a\n',
  'a: - b\n',
  'x',
  '',
  '# only a comment\n',
  'a:\n  b:\n  # c\nd: 1\n',
  'a:\n  b: # c\nd: 1\n',
  'x:\n  - a:\n    b:\n  - c',
  'x:\n  - a:\n    b:   \n  - c',
  'x:\n  - a:\n    b: # c\n  - c',
  'a:\n  b: 1\n   # deeper\nc: 2\n',
  'a:\n  b: 1\n  # c\nd: 1',
  'a:\n  b: 1\n# trailing',
  'a:\n  b:\n\n',
  'a:\n  # before\n  b: 1\n',
];

void describe('block-YAML reader', () => {
  void it('gives what the yaml package gives on hand-picked edge cases, or steps aside', () => {
    let taken = 0;
    for (const [i, text] of EDGE_CASES.entries()) if (agree(text, `edge case ${i}`)) taken++;
    // Most of the cases above are inside the subset; a reader that always stepped aside would pass vacuously.
    assert.ok(taken >= 20, `only ${taken} edge cases were read by the block reader`);
  });

  void it('reads every example spec and the generated benchmark specs', async () => {
    const bench = pathToFileURL(join(__dirname, '..', '..', '..', 'bench', 'lsp', 'generate.mjs')).href;
    const { generateSpec } = (await import(bench)) as { generateSpec(lines: number): { text: string } };
    // Anchors and aliases are outside the subset; every other example must take the fast path.
    for (const [i, text] of seeds.entries()) if (!/^\s*[^#\n]*[&*]\w/m.test(text)) assert.ok(agree(text, `seed ${i}`), `seed ${i} was not read by the block reader`);
    for (const lines of [200, 3000]) assert.ok(agree(generateSpec(lines).text, `generated ${lines}`), `the generated ${lines}-line spec was not read`);
  });

  void it('reads CRLF line ends as the yaml package does', () => {
    let taken = 0;
    for (const [i, text] of [...EDGE_CASES, ...seeds].entries()) if (agree(text.replace(/\r?\n/g, '\r\n'), `CRLF case ${i}`)) taken++;
    assert.ok(taken >= 20, `only ${taken} CRLF cases were read by the block reader`);
  });

  void it('agrees with the yaml package on thousands of mutated specs', () => {
    const rnd = prng(9309);
    // Noise that mostly stays inside the subset, so the comparison is exercised, plus some that leaves it.
    const noise = [':', ': ', '-', '- ', ' ', '  ', '"', "'", '[', ']', '{}', '#', ' #', '\n', ',', '0', '1.5', 'x', 'null', 'true', '\\', '~', '.', 'a: b', '\n  ', '&a', '|'];
    let taken = 0;
    let runs = 0;
    const started = performance.now();
    for (let i = 0; i < 4000 && performance.now() - started < 9000; i++) {
      // Every third case with CRLF line ends (the mutations may leave a lone CR or LF too).
      const seed = i % 3 === 2 ? seeds[i % seeds.length].replace(/\n/g, '\r\n') : seeds[i % seeds.length];
      const text = mutate(seed, rnd, noise);
      runs++;
      if (agree(text, `mutation ${i}`)) taken++;
    }
    assert.ok(runs >= 200, `only ${runs} cases ran in the time budget`);
    assert.ok(taken >= runs / 4, `the block reader read only ${taken} of ${runs} mutated specs`);
  });
});
