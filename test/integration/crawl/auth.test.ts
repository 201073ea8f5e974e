// API authentication with a fake clock: each auth type's request changes, the OAuth2 token
// cached, refreshed before it expires and after an invalidation, and every credential known to
// the redactor.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Authenticator, AuthError, MissingSecretError, Redactor, TemplateResolver } from '../../../language-server/src/engine/index';
import type { AuthSpec, SecretResolver } from '../../../language-server/src/engine/index';

const secrets: SecretResolver = { resolve: (_kind, name) => ({ KEY: 'k-123456', TOKEN: 't-abcdef', USER: 'alice', PASS: 'p4ssw0rd', ID: 'client-1', SECRET: 'shh-secret' })[name] };

function make(auth: AuthSpec, tokenReplies: { status: number; text: string }[] = []) {
  let now = 0;
  const redactor = new Redactor();
  const calls: { url: string; headers: Record<string, string>; body: string }[] = [];
  const a = new Authenticator(auth, new TemplateResolver(secrets, redactor), redactor, { now: () => now }, (url, headers, body) => {
    calls.push({ url, headers, body });
    const reply = tokenReplies.shift();
    return Promise.resolve(reply ?? { error: 'no reply scripted' });
  });
  return { a, redactor, calls, advance: (ms: number) => (now += ms) };
}

void test('api key in a header or the query, bearer and basic', async () => {
  assert.deepEqual(await make({ type: 'api_key', in: 'header', name: 'X-API-Key', value: '${env:KEY}' }).a.apply(), { headers: { 'x-api-key': 'k-123456' }, query: {} });
  assert.deepEqual(await make({ type: 'api_key', in: 'query', name: 'key', value: '${env:KEY}' }).a.apply(), { headers: {}, query: { key: 'k-123456' } });
  assert.deepEqual(await make({ type: 'bearer', token: '${env:TOKEN}' }).a.apply(), { headers: { authorization: 'Bearer t-abcdef' }, query: {} });
  const basic = make({ type: 'basic', username: '${env:USER}', password: '${secret:PASS}' });
  const applied = await basic.a.apply();
  const encoded = Buffer.from('alice:p4ssw0rd').toString('base64');
  assert.equal(applied.headers.authorization, `Basic ${encoded}`);
  // Every value resolved from a reference is redacted, the user name included.
  assert.equal(basic.redactor.redact(`x ${encoded} p4ssw0rd alice`), 'x [REDACTED] [REDACTED] [REDACTED]');
});

void test('a missing secret is reported by name', async () => {
  await assert.rejects(make({ type: 'bearer', token: '${env:NOPE}' }).a.apply(), (e: unknown) => e instanceof MissingSecretError && /NOPE/.test(e.message));
});

void test('OAuth2 client credentials: cached, refreshed 30 s before expiry, and after invalidate', async () => {
  const reply = (token: string) => ({ status: 200, text: JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 300 }) });
  const o = make({ type: 'oauth2', tokenUrl: 'http://127.0.0.1:1/oauth/token', clientId: '${env:ID}', clientSecret: '${env:SECRET}' }, [reply('tok-one-1'), reply('tok-two-2'), reply('tok-three-3')]);
  assert.equal((await o.a.apply()).headers.authorization, 'Bearer tok-one-1');
  assert.equal(o.calls.length, 1);
  assert.equal(o.calls[0].body, 'grant_type=client_credentials');
  assert.equal(o.calls[0].headers.authorization, `Basic ${Buffer.from('client-1:shh-secret').toString('base64')}`);
  o.advance(269_000);
  assert.equal((await o.a.apply()).headers.authorization, 'Bearer tok-one-1', 'still fresh');
  o.advance(2_000);
  assert.equal((await o.a.apply()).headers.authorization, 'Bearer tok-two-2', 'refreshed before expiry');
  o.a.invalidate();
  assert.equal((await o.a.apply()).headers.authorization, 'Bearer tok-three-3');
  assert.equal(o.calls.length, 3);
  // Concurrent requests share one token fetch.
  o.a.invalidate();
  const shared = make({ type: 'oauth2', tokenUrl: 'http://127.0.0.1:1/t', clientId: '${env:ID}', clientSecret: '${env:SECRET}' }, [reply('tok-shared')]);
  const [x, y] = await Promise.all([shared.a.apply(), shared.a.apply()]);
  assert.equal(x.headers.authorization, y.headers.authorization);
  assert.equal(shared.calls.length, 1);
  for (const s of ['tok-one-1', 'tok-two-2', 'shh-secret', 'client-1']) assert.equal(o.redactor.redact(s), '[REDACTED]');
});

void test('OAuth2 failures are AuthErrors that name the token URL, never the secret', async () => {
  const bad = make({ type: 'oauth2', tokenUrl: 'http://127.0.0.1:1/oauth/token', clientId: '${env:ID}', clientSecret: '${env:SECRET}' }, [{ status: 401, text: '{}' }]);
  await assert.rejects(bad.a.apply(), (e: unknown) => e instanceof AuthError && /oauth\/token answered 401/.test(e.message) && !e.message.includes('shh-secret'));
});
