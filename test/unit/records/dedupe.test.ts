import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Deduper, estimateJaccard, minHashSignature, shingles, stableStringify } from '../../../language-server/src/engine/records/dedupe';

void describe('stableStringify', () => {
  void it('sorts keys at every level and keeps array order', () => {
    assert.equal(stableStringify({ b: 1, a: { d: [3, 1], c: null } }), '{"a":{"c":null,"d":[3,1]},"b":1}');
    assert.equal(stableStringify({ a: 1, b: 2 }), stableStringify({ b: 2, a: 1 }));
  });
  void it('follows JSON for undefined, non-finite numbers and toJSON', () => {
    assert.equal(stableStringify({ a: undefined, b: [undefined], c: Number.NaN }), '{"b":[null],"c":null}');
    assert.equal(stableStringify(new Date(0)), '"1970-01-01T00:00:00.000Z"');
    assert.equal(stableStringify(undefined), 'null');
  });
});

void describe('Deduper: key', () => {
  void it('flags a second record with the same key values, not one with different ones', () => {
    const d = new Deduper({ key: ['upc'], contentHash: false });
    const first = { upc: 'a897fe39b1053632', price: 51.77 };
    assert.deepEqual(d.check(first), { duplicate: false });
    d.add(first);
    assert.deepEqual(d.check({ upc: 'a897fe39b1053632', price: 50 }), { duplicate: true, reason: 'key', of: '["a897fe39b1053632"]' });
    assert.deepEqual(d.check({ upc: 'other', price: 51.77 }), { duplicate: false });
  });

  void it('distinguishes a number key from the same digits as text, and compound keys by position', () => {
    const d = new Deduper({ key: ['a', 'b'], contentHash: false });
    d.add({ a: 1, b: 'x' });
    assert.equal(d.check({ a: '1', b: 'x' }).duplicate, false);
    assert.equal(d.check({ a: 'x', b: 1 }).duplicate, false);
    assert.equal(d.check({ b: 'x', a: 1 }).duplicate, true);
  });

  void it('does not match records that lack their key', () => {
    const d = new Deduper({ key: ['id'], contentHash: false });
    d.add({ title: 'a' });
    assert.equal(d.check({ title: 'b' }).duplicate, false);
  });

  void it('check alone never changes the state', () => {
    const d = new Deduper({ key: ['id'], contentHash: true });
    d.check({ id: 1 });
    assert.equal(d.check({ id: 1 }).duplicate, false);
    assert.equal(d.size, 0);
  });
});

void describe('Deduper: content hash', () => {
  void it('ignores key order and the _source provenance field', () => {
    const d = new Deduper({ key: [], contentHash: true });
    d.add({ title: 'T', price: 1, _source: { url: 'http://a/1', fetchedAt: 't1' } });
    const verdict = d.check({ price: 1, _source: { url: 'http://a/2', fetchedAt: 't2' }, title: 'T' });
    assert.equal(verdict.duplicate, true);
    if (verdict.duplicate) {
      assert.equal(verdict.reason, 'content');
      assert.match(verdict.of ?? '', /^[0-9a-f]{64}$/);
    }
    assert.equal(d.check({ title: 'T', price: 2 }).duplicate, false);
  });
});

const BASE_TEXT =
  'It is hard to imagine a world without A Light in the Attic. This now classic collection of poetry and drawings from Shel Silverstein celebrates its 20th anniversary with this special edition. Silverstein humorous and creative verse can amuse the dowdiest of readers.';

void describe('Deduper: near duplicates', () => {
  void it('shingles words in threes after normalising case and punctuation', () => {
    assert.deepEqual([...shingles('One, two THREE four')], ['one two three', 'two three four']);
    assert.deepEqual([...shingles('Just two')], ['just two']);
    assert.equal(shingles('  ... ').size, 0);
    assert.equal(minHashSignature('!!!'), undefined);
  });

  void it('estimates Jaccard similarity close to the exact value', () => {
    const a = 'alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon';
    const b = a.replace('kappa', 'KAPPA2').replace('sigma', 'sigma2');
    const sa = shingles(a);
    const sb = shingles(b);
    const exact = [...sa].filter((s) => sb.has(s)).length / new Set([...sa, ...sb]).size;
    const estimate = estimateJaccard(minHashSignature(a)!, minHashSignature(b)!);
    assert.ok(Math.abs(estimate - exact) < 0.15, `estimate ${estimate} vs exact ${exact}`);
  });

  void it('flags a lightly edited text and not an unrelated one', () => {
    const d = new Deduper({ key: ['id'], contentHash: true, nearDuplicates: { field: 'description', threshold: 0.7 } });
    d.add({ id: 1, description: BASE_TEXT });
    const edited = BASE_TEXT.replace('special edition', 'special anniversary edition');
    assert.deepEqual(d.check({ id: 2, description: edited }), { duplicate: true, reason: 'near', of: '[1]' });
    const unrelated = 'Sapiens explores how biology and history have defined us and enhanced our understanding of what it means to be human, from the first humans to walk the earth.';
    assert.deepEqual(d.check({ id: 3, description: unrelated }), { duplicate: false });
  });

  void it('respects the threshold', () => {
    const halfChanged = BASE_TEXT.split(' ')
      .map((word, i) => (i % 3 === 0 ? `${word}x` : word))
      .join(' ');
    const strict = new Deduper({ key: [], contentHash: false, nearDuplicates: { field: 't', threshold: 0.9 } });
    strict.add({ t: BASE_TEXT });
    assert.equal(strict.check({ t: halfChanged }).duplicate, false);
    const loose = new Deduper({ key: [], contentHash: false, nearDuplicates: { field: 't', threshold: 0.01 } });
    loose.add({ t: BASE_TEXT });
    assert.equal(loose.check({ t: `${BASE_TEXT} and one more sentence here` }).duplicate, true);
  });

  void it('stays fast with many records (LSH keeps candidates few)', () => {
    const d = new Deduper({ key: ['id'], contentHash: false, nearDuplicates: { field: 't', threshold: 0.8 } });
    const words = (n: number): string => Array.from({ length: 40 }, (_, i) => `w${(n * 7919 + i * 104729) % 100003}`).join(' ');
    const started = process.hrtime.bigint();
    for (let i = 0; i < 2000; i++) {
      const record = { id: i, t: words(i) };
      assert.equal(d.check(record).duplicate, false, `record ${i}`);
      d.add(record);
    }
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    // A linear scan would compare 2 million signature pairs; banding keeps it far below that.
    assert.ok(ms < 5000, `took ${ms} ms`);
    assert.equal(d.check({ id: 'new', t: words(1234) }).duplicate, true);
  });
});

void describe('Deduper: snapshot and restore', () => {
  void it('round-trips through JSON and keeps every kind of duplicate detection', () => {
    const d = new Deduper({ key: ['upc'], contentHash: true, nearDuplicates: { field: 'description', threshold: 0.7 } });
    d.add({ upc: 'u1', title: 'A', description: BASE_TEXT });
    d.add({ upc: 'u2', title: 'B', description: 'a completely different description of a completely different book' });
    const restored = Deduper.restore(JSON.parse(JSON.stringify(d.snapshot())));
    assert.deepEqual(restored.snapshot(), d.snapshot());
    assert.equal(restored.size, 2);
    assert.deepEqual(restored.check({ upc: 'u1', title: 'other', description: 'x' }), { duplicate: true, reason: 'key', of: '["u1"]' });
    assert.equal(restored.check({ title: 'B', upc: 'u2', description: 'a completely different description of a completely different book' }).duplicate, true);
    const near = restored.check({ upc: 'u3', title: 'C', description: `${BASE_TEXT} Now in paperback.` });
    assert.deepEqual(near, { duplicate: true, reason: 'near', of: '["u1"]' });
    assert.deepEqual(restored.check({ upc: 'u4', title: 'D', description: 'fresh text about cooking pasta with garlic and olive oil' }), { duplicate: false });
  });

  void it('is independent of the original after restore', () => {
    const d = new Deduper({ key: ['id'], contentHash: false });
    d.add({ id: 1 });
    const restored = Deduper.restore(d.snapshot());
    restored.add({ id: 2 });
    assert.equal(d.check({ id: 2 }).duplicate, false);
    assert.equal(restored.check({ id: 2 }).duplicate, true);
  });
});

void describe('Deduper: checkAndAdd', () => {
  void it('adds only records that are not duplicates', () => {
    const d = new Deduper({ key: ['id'], contentHash: true });
    assert.deepEqual(d.checkAndAdd({ id: 1, t: 'a' }), { duplicate: false });
    assert.equal(d.checkAndAdd({ id: 1, t: 'b' }).duplicate, true);
    assert.equal(d.size, 1);
    assert.equal(d.checkAndAdd({ t: 'a', id: 1 }).duplicate, true);
    assert.equal(d.checkAndAdd({ id: 2, t: 'b' }).duplicate, false);
    assert.equal(d.size, 2);
  });
});
