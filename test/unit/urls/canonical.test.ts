import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { canonicalizeUrl, createUrlResolver, inScope, isTrackingParam } from '../../../language-server/src/engine/urls/canonical';

void describe('canonicalizeUrl', () => {
  const table: [input: string, base: string | undefined, expected: string | undefined][] = [
    ['http://example.com/a', undefined, 'http://example.com/a'],
    ['HTTP://Example.COM/Path/To', undefined, 'http://example.com/Path/To'],
    ['http://example.com', undefined, 'http://example.com/'],
    ['http://example.com:80/a', undefined, 'http://example.com/a'],
    ['https://example.com:443/a', undefined, 'https://example.com/a'],
    ['http://example.com:8917/a', undefined, 'http://example.com:8917/a'],
    ['http://example.com/a#section', undefined, 'http://example.com/a'],
    ['http://example.com/a?', undefined, 'http://example.com/a'],
    ['http://example.com/a?#x', undefined, 'http://example.com/a'],
    ['http://example.com/a?utm_source=x', undefined, 'http://example.com/a'],
    ['http://example.com/a?b=2&utm_medium=y&a=1', undefined, 'http://example.com/a?a=1&b=2'],
    ['http://example.com/?gclid=1&fbclid=2&mc_cid=3&mc_eid=4&_ga=5&yclid=6&msclkid=7&UTM_Campaign=8', undefined, 'http://example.com/'],
    ['http://example.com/?z=1&a=2&a=1&m=', undefined, 'http://example.com/?a=2&a=1&m=&z=1'],
    ['http://example.com/a?x=1&&y=2&', undefined, 'http://example.com/a?x=1&y=2'],
    ['http://example.com/%7euser/%7Efoo', undefined, 'http://example.com/~user/~foo'],
    ['http://example.com/a%2fb%3Fc', undefined, 'http://example.com/a%2Fb%3Fc'],
    ['http://example.com/%41%42c?q=%7e%2f', undefined, 'http://example.com/ABc?q=~%2F'],
    ['http://example.com/a/./b/../c', undefined, 'http://example.com/a/c'],
    ['http://bücher.example/straße', undefined, 'http://xn--bcher-kva.example/stra%C3%9Fe'],
    ['page-3.html', 'http://127.0.0.1:8917/catalogue/page-2.html', 'http://127.0.0.1:8917/catalogue/page-3.html'],
    ['../index.html?utm_source=x#top', 'http://127.0.0.1:8917/catalogue/page-2.html', 'http://127.0.0.1:8917/index.html'],
    ['//cdn.example.com/x', 'https://example.com/', 'https://cdn.example.com/x'],
    ['  http://example.com/a  ', undefined, 'http://example.com/a'],
    ['http://user:pw@example.com/a', undefined, 'http://user:pw@example.com/a'],
    ['javascript:void(0)', 'http://example.com/', undefined],
    ['mailto:shop@example.org', 'http://example.com/', undefined],
    ['ftp://example.com/file', undefined, undefined],
    ['data:text/plain,hi', undefined, undefined],
    ['not a url', undefined, undefined],
    ['/relative/without/base', undefined, undefined],
    ['http://[::1]:8080/a', undefined, 'http://[::1]:8080/a'],
  ];
  for (const [input, base, expected] of table) {
    void it(`${JSON.stringify(input)}${base ? ` against ${base}` : ''} → ${expected ?? 'undefined'}`, () => {
      assert.equal(canonicalizeUrl(input, base), expected);
    });
  }

  void it('is idempotent on every canonical form in the table', () => {
    for (const [input, base] of table) {
      const once = canonicalizeUrl(input, base);
      if (once !== undefined) assert.equal(canonicalizeUrl(once), once, input);
    }
  });

  void it('makes the demo site’s utm duplicate equal to the plain link', () => {
    const page = 'http://127.0.0.1:8917/catalogue/page-2.html';
    assert.equal(canonicalizeUrl('book_7/index.html?utm_source=x', page), canonicalizeUrl('book_7/index.html', page));
  });
});

void describe('isTrackingParam', () => {
  void it('recognises utm_* in any case and the listed click ids, and nothing else', () => {
    assert.equal(isTrackingParam('utm_source'), true);
    assert.equal(isTrackingParam('UTM_TERM'), true);
    assert.equal(isTrackingParam('gclid'), true);
    assert.equal(isTrackingParam('page'), false);
    assert.equal(isTrackingParam('utm'), false);
  });
});

void describe('inScope', () => {
  void it('accepts everything http(s) when there are no patterns', () => {
    assert.equal(inScope('http://a.example/x', { allow: [], deny: [] }), true);
  });

  void it('requires one allow match when allow patterns exist', () => {
    const rule = { allow: ['/catalogue/', '^https://other\\.example/'], deny: [] };
    assert.equal(inScope('http://127.0.0.1:8917/catalogue/page-3.html', rule), true);
    assert.equal(inScope('https://other.example/x', rule), true);
    assert.equal(inScope('http://127.0.0.1:8917/private/staff.html', rule), false);
  });

  void it('lets deny win over allow', () => {
    const rule = { allow: ['127\\.0\\.0\\.1'], deny: ['/private/', '/cart$'] };
    assert.equal(inScope('http://127.0.0.1:8917/private/staff.html', rule), false);
    assert.equal(inScope('http://127.0.0.1:8917/cart', rule), false);
    assert.equal(inScope('http://127.0.0.1:8917/cart/item', rule), true);
  });

  void it('rejects non-http(s) URLs', () => {
    assert.equal(inScope('ftp://example.com/x', { allow: [], deny: [] }), false);
    assert.equal(inScope('mailto:a@b', { allow: [], deny: [] }), false);
  });

  void it('treats an invalid pattern as matching nothing instead of throwing', () => {
    assert.equal(inScope('http://a.example/x', { allow: ['(unclosed'], deny: [] }), false);
    assert.equal(inScope('http://a.example/x', { allow: [], deny: ['(unclosed'] }), true);
  });

  void it('gives the same answer when the compiled pattern comes from the cache', () => {
    const rule = { allow: ['/books/\\d+$'], deny: [] };
    for (let i = 0; i < 3; i++) {
      assert.equal(inScope('http://a.example/books/12', rule), true);
      assert.equal(inScope('http://a.example/books/12a', rule), false);
    }
  });
});

void describe('createUrlResolver', () => {
  const hrefs = [
    'book_12/index.html',
    '/catalogue/page-3.html',
    '../index.html',
    './a',
    'a/./b',
    'a/../b',
    '..',
    '.',
    '//cdn.example.com/x',
    'a b',
    ' padded ',
    'x?utm_source=1&b=2',
    '#frag',
    '',
    'é/ü',
    '%7Euser',
    'javascript:void(0)',
    'mailto:x@y',
    'https://Other.Example:443/P?q#f',
    'a//b',
    'a\\b',
    '~tilde/dir/',
    '../../x.html',
    '../../../../../x.html',
    './../a',
    '.././a',
    '../',
    '../a/../b',
    '../.hidden',
    '...',
    '.../x',
    'a/..b',
  ];
  const bases = [
    'http://127.0.0.1:8917/catalogue/page-2.html?utm_source=z&x=1#top',
    'https://user:pw@Example.com:8443/dir/sub/',
    'http://example.com',
    'http://example.com/%7efolder/file',
    'http://127.0.0.1:8917/catalogue/a/b/c/index.html',
  ];
  for (const base of bases) {
    void it(`agrees with the URL parser and canonicalizeUrl against ${base}`, () => {
      const resolver = createUrlResolver(base);
      for (const href of hrefs) {
        let expected: string | undefined;
        try {
          const url = new URL(href.trim(), base);
          expected = url.protocol === 'http:' || url.protocol === 'https:' ? url.href : undefined;
        } catch {
          expected = undefined;
        }
        assert.equal(resolver.resolve(href), expected, `resolve ${JSON.stringify(href)}`);
        assert.equal(resolver.canonical(href), canonicalizeUrl(href, base), `canonical ${JSON.stringify(href)}`);
      }
    });
  }

  void it('resolves only absolute references against an invalid base', () => {
    const resolver = createUrlResolver('not a url');
    assert.equal(resolver.resolve('a/b'), undefined);
    assert.equal(resolver.canonical('a/b'), undefined);
    assert.equal(resolver.resolve('http://x.example/a'), 'http://x.example/a');
    assert.equal(resolver.canonical('HTTP://X.example/a#b'), 'http://x.example/a');
  });
});
