// One test per RFC 9309 matching rule.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { evaluateRobots, parseRobots, patternMatches } from '../../../language-server/src/engine/robots';

const allowed = (text: string, agent: string, path: string): boolean => evaluateRobots(parseRobots(text), agent, path).allowed;

void test('the product token is matched case-insensitively, from a full User-Agent header', () => {
  const text = 'User-agent: gleanerBOT\nDisallow: /x\n';
  assert.equal(allowed(text, 'GleanerBot/0.1 (+mailto:data@example.org)', '/x'), false);
  assert.equal(allowed(text, 'gleanerbot', '/x'), false);
  assert.equal(allowed(text, 'OtherBot/1.0', '/x'), true);
  assert.equal(evaluateRobots(parseRobots(text), 'GLEANERBOT', '/x').matchedAgent, 'gleanerbot');
});

void test('all groups naming the token are merged', () => {
  const text = 'User-agent: a\nDisallow: /one\n\nUser-agent: b\nDisallow: /two\n\nUser-agent: A\nDisallow: /three\n';
  assert.equal(allowed(text, 'a', '/one'), false);
  assert.equal(allowed(text, 'a', '/three'), false);
  assert.equal(allowed(text, 'a', '/two'), true);
});

void test('the * groups are merged and apply only when no group names the token', () => {
  const text = 'User-agent: *\nDisallow: /x\n\nUser-agent: FooBot\nDisallow: /y\n\nUser-agent: *\nDisallow: /z\n';
  assert.equal(allowed(text, 'FooBot', '/x'), true);
  assert.equal(allowed(text, 'FooBot', '/y'), false);
  assert.equal(allowed(text, 'BarBot', '/x'), false);
  assert.equal(allowed(text, 'BarBot', '/z'), false);
  assert.equal(allowed(text, 'BarBot', '/y'), true);
  assert.equal(evaluateRobots(parseRobots(text), 'BarBot', '/x').matchedAgent, '*');
  assert.equal(allowed('User-agent: FooBot\nDisallow: /\n', 'QuxBot', '/x'), true);
});

void test('the longest match wins', () => {
  const text = 'User-agent: *\nDisallow: /x/\nAllow: /x/page\nDisallow: /x/page/secret\n';
  assert.equal(allowed(text, 'a', '/x/other'), false);
  assert.equal(allowed(text, 'a', '/x/page.html'), true);
  assert.equal(allowed(text, 'a', '/x/page/secret/1'), false);
  const verdict = evaluateRobots(parseRobots(text), 'a', '/x/page.html');
  assert.deepEqual(verdict.rule, { line: 3, text: 'Allow: /x/page', kind: 'allow', pattern: '/x/page' });
});

void test('Allow wins a tie of equal length, whatever the order', () => {
  assert.equal(allowed('User-agent: *\nDisallow: /folder\nAllow: /folder\n', 'a', '/folder/page'), true);
  assert.equal(allowed('User-agent: *\nAllow: /folder\nDisallow: /folder\n', 'a', '/folder/page'), true);
  // Equal length with wildcards too: /*.htm (6) vs /page (5) — longer Disallow wins.
  assert.equal(allowed('User-agent: *\nAllow: /page\nDisallow: /*.htm\n', 'a', '/page.htm'), false);
});

void test('* matches any run of characters and $ anchors the end', () => {
  const text = 'User-agent: *\nDisallow: /\nAllow: /*.php$\nAllow: /fish*.php\n';
  assert.equal(allowed(text, 'a', '/folder/filename.php'), true);
  assert.equal(allowed(text, 'a', '/filename.php?x=1'), false);
  assert.equal(allowed(text, 'a', '/filename.php5'), false);
  assert.equal(allowed(text, 'a', '/fishheads/catfish.php?p'), true);
  assert.equal(allowed(text, 'a', '/Fish.PHP'), false);
  assert.equal(allowed('User-agent: *\nAllow: /$\nDisallow: /\n', 'a', '/'), true);
  assert.equal(allowed('User-agent: *\nAllow: /$\nDisallow: /\n', 'a', '/page'), false);
  // A $ inside a pattern is literal.
  assert.equal(allowed('User-agent: *\nDisallow: /a$b\n', 'a', '/a$b/c'), false);
  assert.equal(allowed('User-agent: *\nDisallow: /a$b\n', 'a', '/a'), true);
  // Several stars and a star at the end behave.
  assert.equal(allowed('User-agent: *\nDisallow: /a**b*\n', 'a', '/a/x/b'), false);
  assert.equal(allowed('User-agent: *\nDisallow: *private\n', 'a', '/deep/private/x'), false);
});

void test('a wildcard match takes linear time on adversarial input', () => {
  const text = 'User-agent: *\nDisallow: /' + '*a'.repeat(40) + '$\n';
  const started = process.hrtime.bigint();
  assert.equal(allowed(text, 'a', '/' + 'a'.repeat(5000) + 'b'), true);
  assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 500);
});

void test('percent-encoding is compared in normal form, and %2F stays distinct from /', () => {
  const text = 'User-agent: *\nDisallow: /foo/bar/%62%61%7A\nDisallow: /ツ\nDisallow: /a%2fb\nDisallow: /q%3d\n';
  assert.equal(allowed(text, 'a', '/foo/bar/baz'), false);
  assert.equal(allowed(text, 'a', '/foo/bar/%62az'), false);
  assert.equal(allowed(text, 'a', '/%E3%83%84'), false);
  assert.equal(allowed(text, 'a', '/%e3%83%84/x'), false);
  assert.equal(allowed(text, 'a', '/ツ'), false);
  assert.equal(allowed(text, 'a', '/a%2Fb'), false);
  assert.equal(allowed(text, 'a', '/a/b'), true);
  assert.equal(allowed(text, 'a', '/q%3D'), false);
  assert.equal(allowed(text, 'a', '/q='), true);
  assert.equal(allowed('User-agent: *\nDisallow: /a/b\n', 'a', '/a%2Fb'), true);
  // A literal star in the path is only matched by an encoded star in a pattern, or a wildcard.
  assert.equal(allowed('User-agent: *\nDisallow: /x%2A\n', 'a', '/x*y'), false);
  assert.equal(allowed('User-agent: *\nDisallow: /x%2A\n', 'a', '/xy'), true);
});

void test('an empty Disallow disallows nothing', () => {
  const robots = parseRobots('User-agent: *\nDisallow:\n');
  const verdict = evaluateRobots(robots, 'a', '/anything');
  assert.equal(verdict.allowed, true);
  assert.equal(verdict.rule, undefined);
});

void test('/robots.txt itself is always allowed', () => {
  const text = 'User-agent: *\nDisallow: /\n';
  assert.equal(allowed(text, 'a', '/robots.txt'), true);
  assert.equal(allowed(text, 'a', '/robots.txt?x=1'), true);
  assert.equal(allowed(text, 'a', '/robots.txt.bak'), false);
});

void test('URLs are reduced to path and query; the fragment is ignored', () => {
  const text = 'User-agent: *\nDisallow: /a?b\n';
  assert.equal(allowed(text, 'a', 'http://x.test/a?b=1#frag'), false);
  assert.equal(allowed(text, 'a', '/a#?b'), true);
  assert.equal(allowed(text, 'a', ''), true);
});

void test('the verdict carries the group crawl-delay (largest of merged groups) and content signal', () => {
  const robots = parseRobots('User-agent: *\nCrawl-delay: 9\nContent-Signal: ai-train=no\nUser-agent: a\nCrawl-delay: 1\nUser-agent: a\nCrawl-delay: 3\n');
  const verdict = evaluateRobots(robots, 'a', '/');
  assert.equal(verdict.crawlDelaySeconds, 3);
  assert.equal(verdict.crawlDelayLine, 7);
  assert.deepEqual(verdict.contentSignal, { 'ai-train': 'no' });
  assert.equal(evaluateRobots(robots, 'b', '/').crawlDelaySeconds, 9);
});

void test('an agent group can override the catch-all content signal', () => {
  const robots = parseRobots('User-agent: *\nContent-Signal: ai-train=no, search=yes\nUser-agent: a\nContent-Signal: ai-train=yes\n');
  assert.deepEqual(evaluateRobots(robots, 'a', '/').contentSignal, { 'ai-train': 'yes', search: 'yes' });
  assert.deepEqual(evaluateRobots(robots, 'b', '/').contentSignal, { 'ai-train': 'no', search: 'yes' });
});

void test('compiled rules are cached per agent and give the same answers on repeat', () => {
  const robots = parseRobots('User-agent: *\nDisallow: /a\nUser-agent: b\nDisallow: /b\n');
  for (let i = 0; i < 3; i++) {
    assert.equal(evaluateRobots(robots, 'x', '/a').allowed, false);
    assert.equal(evaluateRobots(robots, 'b', '/a').allowed, true);
    assert.equal(evaluateRobots(robots, 'b', '/b').allowed, false);
  }
});

void test('patternMatches applies one robots pattern', () => {
  assert.equal(patternMatches('/images/*.jpg$', '/images/a/b.jpg'), true);
  assert.equal(patternMatches('/images/*.jpg$', '/images/a/b.jpg?x'), false);
  assert.equal(patternMatches('', '/'), false);
});

void test('a repeated pattern reports its first line', () => {
  const verdict = evaluateRobots(parseRobots('User-agent: *\nDisallow: /a\nDisallow: /a\n'), 'x', '/a');
  assert.equal(verdict.rule?.line, 2);
});

/** The obvious, slow implementation: every rule as a regex, every rule checked. */
function naiveAllowed(text: string, path: string): boolean {
  const robots = parseRobots(text);
  let best: { length: number; allow: boolean } | undefined;
  for (const rule of robots.groups.flatMap((g) => g.rules)) {
    if (rule.pattern === '') continue;
    const anchored = rule.pattern.endsWith('$');
    const body = anchored ? rule.pattern.slice(0, -1) : rule.pattern;
    const source = '^' + body.split('*').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*') + (anchored ? '$' : '');
    if (!new RegExp(source).test(path)) continue;
    const length = rule.pattern.length;
    const allow = rule.kind === 'allow';
    if (!best || length > best.length || (length === best.length && allow)) best = { length, allow };
  }
  return best ? best.allow : true;
}

void test('agrees with a naive regex implementation on random rules and paths', () => {
  let state = 7;
  const random = (): number => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const alphabet = ['/', 'a', 'b', 'ab', '.', 'x', '*', '?', '='];
  const piece = (n: number): string => Array.from({ length: n }, () => alphabet[Math.floor(random() * alphabet.length)]!).join('');
  for (let round = 0; round < 300; round++) {
    const lines = ['User-agent: *'];
    const ruleCount = 1 + Math.floor(random() * 12);
    for (let r = 0; r < ruleCount; r++) {
      const pattern = '/' + piece(Math.floor(random() * 5)) + (random() < 0.2 ? '$' : '');
      lines.push(`${random() < 0.5 ? 'Allow' : 'Disallow'}: ${pattern}`);
    }
    const text = lines.join('\n');
    const robots = parseRobots(text);
    for (let p = 0; p < 20; p++) {
      const path = '/' + piece(Math.floor(random() * 6)).replace(/\*/g, 'y');
      assert.equal(evaluateRobots(robots, 'bot', path).allowed, naiveAllowed(text, path), `${path} in\n${text}`);
    }
  }
});
