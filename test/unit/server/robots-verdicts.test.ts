import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { parseSpec } from '../../../language-server/src/engine/spec';
import { checkableUrl, robotsContext, robotsUrls, verdictDiagnostics } from '../../../language-server/src/server/features/robots';

const SPEC = `gleaner: 1
name: t
user_agent: "GleanerBot/1.0 (+mailto:a@b.org)"
licence:
  spdx: CC-BY-4.0
  intended_use: [commercial-training]
politeness:
  delay: 1s
sources:
  - id: pages
    kind: scrape
    start_urls:
      - https://example.org/private/a.html
      - https://\${env:HOST}/x
  - id: api
    kind: api
    request:
      url: https://api.example.org/v1/\${env:PATH}/items
    records:
      path: $.items[*]
      fields:
        id: { path: $.id }
  - id: local
    kind: scrape
    start_urls: [http://127.0.0.1:9/]
`;

void describe('robots inline: URLs', () => {
  void it('cuts templated paths and skips templated hosts', () => {
    assert.equal(checkableUrl('https://example.org/a?b=1'), 'https://example.org/a?b=1');
    assert.equal(checkableUrl('https://example.org/v1/${env:X}/y'), 'https://example.org/v1/');
    assert.equal(checkableUrl('https://${env:HOST}/x'), undefined);
    assert.equal(checkableUrl('${env:BASE}/x'), undefined);
    assert.equal(checkableUrl('ftp://example.org/'), undefined);
  });

  void it('lists start URLs and API URLs with their ranges, skipping private hosts unless allowed', () => {
    const result = parseSpec(SPEC);
    const urls = robotsUrls(result);
    assert.deepEqual(
      urls.map((u) => u.url),
      ['https://example.org/private/a.html', 'https://api.example.org/v1/'],
    );
    assert.deepEqual(urls[0]!.range, { start: { line: 12, character: 8 }, end: { line: 12, character: 42 } });
    const allowed = parseSpec(SPEC.replace('  delay: 1s', '  delay: 1s\n  allow_private_network: true'));
    assert.ok(robotsUrls(allowed).some((u) => u.url === 'http://127.0.0.1:9/'));
  });
});

void describe('robots inline: diagnostics from a verdict', () => {
  const model = robotsContext(parseSpec(SPEC).model);
  const checked = { url: 'https://example.org/private/a.html', range: { start: { line: 12, character: 8 }, end: { line: 12, character: 42 } } };

  void it('names the deciding line of a disallow and links robots.txt', () => {
    const [d, ...rest] = verdictDiagnostics(
      { allowed: false, basis: 'rule', reason: 'Disallow: /private/ (robots.txt line 7)', rule: { line: 7, text: 'Disallow: /private/' }, robotsUrl: 'https://example.org/robots.txt' },
      checked,
      model,
    );
    assert.equal(rest.length, 0);
    assert.equal(d!.code, 'robots-disallowed');
    assert.equal(d!.severity, DiagnosticSeverity.Error);
    assert.match(d!.message, /`Disallow: \/private\/` at robots\.txt line 7/);
    assert.equal(d!.relatedInformation?.[0]?.location.uri, 'https://example.org/robots.txt');
    assert.equal(d!.relatedInformation?.[0]?.location.range.start.line, 6);
  });

  void it('fails closed: an unreachable robots.txt is an error, never an allow', () => {
    const ds = verdictDiagnostics({ allowed: false, basis: 'status', reason: 'robots.txt answered 503', status: 503, robotsUrl: 'https://example.org/robots.txt' }, checked, model);
    assert.deepEqual(
      ds.map((d) => [d.code, d.severity]),
      [['robots-unreachable', DiagnosticSeverity.Error]],
    );
  });

  void it('reports allowed with the line and crawl-delay, warns on a longer crawl-delay and on an AI opt-out', () => {
    const ds = verdictDiagnostics(
      { allowed: true, basis: 'rule', reason: '', rule: { line: 3, text: 'Allow: /' }, crawlDelayMs: 2000, contentSignal: { 'ai-train': 'no' }, robotsUrl: 'https://example.org/robots.txt' },
      checked,
      model,
    );
    assert.deepEqual(
      ds.map((d) => d.code),
      ['robots-allowed', 'robots-crawl-delay', 'ai-opt-out'],
    );
    assert.match(ds[0]!.message, /allowed by line 3 .* · crawl-delay 2 s/);
    assert.equal(ds[0]!.severity, DiagnosticSeverity.Information);
  });

  void it('says "no rule applies" and stays quiet when the delay is long enough and use is not training', () => {
    const research = robotsContext(parseSpec(SPEC.replace('commercial-training', 'research').replace('delay: 1s', 'delay: 5s')).model);
    const ds = verdictDiagnostics({ allowed: true, basis: 'no-rule', reason: '', crawlDelayMs: 2000, contentSignal: { 'ai-train': 'no' }, robotsUrl: 'https://example.org/robots.txt' }, checked, research);
    assert.deepEqual(
      ds.map((d) => d.code),
      ['robots-allowed'],
    );
    assert.match(ds[0]!.message, /no rule applies/);
  });
});

void describe('robots inline: TDMRep', () => {
  void it('warns about a TDMRep reservation for training even without a Content-Signal', () => {
    const model = robotsContext(parseSpec(SPEC).model);
    const checked = { url: 'https://example.org/a', range: { start: { line: 12, character: 8 }, end: { line: 12, character: 20 } } };
    const decision = { allowed: true, basis: 'no-rule' as const, reason: '', robotsUrl: 'https://example.org/robots.txt' };
    assert.deepEqual(
      verdictDiagnostics(decision, checked, model).map((d) => d.code),
      ['robots-allowed'],
    );
    const ds = verdictDiagnostics(decision, checked, model, { reserved: true, source: 'tdmrep.json', location: '/', policy: 'https://example.org/policy' });
    assert.deepEqual(
      ds.map((d) => d.code),
      ['robots-allowed', 'ai-opt-out'],
    );
    assert.match(ds[1]!.message, /TDMRep/);
  });
});
