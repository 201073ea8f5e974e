import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FieldType } from '../../../language-server/src/engine/spec/model';
import { coerce, parseHumanNumber } from '../../../language-server/src/engine/records/coerce';

function ok(raw: unknown, type: FieldType, expected: unknown, baseUrl?: string): void {
  const result = coerce(raw, type, 'f', { baseUrl });
  assert.deepEqual(result, { ok: true, value: expected }, `${JSON.stringify(raw)} as ${type}`);
}

function fails(raw: unknown, type: FieldType, reasonPart: RegExp): void {
  const result = coerce(raw, type, 'price', {});
  assert.equal(result.ok, false, `${JSON.stringify(raw)} as ${type} should fail, got ${JSON.stringify(result)}`);
  if (!result.ok) {
    assert.match(result.reason, /^price: /, 'the reason names the field');
    assert.match(result.reason, reasonPart);
  }
}

void describe('coerce: number', () => {
  const cases: [string | number, number][] = [
    ['£51.77', 51.77],
    ['1,234.50', 1234.5],
    ['1.234,50 €', 1234.5],
    ['\u22123', -3],
    ['£-3.00', -3],
    ['-£3.00', -3],
    ['  42  ', 42],
    ['1,234', 1234],
    ['1,234,567', 1234567],
    ['1.234.567', 1234567],
    ['12,5', 12.5],
    ['0,125', 0.125],
    ['1.234', 1.234],
    ['1 234,50', 1234.5],
    ['1\u00A0234.50', 1234.5],
    ["1'234.50", 1234.5],
    ['12,34,567.50', 1234567.5],
    ['EUR 12.00', 12],
    ['12.00 USD', 12],
    ['$1,000,000', 1000000],
    ['+7', 7],
    ['.5', 0.5],
    ['1e3', 1000],
    [51.77, 51.77],
  ];
  for (const [raw, expected] of cases) {
    void it(`${JSON.stringify(raw)} → ${expected}`, () => ok(raw, 'number', expected));
  }

  void it('rejects rating words (that is the job of derived fields)', () => fails('Three', 'number', /derived field/));
  void it('rejects prose with a number in it, suggesting a regex', () => fails('In stock (22 available)', 'number', /regex/));
  void it('rejects malformed thousands groups', () => {
    fails('1,23,4', 'number', /not a number/);
    fails('12 5', 'number', /not a number/);
    fails('1.234.5', 'number', /not a number/);
  });
  void it('rejects non-finite numbers, booleans and objects', () => {
    fails(Number.NaN, 'number', /finite/);
    fails(true, 'number', /not a number/);
    fails({ a: 1 }, 'number', /an object is not a number/);
  });
  void it('parseHumanNumber reads plain decimals after a currency sign as the general rules do', () => {
    const cases: [string, number | undefined][] = [
      ['22', 22], ['51.77', 51.77], ['£51.77', 51.77], ['$0.5', 0.5], ['€12', 12], ['¥1000', 1000], ['₹7', 7], ['007', 7],
      ['1.', undefined], ['£', undefined], ['£.5', 0.5], ['1.2.3', undefined], ['££1', 1], ['£-1', -1], ['-£1', -1],
    ];
    for (const [text, expected] of cases) assert.equal(parseHumanNumber(text), expected, text);
  });
  void it('parseHumanNumber returns undefined for garbage', () => {
    assert.equal(parseHumanNumber('abc'), undefined);
    assert.equal(parseHumanNumber('1,,2'), undefined);
    assert.equal(parseHumanNumber(''), undefined);
  });
});

void describe('coerce: integer', () => {
  void it('accepts bare and .0 whole numbers', () => {
    ok('22', 'integer', 22);
    ok('22.0', 'integer', 22);
    ok(22, 'integer', 22);
    ok('1,000', 'integer', 1000);
    ok('-0', 'integer', 0);
  });
  void it('rejects fractions', () => fails('22.5', 'integer', /whole number/));
  void it('rejects prose: a regex in the spec must pick the number', () => fails('In stock (22 available)', 'integer', /whole number.*regex/));
  void it('rejects integers beyond 2^53', () => fails('9007199254740993', 'integer', /2\^53/));
});

void describe('coerce: boolean', () => {
  void it('accepts the unambiguous set', () => {
    for (const word of ['true', 'TRUE', 'yes', 'Yes', '1']) ok(word, 'boolean', true);
    for (const word of ['false', 'no', 'NO', '0']) ok(word, 'boolean', false);
    ok(true, 'boolean', true);
    ok(0, 'boolean', false);
  });
  void it('rejects phrases such as "In stock"', () => fails('In stock', 'boolean', /derived field/));
  void it('rejects other numbers', () => fails(2, 'boolean', /not a boolean/));
});

void describe('coerce: date', () => {
  void it('keeps a plain ISO date', () => ok('2024-03-05', 'date', '2024-03-05'));
  void it('normalises an ISO date-time with a zone to UTC', () => ok('2024-03-05T10:00:00+01:00', 'date', '2024-03-05T09:00:00.000Z'));
  void it('keeps a zoneless ISO date-time local rather than inventing a zone', () => ok('2024-03-05 10:00', 'date', '2024-03-05T10:00:00'));
  void it('accepts HTTP (IMF-fixdate) and RFC 2822 dates', () => {
    ok('Tue, 05 Mar 2024 10:00:00 GMT', 'date', '2024-03-05T10:00:00.000Z');
    ok('5 Mar 2024 10:00 +0100', 'date', '2024-03-05T09:00:00.000Z');
    ok('Tue, 5 Mar 2024 10:00:00 EST', 'date', '2024-03-05T15:00:00.000Z');
  });
  void it('accepts dates with month names', () => {
    ok('5 March 2024', 'date', '2024-03-05');
    ok('March 5, 2024', 'date', '2024-03-05');
    ok('Sept 30th, 2024', 'date', '2024-09-30');
  });
  void it('rejects ambiguous numeric dates with a reason', () => {
    fails('03/05/2024', 'date', /ambiguous/);
    fails('25/12/2024', 'date', /ambiguous/);
  });
  void it('rejects impossible dates', () => {
    fails('2024-02-30', 'date', /valid calendar date/);
    fails('2023-02-29', 'date', /valid calendar date/);
    fails('2024-03-05T25:00:00Z', 'date', /valid date and time/);
    fails('31 Foo 2024', 'date', /valid date/);
  });
  void it('rejects epoch numbers as ambiguous', () => fails(1709632800, 'date', /seconds or milliseconds/));
  void it('accepts a leap day', () => ok('2024-02-29', 'date', '2024-02-29'));
});

void describe('coerce: url', () => {
  void it('accepts absolute http(s) URLs', () => ok(' https://example.com/a b ', 'url', 'https://example.com/a%20b'));
  void it('resolves relative URLs against the base', () => ok('../x.html', 'url', 'http://h.example/x.html', 'http://h.example/a/b.html'));
  void it('rejects relative URLs without a base', () => fails('/x.html', 'url', /relative URLs need a base/));
  void it('rejects other schemes', () => {
    fails('mailto:a@example.com', 'url', /http\(s\)/);
    fails('javascript:alert(1)', 'url', /http\(s\)/);
  });
});

void describe('coerce: string and absence', () => {
  void it('trims strings and stringifies scalars', () => {
    ok('  A Light in the Attic \n', 'string', 'A Light in the Attic');
    ok(42, 'string', '42');
    ok(false, 'string', 'false');
  });
  void it('rejects objects as text', () => fails({ a: 1 }, 'string', /not text/));
  void it('passes null, undefined and blank non-string values through as null', () => {
    ok(null, 'number', null);
    ok(undefined, 'date', null);
    ok('   ', 'integer', null);
    ok('   ', 'string', '');
  });
});
