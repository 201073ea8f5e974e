// The RFC 9309 fetch-status table, one test per row.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { robotsFetchPolicy } from '../../../language-server/src/engine/robots';

const status = (code: number) => robotsFetchPolicy({ kind: 'status', status: code });

void test('2xx: parse', () => {
  for (const code of [200, 203, 206, 299]) assert.equal(status(code), 'parse');
});
void test('3xx reaching the table (chain abandoned): unavailable, allow all', () => {
  for (const code of [301, 302, 307, 308]) assert.equal(status(code), 'allow-all');
});
void test('404 and 410: unavailable, allow all', () => {
  assert.equal(status(404), 'allow-all');
  assert.equal(status(410), 'allow-all');
});
void test('401 and 403: allow all, as RFC 9309 says for every 4xx', () => {
  assert.equal(status(401), 'allow-all');
  assert.equal(status(403), 'allow-all');
});
void test('429: disallow all until it recovers', () => {
  assert.equal(status(429), 'disallow-all');
});
void test('5xx: disallow all (fail closed)', () => {
  for (const code of [500, 502, 503, 504, 599]) assert.equal(status(code), 'disallow-all');
});
void test('network error and timeout: disallow all', () => {
  assert.equal(robotsFetchPolicy({ kind: 'network' }), 'disallow-all');
  assert.equal(robotsFetchPolicy({ kind: 'timeout' }), 'disallow-all');
});
void test('too large to read at all: disallow all', () => {
  assert.equal(robotsFetchPolicy({ kind: 'too-large' }), 'disallow-all');
});
void test('nonsense statuses fail closed', () => {
  for (const code of [0, 100, 199, 600, 999]) assert.equal(status(code), 'disallow-all');
});
