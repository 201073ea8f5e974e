import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { DerivedField, RecordFieldRule } from '../../../language-server/src/engine/spec/model';
import { applyDerived, validateRecord } from '../../../language-server/src/engine/records/validate';

const rule = (spec: Partial<RecordFieldRule> & Pick<RecordFieldRule, 'name' | 'type'>): RecordFieldRule => ({ required: false, path: [], ...spec });
const derived = (spec: Partial<DerivedField> & Pick<DerivedField, 'name' | 'from'>): DerivedField => ({ path: [], ...spec });

const BOOK_RULES = [
  rule({ name: 'title', type: 'string', required: true, minLength: 1, maxLength: 200 }),
  rule({ name: 'price', type: 'number', required: true, min: 0 }),
  rule({ name: 'rating', type: 'integer', min: 1, max: 5 }),
  rule({ name: 'upc', type: 'string', pattern: '^[0-9a-f]{16}$' }),
  rule({ name: 'currency', type: 'string', enum: ['GBP', 'EUR'] }),
  rule({ name: 'url', type: 'url', required: true }),
];

void describe('validateRecord', () => {
  void it('accepts a good record and passes unknown fields through', () => {
    const values = { title: 'A Light in the Attic', price: 51.77, rating: 3, upc: 'a897fe39b1053632', currency: 'GBP', url: 'http://127.0.0.1:8917/x', _source: { url: 'u' } };
    const result = validateRecord(values, { fields: BOOK_RULES });
    assert.deepEqual(result, { ok: true, record: values });
  });

  void it('reports every failing field at once, not just the first', () => {
    const result = validateRecord({ title: '', price: -3, rating: 7, upc: 'XYZ', currency: 'USD', url: null }, { fields: BOOK_RULES });
    assert.equal(result.ok, false);
    if (result.ok) return;
    const byField = Object.fromEntries(result.errors.map((e) => [e.field, e.reason]));
    assert.deepEqual(Object.keys(byField).sort(), ['currency', 'price', 'rating', 'title', 'upc', 'url']);
    assert.match(byField.title, /required/);
    assert.match(byField.price, /-3 is less than the minimum 0/);
    assert.match(byField.rating, /7 is more than the maximum 5/);
    assert.match(byField.upc, /does not match the pattern/);
    assert.match(byField.currency, /not one of "GBP", "EUR"/);
    assert.match(byField.url, /required/);
  });

  void it('reports several reasons for one field', () => {
    const result = validateRecord({ code: 'abc' }, { fields: [rule({ name: 'code', type: 'string', minLength: 5, pattern: '^\\d+$' })] });
    assert.equal(result.ok, false);
    if (!result.ok) {
      assert.equal(result.errors.length, 2);
      assert.ok(result.errors.every((e) => e.field === 'code' && e.raw === 'abc'));
    }
  });

  void it('coerces values of the wrong type and returns the coerced record', () => {
    const result = validateRecord({ price: '£51.77', rating: '4', available: 'yes' }, { fields: [rule({ name: 'price', type: 'number' }), rule({ name: 'rating', type: 'integer' }), rule({ name: 'available', type: 'boolean' })] });
    assert.deepEqual(result, { ok: true, record: { price: 51.77, rating: 4, available: true } });
  });

  void it('fails a value that cannot be coerced, with the coercion reason', () => {
    const result = validateRecord({ rating: 'Three' }, { fields: [rule({ name: 'rating', type: 'integer' })] });
    assert.equal(result.ok, false);
    if (!result.ok) assert.match(result.errors[0].reason, /"Three" is not a whole number/);
  });

  void it('checks list values element by element', () => {
    const result = validateRecord({ scores: [1, 9, 3, 12] }, { fields: [rule({ name: 'scores', type: 'integer', max: 5 })] });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.errors.length, 2);
  });

  void it('treats an empty list and blank text as missing', () => {
    const fields = [rule({ name: 'tags', type: 'string', required: true }), rule({ name: 'title', type: 'string', required: true })];
    const result = validateRecord({ tags: [], title: '  ' }, { fields });
    assert.equal(result.ok, false);
    if (!result.ok) assert.equal(result.errors.length, 2);
  });

  void it('skips rules on absent optional fields', () => {
    assert.equal(validateRecord({}, { fields: [rule({ name: 'rating', type: 'integer', min: 1 })] }).ok, true);
  });

  void it('compares enum options as strings when types differ', () => {
    assert.equal(validateRecord({ rating: 3 }, { fields: [rule({ name: 'rating', type: 'integer', enum: ['1', '2', '3'] })] }).ok, true);
  });

  void it('counts length in code points', () => {
    assert.equal(validateRecord({ s: '😀😀' }, { fields: [rule({ name: 's', type: 'string', maxLength: 2 })] }).ok, true);
  });
});

void describe('applyDerived', () => {
  const ratingWords = derived({ name: 'rating', from: 'rating_word', map: { One: 1, Two: 2, Three: 3, Four: 4, Five: 5 } });
  const sentiment = derived({
    name: 'sentiment',
    from: 'rating',
    ranges: [
      { max: 2, value: 'negative' },
      { min: 3, max: 3, value: 'neutral' },
      { min: 4, value: 'positive' },
    ],
    default: 'unknown',
  });

  void it('maps rating words to numbers and then numbers to a label, in order', () => {
    const out = applyDerived({ rating_word: 'Three' }, [ratingWords, sentiment]);
    assert.deepEqual(out, { rating_word: 'Three', rating: 3, sentiment: 'neutral' });
    assert.equal(applyDerived({ rating_word: 'Five' }, [ratingWords, sentiment]).sentiment, 'positive');
    assert.equal(applyDerived({ rating_word: 'One' }, [ratingWords, sentiment]).sentiment, 'negative');
  });

  void it('stores a derived field named __proto__ as data', () => {
    const out = applyDerived({ rating_word: 'Three' }, [derived({ name: '__proto__', from: 'rating_word', map: { Three: { stars: 3 } } })]);
    assert.equal(Object.getPrototypeOf(out), Object.prototype);
    assert.equal(JSON.stringify(out), '{"rating_word":"Three","__proto__":{"stars":3}}');
  });

  void it('matches map keys exactly first, then trimmed and case-insensitively', () => {
    assert.equal(applyDerived({ rating_word: ' three ' }, [ratingWords]).rating, 3);
    const exact = derived({ name: 'd', from: 's', map: { a: 'lower', A: 'upper' } });
    assert.equal(applyDerived({ s: 'A' }, [exact]).d, 'upper');
  });

  void it('compares map keys as strings (numbers and booleans too)', () => {
    const map = derived({ name: 'label', from: 'stars', map: { '5': 'top', true: 'yes' } });
    assert.equal(applyDerived({ stars: 5 }, [map]).label, 'top');
    assert.equal(applyDerived({ stars: true }, [map]).label, 'yes');
  });

  void it('uses numeric text for ranges and the default when nothing matches', () => {
    assert.equal(applyDerived({ rating: '4' }, [sentiment]).sentiment, 'positive');
    assert.equal(applyDerived({ rating: 'n/a' }, [sentiment]).sentiment, 'unknown');
    assert.equal(applyDerived({}, [sentiment]).sentiment, 'unknown');
  });

  void it('leaves the field null when nothing matches and there is no default', () => {
    assert.equal(applyDerived({ rating_word: 'Zero' }, [ratingWords]).rating, null);
  });

  void it('does not modify its input', () => {
    const input = { rating_word: 'Two' };
    applyDerived(input, [ratingWords]);
    assert.deepEqual(input, { rating_word: 'Two' });
  });
});
