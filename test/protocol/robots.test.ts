import assert from 'node:assert/strict';
import { after, afterEach, before, describe, it } from 'node:test';
import { DiagnosticSeverity, type Diagnostic } from 'vscode-languageserver-protocol';
import { buildServer, LspClient } from '../support/lsp-client';
import { ROBOTS_TXT, startRobotsSite, type RobotsSite } from './robots-server';
import { robotsSpec } from './specs';

const URI = 'file:///w/robots.collect.yaml';
const codes = (ds: Diagnostic[]) => ds.map((d) => d.code);

void describe('language server: robots.txt inline', () => {
  const sites: RobotsSite[] = [];
  const clients: LspClient[] = [];

  const site = async (options: Parameters<typeof startRobotsSite>[0]): Promise<RobotsSite> => {
    const s = await startRobotsSite(options);
    sites.push(s);
    return s;
  };
  const start = async (options: Parameters<typeof LspClient.start>[0]): Promise<LspClient> => {
    const c = await LspClient.start(options);
    clients.push(c);
    return c;
  };

  before(async () => {
    await buildServer();
  });

  afterEach(async () => {
    for (const c of clients.splice(0)) await c.stop();
  });

  after(async () => {
    for (const s of sites.splice(0)) await s.close();
  });

  void it('marks a disallowed start URL with the deciding line and an allowed one with its rule', async () => {
    const s = await site({ body: ROBOTS_TXT });
    const client = await start({ initializationOptions: { trusted: true } });
    const text = robotsSpec(s.origin);
    await client.open(URI, text);
    const published = await client.waitForDiagnostics(URI, (p) => codes(p.diagnostics).includes('robots-disallowed'));
    assert.equal(published.version, 1);

    const disallowed = published.diagnostics.find((d) => d.code === 'robots-disallowed')!;
    assert.equal(disallowed.severity, DiagnosticSeverity.Error);
    assert.match(disallowed.message, /`Disallow: \/private\/` at robots\.txt line 7/);
    const line = text.split('\n').findIndex((l) => l.includes('/private/staff.html'));
    assert.deepEqual(disallowed.range, { start: { line, character: 8 }, end: { line, character: 8 + `${s.origin}/private/staff.html`.length } });
    assert.deepEqual(disallowed.relatedInformation?.[0]?.location, { uri: `${s.origin}/robots.txt`, range: { start: { line: 6, character: 0 }, end: { line: 6, character: 0 } } });

    const allowed = published.diagnostics.find((d) => d.code === 'robots-allowed');
    assert.ok(allowed, JSON.stringify(published.diagnostics));
    assert.equal(allowed.severity, DiagnosticSeverity.Information);
    assert.match(allowed.message, /allowed by line 8 .*· crawl-delay 2 s/);
    assert.ok(codes(published.diagnostics).includes('robots-crawl-delay'));
    assert.ok(!codes(published.diagnostics).includes('ai-opt-out'), 'research use is not training');

    // One robots.txt fetch for the origin, with the spec's user agent.
    const fetches = s.requests.filter((r) => r.path === '/robots.txt');
    assert.equal(fetches.length, 1);
    assert.equal(fetches[0]!.userAgent, 'GleanerBot/1.0 (+mailto:data@example.org)');
    assert.equal(s.requests.length, 1, 'only robots.txt is fetched, never the pages');
  });

  void it('warns about an AI opt-out when the intended use includes training', async () => {
    const s = await site({ body: ROBOTS_TXT });
    const client = await start({ initializationOptions: { trusted: true } });
    await client.open(URI, robotsSpec(s.origin, 'commercial-training'));
    const published = await client.waitForDiagnostics(URI, (p) => codes(p.diagnostics).includes('ai-opt-out'));
    const optOut = published.diagnostics.find((d) => d.code === 'ai-opt-out')!;
    assert.equal(optOut.severity, DiagnosticSeverity.Warning);
    assert.match(optOut.message, /ai-train=no/);
  });

  void it('warns about a TDMRep reservation for training, and asks tdmrep.json only for training', async () => {
    const tdmrep = JSON.stringify([{ location: '/catalogue/*', 'tdm-reservation': 1, 'tdm-policy': 'https://example.org/policy.json' }]);
    const s = await site({ body: 'User-agent: *\nAllow: /\n', tdmrep });
    const client = await start({ initializationOptions: { trusted: true } });
    await client.open(URI, robotsSpec(s.origin, 'non-commercial-training'));
    const published = await client.waitForDiagnostics(URI, (p) => codes(p.diagnostics).includes('ai-opt-out'));
    const optOut = published.diagnostics.filter((d) => d.code === 'ai-opt-out');
    assert.equal(optOut.length, 1, 'only the URL under /catalogue/ is reserved');
    assert.match(optOut[0]!.message, /TDMRep/);
    const catalogueLine = robotsSpec(s.origin).split('\n').findIndex((l) => l.includes('/catalogue/page-1.html'));
    assert.equal(optOut[0]!.range.start.line, catalogueLine);
    assert.equal(s.requests.filter((r) => r.path === '/.well-known/tdmrep.json').length, 1);

    const research = await site({ body: 'User-agent: *\nAllow: /\n', tdmrep });
    const other = 'file:///w/research.collect.yaml';
    await client.open(other, robotsSpec(research.origin, 'research'));
    await client.waitForDiagnostics(other, (p) => codes(p.diagnostics).includes('robots-allowed'));
    assert.deepEqual(
      research.requests.map((r) => r.path),
      ['/robots.txt'],
    );
  });

  void it('fails closed when robots.txt answers 503', async () => {
    const s = await site({ status: 503, body: 'down' });
    const client = await start({ initializationOptions: { trusted: true } });
    await client.open(URI, robotsSpec(s.origin));
    const published = await client.waitForDiagnostics(URI, (p) => codes(p.diagnostics).includes('robots-unreachable'));
    const unreachable = published.diagnostics.filter((d) => d.code === 'robots-unreachable');
    assert.equal(unreachable.length, 2, 'both URLs of the origin are disallowed');
    assert.ok(unreachable.every((d) => d.severity === DiagnosticSeverity.Error));
    assert.ok(!codes(published.diagnostics).includes('robots-allowed'));
  });

  void it('makes zero requests when the workspace is untrusted, and starts when trust is granted', async () => {
    const s = await site({ body: ROBOTS_TXT });
    const client = await start({ initializationOptions: { trusted: false } });
    await client.open(URI, robotsSpec(s.origin));
    const first = await client.waitForDiagnostics(URI, (p) => p.version === 1);
    assert.deepEqual(codes(first.diagnostics), []);
    await client.change(URI, 2, robotsSpec(s.origin) + '# edited\n');
    await client.waitForDiagnostics(URI, (p) => p.version === 2);
    const answer = await client.request<{ allowed: boolean; basis: string }>('gleaner/robotsCheck', { url: `${s.origin}/x`, userAgent: 'GleanerBot/1.0' });
    assert.deepEqual([answer.allowed, answer.basis], [false, 'network-disabled']);
    assert.deepEqual(s.requests, [], 'no request may reach the site before trust');

    await client.connection.sendNotification('gleaner/setTrusted', { trusted: true });
    await client.waitForDiagnostics(URI, (p) => codes(p.diagnostics).includes('robots-disallowed'));
    assert.equal(s.requests.length, 1);
  });

  void it('makes zero requests when gleaner.network.enabled is false, even when trusted', async () => {
    const s = await site({ body: ROBOTS_TXT });
    const client = await start({ initializationOptions: { trusted: true }, settings: { network: { enabled: false } } });
    await client.settingsServed(1);
    const answer = await client.request<{ basis: string }>('gleaner/robotsCheck', { url: `${s.origin}/x`, userAgent: 'GleanerBot/1.0' });
    assert.equal(answer.basis, 'network-disabled');
    await client.open(URI, robotsSpec(s.origin));
    const first = await client.waitForDiagnostics(URI, (p) => p.version === 1);
    assert.deepEqual(codes(first.diagnostics), []);
    assert.deepEqual(s.requests, []);

    // Turning the setting on is what lets the check run: the same document now gets a verdict.
    await client.changeSettings({ network: { enabled: true } });
    await client.waitForDiagnostics(URI, (p) => codes(p.diagnostics).includes('robots-disallowed'));
    assert.equal(s.requests.length, 1);
  });

  void it('skips robots.txt entirely when the spec says robots: ignore', async () => {
    const s = await site({ body: ROBOTS_TXT });
    const client = await start({ initializationOptions: { trusted: true } });
    const text = robotsSpec(s.origin).replace('  delay: 1s\n', '  delay: 1s\n  robots: ignore\n  robots_justification: "Written permission from the site owner."\n');
    await client.open(URI, text);
    await client.waitForDiagnostics(URI, (p) => p.version === 1);
    const answer = await client.request<{ allowed: boolean; rule?: { line: number } }>('gleaner/robotsCheck', { url: `${s.origin}/private/x`, userAgent: 'GleanerBot/1.0' });
    // The explicit request does fetch (one request), proving the earlier validation fetched nothing.
    assert.equal(answer.allowed, false);
    assert.equal(answer.rule?.line, 7);
    assert.equal(s.requests.length, 1);
  });
});
