// TDMRep and the combined AI-use opt-out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { HttpFailure, type HttpClient, type HttpRequest, type HttpResponse } from '../../../language-server/src/engine/ports';
import { aiUseOptOut, matchTdmRep, parseTdmRep, TdmRepCache, tdmReservation } from '../../../language-server/src/engine/robots';

const JSON_TEXT = JSON.stringify([
  { location: '/free/*', 'tdm-reservation': 0 },
  { location: '/images/*.jpg$', 'tdm-reservation': 1, 'tdm-policy': 'https://site.test/policy.json' },
  { location: '/*', 'tdm-reservation': 1 },
  { location: 42, 'tdm-reservation': 1 },
  { location: '/x', 'tdm-reservation': 'maybe' },
]);

void test('parseTdmRep keeps valid rules and reports the others', () => {
  const { rules, errors } = parseTdmRep(JSON_TEXT);
  assert.equal(rules.length, 3);
  assert.deepEqual(rules[1], { location: '/images/*.jpg$', reservation: 1, policy: 'https://site.test/policy.json' });
  assert.equal(errors.length, 2);
  assert.match(parseTdmRep('{nope').errors[0]!, /not valid JSON/);
  assert.match(parseTdmRep('{}').errors[0]!, /array/);
});

void test('matchTdmRep applies the first matching location, robots pattern syntax', () => {
  assert.deepEqual(matchTdmRep(JSON_TEXT, '/free/a.html'), { reserved: false, source: 'tdmrep.json', location: '/free/*' });
  const image = matchTdmRep(JSON.parse(JSON_TEXT), '/images/cat.jpg');
  assert.equal(image?.reserved, true);
  assert.equal(image?.policy, 'https://site.test/policy.json');
  assert.equal(matchTdmRep(JSON_TEXT, '/images/cat.jpg?x')?.location, '/*');
  assert.equal(matchTdmRep('[{"location":"/a","tdm-reservation":1}]', '/b'), undefined);
  assert.equal(matchTdmRep(parseTdmRep(JSON_TEXT).rules, '/free/x')?.reserved, false);
});

void test('tdmReservation reads the response headers', () => {
  assert.deepEqual(tdmReservation({ 'tdm-reservation': '1', 'tdm-policy': 'https://p.test' }), { reserved: true, source: 'header', policy: 'https://p.test' });
  assert.deepEqual(tdmReservation({ 'tdm-reservation': ' 0 ' }), { reserved: false, source: 'header' });
  assert.equal(tdmReservation({ 'tdm-reservation': 'yes' }), undefined);
  assert.equal(tdmReservation({}), undefined);
});

void test('aiUseOptOut: either Content-Signal ai-train=no or a TDM reservation reserves training', () => {
  assert.deepEqual(aiUseOptOut(undefined, undefined), { reserved: false, reasons: [] });
  assert.deepEqual(aiUseOptOut({ search: 'yes', 'ai-train': 'yes' }, { reserved: false, source: 'header' }), { reserved: false, reasons: [] });
  const signal = aiUseOptOut({ 'ai-train': 'no' }, undefined);
  assert.equal(signal.reserved, true);
  assert.match(signal.reasons[0]!, /ai-train=no/);
  const tdm = aiUseOptOut(undefined, { reserved: true, source: 'tdmrep.json', location: '/*', policy: 'https://p.test' });
  assert.equal(tdm.reserved, true);
  assert.match(tdm.reasons[0]!, /tdmrep\.json \(location \/\*\); licence policy: https:\/\/p\.test/);
  assert.equal(aiUseOptOut({ 'ai-train': 'no' }, { reserved: true, source: 'header' }).reasons.length, 2);
});

/** A fake HttpClient from a table of URL → reply. */
function fakeHttp(routes: Record<string, { status: number; body?: string; headers?: Record<string, string> } | HttpFailure>): HttpClient & { count: number } {
  const client = {
    count: 0,
    async request(req: HttpRequest): Promise<HttpResponse> {
      client.count++;
      const reply = routes[req.url];
      if (!reply) throw new HttpFailure('network', req.url, 'refused');
      if (reply instanceof HttpFailure) throw reply;
      return { url: req.url, status: reply.status, headers: reply.headers ?? {}, body: new TextEncoder().encode(reply.body ?? ''), timings: { headersMs: 0, totalMs: 0 } };
    },
    async close(): Promise<void> {},
  };
  return client;
}

void test('TdmRepCache fetches, follows a redirect, matches and caches', async () => {
  const http = fakeHttp({
    'http://s.test/.well-known/tdmrep.json': { status: 302, headers: { location: '/tdm.json' } },
    'http://s.test/tdm.json': { status: 200, body: JSON_TEXT },
  });
  const clock = { time: 0, now: () => clock.time };
  const cache = new TdmRepCache({ http, clock, userAgent: 'GleanerBot' });
  const [free, other] = await Promise.all([cache.check('http://s.test/free/x'), cache.check('http://s.test/other')]);
  assert.equal(free.state, 'found');
  assert.equal(free.reservation?.reserved, false);
  assert.equal(other.reservation?.reserved, true);
  assert.equal(http.count, 2);
  clock.time = 24 * 3600_000;
  await cache.check('http://s.test/x');
  assert.equal(http.count, 4);
});

void test('TdmRepCache: 404 is absent, 503 and network errors are unavailable (not "not reserved")', async () => {
  const clock = { now: () => 0 };
  const absent = new TdmRepCache({ http: fakeHttp({ 'http://a.test/.well-known/tdmrep.json': { status: 404 } }), clock, userAgent: 'x' });
  assert.deepEqual(await absent.check('http://a.test/p'), { state: 'absent', url: 'http://a.test/.well-known/tdmrep.json' });
  const down = new TdmRepCache({ http: fakeHttp({ 'http://a.test/.well-known/tdmrep.json': { status: 503 } }), clock, userAgent: 'x' });
  assert.equal((await down.check('http://a.test/p')).state, 'unavailable');
  const unreachable = new TdmRepCache({ http: fakeHttp({}), clock, userAgent: 'x' });
  const entry = await unreachable.lookup('http://a.test');
  assert.equal(entry.state, 'unavailable');
  assert.match(entry.problems[0]!, /network/);
});
