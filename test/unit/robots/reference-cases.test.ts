// Cases learned from Google's robots.txt reference tests (google/robotstxt robots_test.cc),
// rewritten as tables. Where Gleaner deliberately differs (it normalises percent-encoding on
// both sides, and does not treat index.html as its directory) the expectation says so.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRobots, parseRobots } from '../../../language-server/src/engine/robots';

type Case = [agent: string, url: string, allowed: boolean];

function check(text: string, cases: Case[]): void {
  const robots = parseRobots(text);
  for (const [agent, url, expected] of cases) {
    assert.equal(evaluateRobots(robots, agent, url).allowed, expected, `${agent} ${url} in:\n${text}`);
  }
}

void test('reference: empty robots.txt or empty agent allows everything', () => {
  check('', [['FooBot', '/', true]]);
  check('user-agent: FooBot\ndisallow: /\n', [['', '/x', true], ['FooBot', '/x', false]]);
});

void test('reference: malformed names are ignored, a missing colon is tolerated', () => {
  check('foo: FooBot\nbar: /\n', [['FooBot', 'http://foo.bar/x/y', true]]);
  check('user-agent FooBot\ndisallow /\n', [['FooBot', 'http://foo.bar/x/y', false]]);
});

void test('reference: groups, consecutive agents across blank lines, rules outside groups', () => {
  const text = [
    'allow: /foo/bar/', '', 'user-agent: FooBot', 'disallow: /', 'allow: /x/', 'user-agent: BarBot', 'disallow: /',
    'allow: /y/', '', '', 'allow: /w/', 'user-agent: BazBot', '', 'user-agent: FooBot', 'allow: /z/', 'disallow: /', '',
  ].join('\n');
  check(text, [
    ['FooBot', 'http://foo.bar/x/b', true],
    ['FooBot', 'http://foo.bar/z/d', true],
    ['FooBot', 'http://foo.bar/y/c', false],
    ['BarBot', 'http://foo.bar/y/c', true],
    ['BarBot', 'http://foo.bar/w/a', true],
    ['BarBot', 'http://foo.bar/z/d', false],
    ['BazBot', 'http://foo.bar/z/d', true],
    ['FooBot', 'http://foo.bar/foo/bar/', false],
    ['BarBot', 'http://foo.bar/foo/bar/', false],
    ['BazBot', 'http://foo.bar/foo/bar/', false],
  ]);
});

void test('reference: directive names and agent values in any case; agent value up to the first space', () => {
  for (const text of ['USER-AGENT: FOO BAR\nALLOW: /x/\nDISALLOW: /\n', 'uSeR-aGeNt: FoO bAr\nAlLoW: /x/\ndIsAlLoW: /\n']) {
    check(text, [['Foo', '/x/y', true], ['foo', '/a/b', false], ['FOO', '/a/b', false]]);
  }
  check('User-Agent: *\nDisallow: /\nUser-Agent: Foo Bar\nAllow: /x/\nDisallow: /\n', [['Foo', '/x/y', true]]);
});

void test('reference: global group is secondary', () => {
  check('user-agent: *\nallow: /\nuser-agent: FooBot\ndisallow: /\n', [['FooBot', '/x/y', false], ['BarBot', '/x/y', true]]);
  check('user-agent: FooBot\nallow: /\nuser-agent: BarBot\ndisallow: /\nuser-agent: BazBot\ndisallow: /\n', [['QuxBot', '/x/y', true]]);
});

void test('reference: paths are case-sensitive', () => {
  check('user-agent: FooBot\ndisallow: /x/\n', [['FooBot', '/x/y', false]]);
  check('user-agent: FooBot\ndisallow: /X/\n', [['FooBot', '/x/y', true]]);
});

void test('reference: longest match and tie-breaking', () => {
  const page = 'http://foo.bar/x/page.html';
  check('user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/\n', [['FooBot', page, false]]);
  check('user-agent: FooBot\nallow: /x/page.html\ndisallow: /x/\n', [['FooBot', page, true], ['FooBot', 'http://foo.bar/x/', false]]);
  check('user-agent: FooBot\ndisallow: \nallow: \n', [['FooBot', page, true]]);
  check('user-agent: FooBot\ndisallow: /\nallow: /\n', [['FooBot', page, true]]);
  check('user-agent: FooBot\ndisallow: /x\nallow: /x/\n', [['FooBot', 'http://foo.bar/x', false], ['FooBot', 'http://foo.bar/x/', true]]);
  check('user-agent: FooBot\ndisallow: /x/page.html\nallow: /x/page.html\n', [['FooBot', page, true]]);
  check('user-agent: FooBot\nallow: /page\ndisallow: /*.html\n', [['FooBot', '/page.html', false], ['FooBot', '/page', true]]);
  check('user-agent: FooBot\nallow: /x/page.\ndisallow: /*.html\n', [['FooBot', page, true], ['FooBot', '/x/y.html', false]]);
  check('User-agent: *\nDisallow: /x/\nUser-agent: FooBot\nDisallow: /y/\n', [['FooBot', '/x/page', true], ['FooBot', '/y/page', false]]);
});

void test('reference: encoding (Gleaner normalises both sides, unlike the reference)', () => {
  check('User-agent: FooBot\nDisallow: /\nAllow: /foo/bar?qux=taz&baz=http://foo.bar?tar&par\n', [
    ['FooBot', 'http://foo.bar/foo/bar?qux=taz&baz=http://foo.bar?tar&par', true],
  ]);
  check('User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/ツ\n', [
    ['FooBot', '/foo/bar/%E3%83%84', true],
    // The reference expects false here because it leaves encoding to the caller; Gleaner
    // encodes the raw character itself, so the two spellings are the same path.
    ['FooBot', '/foo/bar/ツ', true],
  ]);
  check('User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%E3%83%84\n', [['FooBot', '/foo/bar/%E3%83%84', true]]);
  check('User-agent: FooBot\nDisallow: /\nAllow: /foo/bar/%62%61%7A\n', [
    ['FooBot', '/foo/bar/%62%61%7A', true],
    // Percent-encoded unreserved characters equal their plain form (RFC 3986 6.2.2.2).
    ['FooBot', '/foo/bar/baz', true],
  ]);
});

void test('reference: special characters', () => {
  check('User-agent: FooBot\nDisallow: /foo/bar/quz\nAllow: /foo/*/qux\n', [
    ['FooBot', '/foo/bar/quz', false],
    ['FooBot', '/foo/quz', true],
    ['FooBot', '/foo//quz', true],
    ['FooBot', '/foo/bax/quz', true],
  ]);
  check('User-agent: FooBot\nDisallow: /foo/bar$\nAllow: /foo/bar/qux\n', [
    ['FooBot', '/foo/bar', false],
    ['FooBot', '/foo/bar/qux', true],
    ['FooBot', '/foo/bar/', true],
    ['FooBot', '/foo/bar/baz', true],
  ]);
  check('User-agent: FooBot\n# Disallow: /\nDisallow: /foo/quz#qux\nAllow: /\n', [
    ['FooBot', '/foo/bar', true],
    ['FooBot', '/foo/quz', false],
  ]);
});

void test('reference: documentation examples for /fish, /fish*, /fish/', () => {
  for (const pattern of ['/fish', '/fish*']) {
    check(`user-agent: FooBot\ndisallow: /\nallow: ${pattern}\n`, [
      ['FooBot', '/bar', false],
      ['FooBot', '/fish', true],
      ['FooBot', '/fish.html', true],
      ['FooBot', '/fish/salmon.html', true],
      ['FooBot', '/fishheads', true],
      ['FooBot', '/fishheads/yummy.html', true],
      ['FooBot', '/fish.html?id=anything', true],
      ['FooBot', '/Fish.asp', false],
      ['FooBot', '/catfish', false],
      ['FooBot', '/?id=fish', false],
    ]);
  }
  check('user-agent: FooBot\ndisallow: /\nallow: /fish/\n', [
    ['FooBot', '/fish/', true],
    ['FooBot', '/fish/salmon', true],
    ['FooBot', '/fish/?salmon', true],
    ['FooBot', '/fish', false],
    ['FooBot', '/fish.html', false],
    ['FooBot', '/Fish/Salmon.html', false],
  ]);
});

void test('reference: documentation examples for /*.php and /*.php$', () => {
  check('user-agent: FooBot\ndisallow: /\nallow: /*.php\n', [
    ['FooBot', '/bar', false],
    ['FooBot', '/filename.php', true],
    ['FooBot', '/folder/filename.php?parameters', true],
    ['FooBot', '//folder/any.php.file.html', true],
    ['FooBot', '/filename.php/', true],
    ['FooBot', '/index?f=filename.php/', true],
    ['FooBot', '/php/', false],
    ['FooBot', '/index?php', false],
    ['FooBot', '/windows.PHP', false],
  ]);
  check('user-agent: FooBot\ndisallow: /\nallow: /*.php$\n', [
    ['FooBot', '/filename.php', true],
    ['FooBot', '/folder/filename.php', true],
    ['FooBot', '/filename.php?parameters', false],
    ['FooBot', '/filename.php/', false],
    ['FooBot', '/filename.php5', false],
    ['FooBot', '/php/', false],
    ['FooBot', '/filename?php', false],
    ['FooBot', '/aaaphpaaa', false],
    ['FooBot', '//windows.PHP', false],
  ]);
});

void test('reference: order of precedence examples', () => {
  check('user-agent: FooBot\nallow: /p\ndisallow: /\n', [['FooBot', 'http://example.com/page', true]]);
  check('user-agent: FooBot\nallow: /folder\ndisallow: /folder\n', [['FooBot', 'http://example.com/folder/page', true]]);
  check('user-agent: FooBot\nallow: /page\ndisallow: /*.htm\n', [['FooBot', 'http://example.com/page.htm', false]]);
  check('user-agent: FooBot\nallow: /$\ndisallow: /\n', [['FooBot', 'http://example.com/', true], ['FooBot', 'http://example.com/page.html', false]]);
});

void test('reference: sitemap lines anywhere; a BOM is skipped', () => {
  const robots = parseRobots('Sitemap: http://foo.bar/sitemap.xml\nUser-Agent: foo\nAllow: /some/path\nUser-Agent: bar\n\n\n');
  assert.deepEqual(robots.sitemaps, ['http://foo.bar/sitemap.xml']);
  const bom = parseRobots('\uFEFFUser-Agent: foo\nAllow: /AnyValue\n');
  assert.equal(bom.groups[0]!.rules.length, 1);
});
