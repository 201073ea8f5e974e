// One test per diagnostic code: the code, its severity and its exact range.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DIAGNOSTIC_CODES, LICENCE_CODES, parseSpec, type SpecDiagnostic } from '../../../language-server/src/engine/spec';
import { parseDocument } from 'yaml';
import { TextPositions } from '../../../language-server/src/engine/spec/locator';
import { validateDocument } from '../../../language-server/src/engine/spec/validate';
import { API_SOURCE, BASE, only, rangeOf, withCode } from './helpers';

const serious = (ds: SpecDiagnostic[]): SpecDiagnostic[] => ds.filter((d) => d.severity === 'error' || d.severity === 'warning');

void describe('spec diagnostics', () => {
  void it('the base spec used by these tests is clean', () => {
    assert.deepEqual(serious(parseSpec(BASE).diagnostics), []);
    assert.deepEqual(serious(parseSpec(BASE.replace('sources:\n', `sources:\n${API_SOURCE}`)).diagnostics), []);
  });

  void it('yaml-syntax: an unterminated quoted string', () => {
    const text = BASE.replace('name: test', 'name: "test');
    const d = withCode(parseSpec(text).diagnostics, 'yaml-syntax');
    assert.ok(d.length >= 1);
    assert.equal(d[0].severity, 'error');
    assert.equal(d[0].range.start.line, 1);
  });

  void it('yaml-syntax: a tab-indented mapping is an error on its line', () => {
    const text = 'gleaner: 1\nname: x\nsources:\n\t- id: a\n';
    const d = withCode(parseSpec(text).diagnostics, 'yaml-syntax');
    assert.ok(d.length >= 1);
    assert.ok(d.some((x) => x.range.start.line === 3));
  });

  void it('unknown-key with did-you-mean and a quick fix', () => {
    const text = BASE.replace('    records:', '    recrods:');
    const d = only(parseSpec(text).diagnostics, 'unknown-key');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'recrods'));
    assert.match(d.message, /Did you mean `records`\?/);
    assert.deepEqual(d.fixes?.[0].edits, [{ range: rangeOf(text, 'recrods'), newText: 'records' }]);
  });

  void it('a misspelt required key is reported once, as the misspelling', () => {
    const text = BASE.replace('      fields:', '      feilds:');
    const ds = parseSpec(text).diagnostics;
    assert.equal(only(ds, 'unknown-key').fixes?.[0].edits[0].newText, 'fields');
    assert.deepEqual(withCode(ds, 'missing-required'), []);
  });

  void it('a source reached only through a misspelt follow rule is not also unreachable', () => {
    const text = BASE.replace('    records:', '    follow:\n      - selector: a\n        source: detials\n    records:') + '  - id: details\n    kind: scrape\n' + 'politeness:\n  budget:\n    pages: 5\n';
    const ds = parseSpec(text).diagnostics;
    assert.equal(only(ds, 'unknown-source').severity, 'error');
    assert.deepEqual(withCode(ds, 'unreachable-source'), []);
  });

  void it('unknown-key suggests snake_case for camelCase', () => {
    const text = BASE.replace('user_agent:', 'userAgent:');
    const d = withCode(parseSpec(text).diagnostics, 'unknown-key')[0];
    assert.match(d.message, /`user_agent`/);
  });

  void it('unknown-key names the variant a misplaced key belongs to', () => {
    const text = BASE.replace('sources:\n', `sources:\n${API_SOURCE}`).replace('    request:\n', '    start_urls: [https://api.example.com/]\n    request:\n');
    const d = only(parseSpec(text).diagnostics, 'unknown-key');
    assert.deepEqual(d.range, rangeOf(text, 'start_urls'));
    assert.match(d.message, /only allowed with `kind: scrape`/);
  });

  void it('deprecated-key (no key is deprecated yet; the mechanism is checked on a test table)', () => {
    const text = 'old: 1\nnew: 2\n';
    const diagnostics: SpecDiagnostic[] = [];
    const clean = validateDocument({ doc: parseDocument(text), positions: new TextPositions(text), diagnostics }, {
      kind: 'object',
      doc: 'Test root.',
      props: { old: { kind: 'integer', doc: 'Old.', deprecated: 'use `new`.' }, new: { kind: 'integer', doc: 'New.' } },
    });
    const d = only(diagnostics, 'deprecated-key');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, rangeOf(text, 'old'));
    assert.deepEqual(clean, { old: 1, new: 2 });
  });

  void it('wrong-type', () => {
    const text = BASE.replace('name: test', 'name: [a, b]');
    const d = only(parseSpec(text).diagnostics, 'wrong-type');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, '[a, b]'));
    assert.match(d.message, /Expected a string, found a list/);
  });

  void it('missing-required at the key of the mapping that lacks it', () => {
    const text = BASE.replace('    kind: scrape\n', '');
    const d = only(parseSpec(text).diagnostics, 'missing-required');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'id'));
    assert.match(d.message, /`kind`/);
  });

  void it('missing-required for `extract: attribute` without `attribute`', () => {
    const text = BASE.replace('{ selector: h1 }', '{ selector: a, extract: attribute }');
    const d = only(parseSpec(text).diagnostics, 'missing-required');
    assert.deepEqual(d.range, rangeOf(text, 'attribute }', 0, 0, 'attribute'.length));
  });

  void it('prose that merely starts like a token is not a secret', () => {
    const text = BASE.replace('name: test', 'name: test\ndescription: "sk-learn-compatible-preprocessing-pipeline-for-books"');
    assert.deepEqual(withCode(parseSpec(text).diagnostics, 'secret-in-clear'), []);
  });

  void it('missing-required for a top-level key, at the first key', () => {
    const text = BASE.replace('name: test\n', '');
    const d = only(parseSpec(text).diagnostics, 'missing-required');
    assert.deepEqual(d.range, rangeOf(text, 'gleaner'));
  });

  void it('duplicate-key on the second occurrence', () => {
    const text = BASE.replace('name: test\n', 'name: test\nname: again\n');
    const d = only(parseSpec(text).diagnostics, 'duplicate-key');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'name', 1));
    assert.equal(parseSpec(text).model.metadata.name, 'test');
  });

  void it('duplicate-source-id on the second id', () => {
    const text = BASE + BASE.slice(BASE.indexOf('  - id: web'));
    const d = only(parseSpec(text).diagnostics, 'duplicate-source-id');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'web', 1));
  });

  void it('invalid-selector points at the offending character', () => {
    const text = BASE.replace('{ selector: h1 }', '{ selector: "div a[href" }');
    const d = only(parseSpec(text).diagnostics, 'invalid-selector');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'div a[href', 0, 5, 1));
  });

  void it('invalid-selector for an unsupported pseudo-class covers it', () => {
    const text = BASE.replace('{ selector: h1 }', '{ selector: h1:hovr }');
    const d = only(parseSpec(text).diagnostics, 'invalid-selector');
    assert.deepEqual(d.range, rangeOf(text, ':hovr'));
  });

  void it('jQuery positional pseudo-classes that cheerio supports are accepted', () => {
    const text = BASE.replace('{ selector: h1 }', '{ selector: "li:eq(2) a:first" }');
    assert.deepEqual(withCode(parseSpec(text).diagnostics, 'invalid-selector'), []);
  });

  void it('invalid-jsonpath points at the offending character', () => {
    const text = BASE.replace('sources:\n', `sources:\n${API_SOURCE}`).replace('path: $.title', 'path: $.ti tle');
    const d = only(parseSpec(text).diagnostics, 'invalid-jsonpath');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, '$.ti tle', 0, 5, 1));
  });

  void it('invalid-regex covers the value', () => {
    const text = BASE.replace('{ selector: h1 }', "{ selector: h1, regex: '(unclosed' }");
    const d = only(parseSpec(text).diagnostics, 'invalid-regex');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, "'(unclosed'"));
  });

  void it('invalid-url', () => {
    const text = BASE.replace('https://books.example.com/', 'https://exa mple.com/');
    const d = only(parseSpec(text).diagnostics, 'invalid-url');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'https://exa mple.com/'));
  });

  void it('unsupported-scheme', () => {
    const text = BASE.replace('https://books.example.com/', 'file:///etc/passwd');
    const d = only(parseSpec(text).diagnostics, 'unsupported-scheme');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'file:///etc/passwd'));
  });

  void it('private-address for loopback, private and link-local hosts, IPv4 and IPv6', () => {
    for (const url of ['http://127.0.0.1:8917/', 'http://localhost/', 'http://10.1.2.3/', 'http://192.168.0.1/', 'http://169.254.169.254/latest', 'http://[::1]/', 'http://[fe80::1]/', 'http://[fd00::5]/', 'http://2130706433/']) {
      const text = BASE.replace('https://books.example.com/', url);
      const d = only(parseSpec(text).diagnostics, 'private-address');
      assert.equal(d.severity, 'error', url);
      assert.deepEqual(d.range, rangeOf(text, url), url);
    }
  });

  void it('private-address is allowed with allow_private_network', () => {
    const text = BASE.replace('https://books.example.com/', 'http://127.0.0.1:8917/') + 'politeness:\n  allow_private_network: true\n';
    assert.deepEqual(withCode(parseSpec(text).diagnostics, 'private-address'), []);
  });

  void it('URLs with ${…} references are checked after masking them', () => {
    const ok = BASE.replace('https://books.example.com/', 'https://books.example.com/${env:SHELF}/');
    assert.deepEqual(serious(parseSpec(ok).diagnostics), []);
    const bad = BASE.replace('https://books.example.com/', 'ftp://${env:HOST}/');
    assert.equal(only(parseSpec(bad).diagnostics, 'unsupported-scheme').severity, 'error');
  });

  void it('delay-too-short on a public host, with a fix to 1s', () => {
    const text = BASE + 'politeness:\n  delay: 0.2s\n';
    const d = only(parseSpec(text).diagnostics, 'delay-too-short');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, rangeOf(text, '0.2s'));
    assert.equal(d.fixes?.[0].edits[0].newText, '1s');
  });

  void it('delay-too-short is not reported when every host is loopback', () => {
    const text = BASE.replace('https://books.example.com/', 'http://127.0.0.1:8917/') + 'politeness:\n  delay: 100ms\n  allow_private_network: true\n';
    assert.deepEqual(serious(parseSpec(text).diagnostics), []);
  });

  void it('concurrency-high: a warning above 4, an error above 8', () => {
    const warn = BASE + 'politeness:\n  concurrency:\n    per_host: 5\n';
    const w = only(parseSpec(warn).diagnostics, 'concurrency-high');
    assert.equal(w.severity, 'warning');
    assert.deepEqual(w.range, rangeOf(warn, '5', 0));
    const err = BASE + 'politeness:\n  concurrency:\n    per_host: 9\n';
    const e = only(parseSpec(err).diagnostics, 'concurrency-high');
    assert.equal(e.severity, 'error');
    assert.deepEqual(e.range, rangeOf(err, 'per_host: 9', 0, 10, 1));
  });

  void it('concurrency-high is not reported when every host is loopback', () => {
    const text = BASE.replace('https://books.example.com/', 'http://127.0.0.1:8917/') + 'politeness:\n  concurrency:\n    per_host: 16\n    total: 16\n  allow_private_network: true\n';
    assert.deepEqual(serious(parseSpec(text).diagnostics), []);
  });

  void it('robots-ignore-unjustified', () => {
    const text = BASE + 'politeness:\n  robots: ignore\n';
    const d = only(parseSpec(text).diagnostics, 'robots-ignore-unjustified');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'ignore'));
    const justified = text + '  robots_justification: Written permission from the site owner, 2026-01-05.\n';
    assert.deepEqual(withCode(parseSpec(justified).diagnostics, 'robots-ignore-unjustified'), []);
  });

  void it('user-agent-no-contact', () => {
    const text = BASE.replace('"GleanerBot/0.1 (+mailto:data@example.org)"', 'GleanerBot/0.1');
    const d = only(parseSpec(text).diagnostics, 'user-agent-no-contact');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, rangeOf(text, 'GleanerBot/0.1'));
    for (const ua of ['Bot/1 (+https://example.org/bot)', 'Bot/1 (ops@example.org)']) {
      assert.deepEqual(withCode(parseSpec(BASE.replace('"GleanerBot/0.1 (+mailto:data@example.org)"', JSON.stringify(ua))).diagnostics, 'user-agent-no-contact'), []);
    }
  });

  void it('no-budget for a scrape source that follows links', () => {
    const text = BASE.replace('    records:', '    follow:\n      - selector: a.next\n    records:');
    const d = only(parseSpec(text).diagnostics, 'no-budget');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, rangeOf(text, 'follow'));
    assert.deepEqual(withCode(parseSpec(text + 'politeness:\n  budget:\n    pages: 10\n').diagnostics, 'no-budget'), []);
  });

  void it('secret-in-clear in an auth slot, with a ${env:…} fix named after the source and slot', () => {
    const text = BASE.replace('sources:\n', `sources:\n${API_SOURCE}    auth:\n      type: bearer\n      token: abc123secret\n`);
    const d = only(parseSpec(text).diagnostics, 'secret-in-clear');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'abc123secret'));
    assert.deepEqual(d.fixes?.[0].edits, [{ range: rangeOf(text, 'abc123secret'), newText: '"${env:BOOKS_API_TOKEN}"' }]);
    const fixed = text.replace('abc123secret', '"${env:BOOKS_API_TOKEN}"');
    assert.deepEqual(serious(parseSpec(fixed).diagnostics), []);
  });

  void it('secret-in-clear in an Authorization-like header, but not with a reference', () => {
    const text = BASE.replace('sources:\n', `sources:\n${API_SOURCE}`).replace('      url: https://api.example.com/v1/books\n', '      url: https://api.example.com/v1/books\n      headers:\n        X-API-Key: k-12345\n        Accept: application/json\n');
    const d = only(parseSpec(text).diagnostics, 'secret-in-clear');
    assert.deepEqual(d.range, rangeOf(text, 'k-12345'));
    assert.equal(d.fixes?.[0].edits[0].newText, '"${env:BOOKS_API_X_API_KEY}"');
    const ok = text.replace('k-12345', '"Bearer ${secret:API}"');
    assert.deepEqual(withCode(parseSpec(ok).diagnostics, 'secret-in-clear'), []);
  });

  void it('a known token format in a quoted secret slot is reported once', () => {
    const text = BASE.replace('sources:\n', `sources:\n${API_SOURCE}    auth:\n      type: bearer\n      token: "ghp_abcdefghijklmnopqrstuvwxyz0123456789"\n`);
    const d = only(parseSpec(text).diagnostics, 'secret-in-clear');
    assert.deepEqual(d.range, rangeOf(text, '"ghp_abcdefghijklmnopqrstuvwxyz0123456789"'));
  });

  void it('a selector written as a single fallback is located precisely', () => {
    const text = BASE.replace('{ selector: h1 }', '{ selector: h1, fallback: "h2:nope" }');
    assert.deepEqual(only(parseSpec(text).diagnostics, 'invalid-selector').range, rangeOf(text, ':nope'));
  });

  void it('secret-in-clear for well-known token formats anywhere', () => {
    for (const token of ['ghp_abcdefghijklmnopqrstuvwxyz0123456789', 'AKIAIOSFODNN7EXAMPLE', 'eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'sk-proj-Ab3dEfGh1jKlMnOpQrStUvWxYz0123456789']) {
      const text = BASE.replace('name: test', `name: test\ndescription: "key ${token} here"`);
      const d = only(parseSpec(text).diagnostics, 'secret-in-clear');
      assert.deepEqual(d.range, rangeOf(text, token), token);
    }
  });

  void it('invalid-reference', () => {
    const text = BASE.replace('https://books.example.com/', 'https://books.example.com/${HOME}');
    const d = only(parseSpec(text).diagnostics, 'invalid-reference');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, '${HOME}'));
  });

  void it('unknown-source with a did-you-mean fix', () => {
    const text = BASE.replace('    records:', '    follow:\n      - selector: a\n        source: wbe\n    records:') + 'politeness:\n  budget:\n    pages: 5\n';
    const d = only(parseSpec(text).diagnostics, 'unknown-source');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'wbe'));
    assert.deepEqual(d.fixes?.[0].edits, [{ range: rangeOf(text, 'wbe'), newText: 'web' }]);
  });

  void it('unreachable-source', () => {
    const text = BASE + '  - id: orphan\n    kind: scrape\n    records:\n      fields:\n        t: { selector: h1 }\n';
    const d = only(parseSpec(text).diagnostics, 'unreachable-source');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, rangeOf(text, 'orphan'));
  });

  void it('unknown-field in records.key, dedupe and derived', () => {
    const text = BASE + 'records:\n  key: titel\n  dedupe:\n    near_duplicates:\n      field: body\n  derived:\n    x:\n      from: nope\n';
    const ds = withCode(parseSpec(text).diagnostics, 'unknown-field');
    assert.deepEqual(ds.map((d) => d.range), [rangeOf(text, 'titel'), rangeOf(text, 'body'), rangeOf(text, 'nope')]);
    assert.equal(ds[0].fixes?.[0].edits[0].newText, 'title');
  });

  void it('invalid-enum with a suggestion', () => {
    const text = BASE + 'output:\n  format: jsonlines\n';
    const d = only(parseSpec(text).diagnostics, 'invalid-enum');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'jsonlines'));
    assert.equal(d.fixes?.[0].edits[0].newText, 'jsonl');
  });

  void it('invalid-duration and invalid-size', () => {
    const text = BASE + 'politeness:\n  delay: 2 seconds\n  max_response_size: 10 megs\n';
    const ds = parseSpec(text).diagnostics;
    assert.deepEqual(only(ds, 'invalid-duration').range, rangeOf(text, '2 seconds'));
    assert.deepEqual(only(ds, 'invalid-size').range, rangeOf(text, '10 megs'));
  });

  void it('out-of-range', () => {
    const text = BASE + 'politeness:\n  jitter: 1.5\n';
    const d = only(parseSpec(text).diagnostics, 'out-of-range');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, '1.5'));
  });

  void it('licence-alias: `license` is read as `licence`, with a hint and a rename fix', () => {
    const text = BASE.replace('licence:', 'license:');
    const r = parseSpec(text);
    const d = only(r.diagnostics, 'licence-alias');
    assert.equal(d.severity, 'hint');
    assert.deepEqual(d.range, rangeOf(text, 'license'));
    assert.equal(d.fixes?.[0].edits[0].newText, 'licence');
    assert.equal(r.model.licence.spdx, 'CC-BY-4.0');
  });

  void it('licence-missing', () => {
    const text = BASE.replace(/licence:\n(  .*\n)+/, '');
    const d = only(parseSpec(text).diagnostics, 'licence-missing');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, rangeOf(text, 'sources'));
  });

  void it('licence findings from engine/licence land on the SPDX id, with its fix', () => {
    const text = BASE.replace('spdx: CC-BY-4.0', 'spdx: MIT OR Apache 2.0');
    const d = only(parseSpec(text).diagnostics, 'licence-unknown-id');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'Apache 2.0'));
    assert.deepEqual(d.fixes?.[0].edits, [{ range: rangeOf(text, 'Apache 2.0'), newText: 'Apache-2.0' }]);
  });

  void it('every code the tests see is documented', () => {
    const documented = new Set(Object.keys({ ...DIAGNOSTIC_CODES, ...LICENCE_CODES }));
    const text = BASE.replace('name: test', 'name: [x]\nnope: 1');
    for (const d of parseSpec(text).diagnostics) assert.ok(documented.has(d.code), d.code);
  });

  void it('licence findings map offsets into the document, through quotes, with quick fixes', () => {
    const text = BASE.replace('spdx: CC-BY-4.0', 'spdx: "MIT OR Apache 2.0"');
    const r = parseSpec(text, {
      analyzeLicence: ({ expression }) => {
        const start = expression.indexOf('Apache 2.0');
        return [{ code: 'licence-unknown-id', severity: 'error', message: 'Unknown SPDX id', start, end: start + 10, replacement: { start, end: start + 10, text: 'Apache-2.0' } }];
      },
    });
    const d = only(r.diagnostics, 'licence-unknown-id');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, rangeOf(text, 'Apache 2.0'));
    assert.deepEqual(d.fixes?.[0].edits, [{ range: rangeOf(text, 'Apache 2.0'), newText: 'Apache-2.0' }]);
  });

  void it('licence findings on an escaped scalar fall back to the whole value', () => {
    const text = BASE.replace('spdx: CC-BY-4.0', 'spdx: "MIT OR\\u0020Foo"');
    const r = parseSpec(text, { analyzeLicence: () => [{ code: 'licence-x', severity: 'warning', message: 'x', start: 7, end: 10, replacement: { start: 7, end: 10, text: 'Bar' } }] });
    const d = only(r.diagnostics, 'licence-x');
    assert.deepEqual(d.range, rangeOf(text, '"MIT OR\\u0020Foo"'));
    assert.deepEqual(d.fixes?.[0].edits[0].newText, '"MIT OR Bar"');
  });

  void it('a failing licence analyser costs one finding, not the parse', () => {
    const r = parseSpec(BASE, {
      analyzeLicence: () => {
        throw new Error('boom');
      },
    });
    assert.equal(only(r.diagnostics, 'licence-check-failed').severity, 'warning');
    assert.equal(r.model.sources.length, 1);
  });

  void it('alias-limit stops an alias bomb', () => {
    const lines = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i < 9; i++) lines.push(`a${i}: &a${i} [${Array(10).fill(`*a${i - 1}`).join(', ')}]`);
    const text = `${BASE}records:\n  derived:\n    bomb:\n      from: title\n      map:\n${lines.map((l) => '        ' + l).join('\n')}\n      default: *a8\n`;
    const started = performance.now();
    const d = withCode(parseSpec(text).diagnostics, 'alias-limit');
    assert.ok(performance.now() - started < 5000);
    assert.ok(d.length >= 1);
    assert.equal(d[0].severity, 'error');
  });

  void it('nesting-too-deep', () => {
    const deep = BASE.replace('name: test', 'name: test\ndescription: ' + '['.repeat(100) + ']'.repeat(100));
    const ds = parseSpec(deep).diagnostics;
    assert.equal(only(ds, 'wrong-type').severity, 'error');
    const d = only(ds, 'nesting-too-deep');
    assert.equal(d.severity, 'error');
    // The root mapping is level 0 and the first bracket level 1, so level 65 is the 65th bracket.
    assert.deepEqual(d.range, rangeOf(deep, 'description: [', 0, 'description: '.length + 64, 1));
  });

  void it('document-too-large', () => {
    const text = BASE + '# ' + 'x'.repeat(5 * 1024 * 1024) + '\n';
    const r = parseSpec(text);
    const d = only(r.diagnostics, 'document-too-large');
    assert.equal(d.severity, 'error');
    assert.deepEqual(d.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } });
    assert.equal(r.model.sources.length, 0);
  });

  void it('line-too-long, and a megabyte line does not hang', () => {
    const text = BASE.replace('name: test', `name: test\ndescription: ${'y'.repeat(1024 * 1024)}`);
    const started = performance.now();
    const r = parseSpec(text);
    assert.ok(performance.now() - started < 5000);
    const d = only(r.diagnostics, 'line-too-long');
    assert.equal(d.severity, 'warning');
    assert.deepEqual(d.range, rangeOf(text, 'description', 0, 0, 0));
    assert.equal(r.model.metadata.description.length, 1024 * 1024);
  });

  void it('sorts by position and never reports the same thing twice', () => {
    const text = BASE.replace('{ selector: h1 }', '{ selector: "a[" }').replace('name: test', 'name: [x]');
    const ds = parseSpec(text).diagnostics;
    const keys = ds.map((d) => JSON.stringify([d.range, d.code, d.message]));
    assert.equal(new Set(keys).size, keys.length);
    for (let i = 1; i < ds.length; i++) {
      const a = ds[i - 1].range.start;
      const b = ds[i].range.start;
      assert.ok(a.line < b.line || (a.line === b.line && a.character <= b.character));
    }
  });
});
