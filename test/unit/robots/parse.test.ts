// Parser tolerance: the robots.txt text is hostile input, so every odd shape must parse.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseContentSignal, parseRobots, productToken } from '../../../language-server/src/engine/robots';

void test('groups carry their agents, rules with 1-based lines and original text', () => {
  const robots = parseRobots('# hi\nUser-agent: FooBot\nUser-agent: BarBot\nDisallow: /a  # comment\nAllow: /a/b\n');
  assert.equal(robots.groups.length, 1);
  assert.deepEqual(robots.groups[0]!.userAgents, ['foobot', 'barbot']);
  assert.deepEqual(robots.groups[0]!.rules, [
    { kind: 'disallow', pattern: '/a', line: 4, text: 'Disallow: /a  # comment' },
    { kind: 'allow', pattern: '/a/b', line: 5, text: 'Allow: /a/b' },
  ]);
});

void test('a BOM, CRLF, CR-only and mixed line endings keep line numbers right', () => {
  for (const eol of ['\n', '\r\n', '\r']) {
    const robots = parseRobots(`\uFEFFUser-Agent: foo${eol}Allow: /some/path${eol}User-Agent: bar${eol}${eol}${eol}Disallow: /`);
    assert.equal(robots.groups.length, 2);
    assert.equal(robots.groups[0]!.userAgents[0], 'foo');
    assert.equal(robots.groups[1]!.rules[0]!.line, 6);
  }
  const mixed = parseRobots('User-Agent: foo\nAllow: /x\r\nUser-Agent: bar\n\r\n\nDisallow: /');
  assert.equal(mixed.groups[1]!.rules[0]!.line, 6);
});

void test('directive names are case-insensitive and a missing colon is accepted', () => {
  const robots = parseRobots('USER-AGENT FooBot\nDISALLOW /\naLlOw: /x/\nunknown: thing\nthis line is junk\n');
  assert.deepEqual(robots.groups[0]!.userAgents, ['foobot']);
  assert.deepEqual(robots.groups[0]!.rules.map((r) => [r.kind, r.pattern]), [['disallow', '/'], ['allow', '/x/']]);
});

void test('rules before any User-agent line are ignored; Sitemap lines anywhere are collected', () => {
  const robots = parseRobots('Sitemap: http://a.test/s1.xml\nDisallow: /x\nUser-agent: *\nSitemap: http://a.test/s2.xml\nDisallow: /y\n');
  assert.deepEqual(robots.sitemaps, ['http://a.test/s1.xml', 'http://a.test/s2.xml']);
  assert.equal(robots.groups.length, 1);
  assert.deepEqual(robots.groups[0]!.rules.map((r) => r.pattern), ['/y']);
});

void test('Crawl-delay is read per group; invalid values are ignored', () => {
  const robots = parseRobots('User-agent: a\nCrawl-delay: 2.5\nUser-agent: b\nCrawl-delay: soon\nUser-agent: c\nCrawl-delay: -1\n');
  assert.equal(robots.groups[0]!.crawlDelaySeconds, 2.5);
  assert.equal(robots.groups[0]!.crawlDelayLine, 2);
  assert.equal(robots.groups[1]!.crawlDelaySeconds, undefined);
  assert.equal(robots.groups[2]!.crawlDelaySeconds, undefined);
});

void test('Content-Signal lines are parsed per group, and before any group as global', () => {
  const robots = parseRobots('Content-Signal: ai-input=no\nUser-agent: *\nContent-Signal: search=yes, ai-train=no\nUser-agent: x\nContent-signal: AI-Train=Yes\n');
  assert.deepEqual(robots.globalContentSignal, { 'ai-input': 'no' });
  assert.deepEqual(robots.groups[0]!.contentSignal, { search: 'yes', 'ai-train': 'no' });
  assert.deepEqual(robots.groups[1]!.contentSignal, { 'ai-train': 'yes' });
  assert.deepEqual(parseContentSignal(' search = yes ,, =x, junk, ai-train=no '), { search: 'yes', 'ai-train': 'no' });
});

void test('productToken takes the leading letters, _ and -, lower-cased', () => {
  assert.equal(productToken('GleanerBot/0.1 (+mailto:x)'), 'gleanerbot');
  assert.equal(productToken('Foo_Bar-Baz 2'), 'foo_bar-baz');
  assert.equal(productToken('*'), '*');
  assert.equal(productToken('* # all'), '*');
  assert.equal(productToken('*bot'), '');
  assert.equal(productToken('  '), '');
  assert.equal(productToken('ツbot'), '');
});

void test('at least 500 KiB is parsed and the tail beyond the limit is ignored', () => {
  const filler = '# ' + 'x'.repeat(1000) + '\n';
  let text = 'User-agent: *\n';
  while (text.length < 520 * 1024) text += filler;
  const head = parseRobots(text + 'Disallow: /late\n');
  assert.equal(head.truncated, true);
  assert.equal(head.groups[0]!.rules.length, 0);
  assert.ok(head.parsedBytes <= 512 * 1024 && head.parsedBytes > 500 * 1024);

  const within = parseRobots('User-agent: *\n' + filler.repeat(400) + 'Disallow: /early\n');
  assert.equal(within.truncated, false);
  assert.deepEqual(within.groups[0]!.rules.map((r) => r.pattern), ['/early']);
});

void test('a cut never keeps a partial last line', () => {
  const robots = parseRobots('User-agent: *\nDisallow: /private/area\n', 30);
  assert.equal(robots.truncated, true);
  assert.equal(robots.groups[0]!.rules.length, 0);
});

void test('the parser never throws on garbage', () => {
  for (const input of ['', '\0\0\0', ':::::', 'User-agent:\nDisallow:', '\uFFFD'.repeat(50), undefined as unknown as string]) {
    assert.doesNotThrow(() => parseRobots(input));
  }
});
