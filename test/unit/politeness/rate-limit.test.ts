import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { rateLimitPause } from '../../../language-server/src/engine/politeness/rate-limit';

const NOW = 1_700_000_000_000;

void describe('rateLimitPause', () => {
  void it('reads the structured RateLimit field', () => {
    assert.deepEqual(rateLimitPause({ ratelimit: 'limit=100, remaining=0, reset=30' }, NOW)?.untilMs, NOW + 30_000);
    assert.equal(rateLimitPause({ ratelimit: 'limit=100, remaining=5, reset=30' }, NOW), undefined);
  });

  void it('reads RateLimit-Remaining / RateLimit-Reset in seconds', () => {
    const pause = rateLimitPause({ 'ratelimit-remaining': '0', 'ratelimit-reset': '12' }, NOW);
    assert.equal(pause?.untilMs, NOW + 12_000);
    assert.match(pause?.reason ?? '', /RateLimit-Remaining.*12 s/);
  });

  void it('reads X-RateLimit-Reset as seconds or as a Unix time', () => {
    assert.equal(rateLimitPause({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': '7' }, NOW)?.untilMs, NOW + 7_000);
    const epoch = String(NOW / 1000 + 45);
    assert.equal(rateLimitPause({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': epoch }, NOW)?.untilMs, NOW + 45_000);
  });

  void it('does not pause while budget remains, without a reset, for a reset in the past, or on nonsense', () => {
    assert.equal(rateLimitPause({ 'x-ratelimit-remaining': '3', 'x-ratelimit-reset': '7' }, NOW), undefined);
    assert.equal(rateLimitPause({ 'x-ratelimit-remaining': '0' }, NOW), undefined);
    assert.equal(rateLimitPause({ 'x-ratelimit-remaining': '0', 'x-ratelimit-reset': String(NOW / 1000 - 5) }, NOW), undefined);
    assert.equal(rateLimitPause({ 'x-ratelimit-remaining': 'lots', 'x-ratelimit-reset': 'soon' }, NOW), undefined);
    assert.equal(rateLimitPause({}, NOW), undefined);
  });

  void it('caps an absurd reset at an hour', () => {
    assert.equal(rateLimitPause({ 'ratelimit-remaining': '0', 'ratelimit-reset': '80000' }, NOW)?.untilMs, NOW + 3_600_000);
  });
});
