// The licence analyser: SPDX validity, fixes, and licence-vs-intended-use conflicts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeLicence, type LicenceFinding } from '../../../language-server/src/engine/licence';

const run = (expression: string, intendedUse: string[] = [], attribution?: string): LicenceFinding[] =>
  analyzeLicence({ expression, intendedUse, ...(attribution !== undefined ? { attribution } : {}) });
const codes = (findings: LicenceFinding[]): string[] => findings.map((f) => `${f.severity}:${f.code}`);

/** Applies a finding's replacement to the expression. */
const fixed = (expression: string, finding: LicenceFinding): string =>
  expression.slice(0, finding.replacement!.start) + finding.replacement!.text + expression.slice(finding.replacement!.end);

void test('valid expressions give no findings', () => {
  for (const expression of [
    'MIT',
    'MIT OR Apache-2.0',
    '(MIT AND BSD-3-Clause) OR Apache-2.0',
    'GPL-2.0-only WITH Classpath-exception-2.0',
    'Apache-2.0+',
    'LicenseRef-Acme-Terms',
    'DocumentRef-spdx-tool-1.2:LicenseRef-MIT-Style-2',
    'mit and apache-2.0'.replace('mit', 'MIT').replace('apache', 'Apache'),
  ]) {
    assert.deepEqual(run(expression), [], expression);
  }
});

void test('licence-unknown-id offers the id meant, over the exact span', () => {
  const examples: [string, string][] = [
    ['Apache 2.0', 'Apache-2.0'],
    ['CC BY 4.0', 'CC-BY-4.0'],
    ['cc-by-nc-sa-4.0', 'CC-BY-NC-SA-4.0'],
    ['GPLv3', 'GPL-3.0-only'],
    ['GPLv3+', 'GPL-3.0-or-later'],
    ['MIT License', 'MIT'],
    ['Apache License, Version 2.0', 'Apache-2.0'],
    ['BSD 3 Clause', 'BSD-3-Clause'],
    ['apache-2', 'Apache-2.0'],
    ['MTI', 'MIT'],
  ];
  for (const [written, meant] of examples) {
    const finding = run(written).find((f) => f.code === 'licence-unknown-id');
    assert.ok(finding, written);
    assert.deepEqual(finding.replacement, { start: 0, end: written.length, text: meant }, written);
    assert.equal(fixed(written, finding), meant);
  }
  // Inside a larger expression, the span is the term's.
  const expression = 'MIT OR Apache 2.0';
  const finding = run(expression).find((f) => f.code === 'licence-unknown-id')!;
  assert.deepEqual([finding.start, finding.end], [7, 17]);
  assert.equal(fixed(expression, finding), 'MIT OR Apache-2.0');
  assert.deepEqual(run(fixed(expression, finding)), []);
});

void test('a case-only difference is a warning; a real misspelling an error', () => {
  assert.equal(run('mit')[0]!.severity, 'warning');
  assert.equal(run('Apache 2.0')[0]!.severity, 'error');
});

void test('an unknown id with nothing close is an error without a fix', () => {
  const [finding] = run('Totally Custom Terms');
  assert.equal(finding!.code, 'licence-unknown-id');
  assert.equal(finding!.severity, 'error');
  assert.equal(finding!.replacement, undefined);
  assert.match(finding!.message, /LicenseRef-/);
});

void test('licence-deprecated warns and names the successor', () => {
  const gpl3 = run('GPL-3.0');
  assert.deepEqual(codes(gpl3), ['warning:licence-deprecated']);
  assert.equal(gpl3[0]!.replacement!.text, 'GPL-3.0-only');
  const gpl2plus = run('GPL-2.0+');
  assert.equal(gpl2plus[0]!.replacement!.text, 'GPL-2.0-or-later');
  assert.deepEqual([gpl2plus[0]!.start, gpl2plus[0]!.end], [0, 8]);
  assert.equal(run('LGPL-2.1+')[0]!.replacement!.text, 'LGPL-2.1-or-later');
  assert.equal(run('GPL-2.0-with-classpath-exception')[0]!.replacement!.text, 'GPL-2.0-only WITH Classpath-exception-2.0');
  // Deprecated without an obvious successor: the warning stands alone.
  const nunit = run('Nunit');
  assert.equal(nunit[0]!.code, 'licence-deprecated');
  assert.equal(nunit[0]!.replacement, undefined);
});

void test('licence-syntax points at the offending place', () => {
  const cases: [string, number, number][] = [
    ['(MIT', 0, 1],
    ['MIT OR', 5, 6],
    ['MIT)', 3, 4],
    ['MIT AND OR Apache-2.0', 8, 10],
    ['', 0, 0],
  ];
  for (const [expression, start, end] of cases) {
    const syntax = run(expression).find((f) => f.code === 'licence-syntax');
    assert.ok(syntax, expression);
    assert.equal(syntax.severity, 'error');
    assert.deepEqual([syntax.start, syntax.end], [start, end], expression);
  }
  assert.match(run('MIT Apache-2.0')[0]!.message, /AND` or `OR`/);
  const space = run('GPL-2.0-or-later +')[0]!;
  assert.equal(space.code, 'licence-syntax');
  assert.equal(space.replacement!.text, 'GPL-2.0-or-later+');
  const ref = run('LicenseRef-my terms')[0]!;
  assert.equal(ref.code, 'licence-syntax');
  assert.equal(ref.replacement!.text, 'LicenseRef-my-terms');
});

void test('WITH: exceptions are checked against the exception list', () => {
  assert.deepEqual(run('GPL-2.0-or-later WITH Bison-exception-2.2'), []);
  const loose = run('GPL-2.0-only WITH classpath exception');
  assert.equal(loose[0]!.code, 'licence-unknown-id');
  assert.deepEqual([loose[0]!.start, loose[0]!.end], [18, 37]);
  assert.equal(loose[0]!.replacement!.text, 'Classpath-exception-2.0');
  const unknown = run('MIT WITH Zork-exception');
  assert.equal(unknown[0]!.code, 'licence-unknown-id');
  assert.match(unknown[0]!.message, /exception/);
  assert.equal(run('MIT WITH')[0]!.code, 'licence-syntax');
  assert.equal(run('Classpath-exception-2.0')[0]!.code, 'licence-unknown-id');
  assert.equal(run('GPL-2.0-only WITH Nokia-Qt-exception-1.1')[0]!.code, 'licence-deprecated');
});

void test('licence-non-commercial: error for commercial training, warning for internal analytics', () => {
  assert.deepEqual(codes(run('CC-BY-NC-4.0', ['commercial-training'], 'Someone')), ['error:licence-non-commercial']);
  assert.deepEqual(codes(run('CC-BY-NC-4.0', ['internal-analytics'], 'Someone')), ['warning:licence-non-commercial']);
  assert.deepEqual(run('CC-BY-NC-4.0', ['research', 'non-commercial-training'], 'Someone'), []);
  // A loosely written NC id is still understood for the conflict.
  assert.ok(codes(run('cc-by-nc-sa-4.0', ['commercial-training'], 'x')).includes('error:licence-non-commercial'));
});

void test('licence-no-derivatives: error for a derived dataset, warning for training and redistribution', () => {
  assert.deepEqual(codes(run('CC-BY-ND-4.0', ['derived-dataset'], 'x')), ['error:licence-no-derivatives']);
  assert.deepEqual(codes(run('CC-BY-ND-4.0', ['commercial-training'], 'x')), ['warning:licence-no-derivatives']);
  assert.deepEqual(codes(run('CC-BY-ND-4.0', ['redistribution'], 'x')), ['warning:licence-no-derivatives']);
  assert.deepEqual(run('CC-BY-ND-4.0', ['research'], 'x'), []);
  assert.deepEqual(codes(run('CC-BY-NC-ND-4.0', ['commercial-training', 'derived-dataset'], 'x')), [
    'error:licence-non-commercial',
    'error:licence-no-derivatives',
    'warning:licence-no-derivatives',
  ]);
});

void test('licence-share-alike: information when output is shared', () => {
  assert.deepEqual(codes(run('CC-BY-SA-4.0', ['redistribution'], 'x')), ['information:licence-share-alike']);
  assert.deepEqual(codes(run('ODbL-1.0', ['derived-dataset'], 'x')), ['information:licence-share-alike']);
  assert.deepEqual(run('CC-BY-SA-4.0', ['research'], 'x'), []);
});

void test('licence-attribution-missing: BY licences need attribution text', () => {
  assert.deepEqual(codes(run('CC-BY-4.0')), ['warning:licence-attribution-missing']);
  assert.deepEqual(codes(run('CC-BY-4.0', [], '   ')), ['warning:licence-attribution-missing']);
  assert.deepEqual(run('CC-BY-4.0', [], 'Books to Scrape'), []);
  assert.deepEqual(codes(run('ODC-By-1.0')), ['warning:licence-attribution-missing']);
  assert.deepEqual(run('CC0-1.0'), []);
});

void test('licence-research-only: known licences and LicenseRef names vs commercial use', () => {
  assert.deepEqual(codes(run('NCGL-UK-2.0', ['commercial-training'])), ['error:licence-research-only']);
  assert.deepEqual(codes(run('PolyForm-Noncommercial-1.0.0', ['internal-analytics'])), ['warning:licence-research-only']);
  assert.deepEqual(codes(run('LicenseRef-Academic-Research-Only', ['commercial-training'])), ['error:licence-research-only']);
  assert.deepEqual(run('LicenseRef-Academic-Research-Only', ['research']), []);
  assert.deepEqual(run('LicenseRef-Acme-Commercial', ['commercial-training']), []);
});

void test('OR: a conflict counts only when every alternative has one', () => {
  assert.deepEqual(run('CC-BY-NC-4.0 OR MIT', ['commercial-training']), []);
  assert.deepEqual(run('MIT OR CC-BY-4.0'), []);
  const both = run('CC-BY-NC-4.0 OR CC-BY-NC-SA-4.0', ['commercial-training'], 'x');
  assert.deepEqual(codes(both), ['error:licence-non-commercial', 'error:licence-non-commercial']);
  assert.deepEqual(both.map((f) => f.start), [0, 16]);
  // The least troubled alternative speaks: ShareAlike information, not the NC error.
  assert.deepEqual(codes(run('CC-BY-SA-4.0 OR CC-BY-NC-4.0', ['commercial-training', 'redistribution'], 'x')), ['information:licence-share-alike']);
});

void test('AND: any operand conflict applies', () => {
  const findings = run('MIT AND CC-BY-NC-4.0', ['commercial-training'], 'x');
  assert.deepEqual(codes(findings), ['error:licence-non-commercial']);
  assert.deepEqual([findings[0]!.start, findings[0]!.end], [8, 20]);
  assert.deepEqual(codes(run('(MIT OR CC-BY-NC-4.0) AND CC-BY-ND-4.0', ['commercial-training', 'derived-dataset'], 'x')), [
    'error:licence-no-derivatives',
    'warning:licence-no-derivatives',
  ]);
});

void test('the analyser never throws on odd input', () => {
  const odd = [null, undefined, 42, { expression: 7 }, { expression: '((((', intendedUse: null }, { expression: ')))) OR WITH AND', intendedUse: [1, 2] }];
  for (const input of odd) {
    assert.doesNotThrow(() => analyzeLicence(input as never));
  }
});
