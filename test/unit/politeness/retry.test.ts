import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  MAX_HONOURED_RETRY_AFTERS,
  backoffDelay,
  isRetryableStatus,
  parseRetryAfter,
  retryDecision,
} from '../../../language-server/src/engine/politeness/retry';

const policy = { max: 3, backoffMs: 1000, maxBackoffMs: 8000, retryAfterCapMs: 120_000 };
const NOW = Date.UTC(2026, 10, 23, 12, 0, 0);

void describe('parseRetryAfter', () => {
  void it('reads delta-seconds', () => {
    assert.equal(parseRetryAfter('120', NOW), 120_000);
    assert.equal(parseRetryAfter(' 0 ', NOW), 0);
  });
  void it('turns negative seconds into 0', () => {
    assert.equal(parseRetryAfter('-5', NOW), 0);
  });
  void it('reads an IMF-fixdate relative to now', () => {
    assert.equal(parseRetryAfter('Mon, 23 Nov 2026 12:00:30 GMT', NOW), 30_000);
  });
  void it('reads the obsolete RFC 850 and asctime forms', () => {
    assert.equal(parseRetryAfter('Monday, 23-Nov-26 12:01:00 GMT', NOW), 60_000);
    assert.equal(parseRetryAfter('Mon Nov 23 12:00:10 2026', NOW), 10_000);
  });
  void it('gives 0 for a date in the past', () => {
    assert.equal(parseRetryAfter('Sun, 22 Nov 2026 12:00:00 GMT', NOW), 0);
  });
  void it('gives undefined for missing or unparseable values', () => {
    assert.equal(parseRetryAfter(undefined, NOW), undefined);
    assert.equal(parseRetryAfter('', NOW), undefined);
    assert.equal(parseRetryAfter('1.5', NOW), undefined);
    assert.equal(parseRetryAfter('soon', NOW), undefined);
    assert.equal(parseRetryAfter('Mon, 99 Foo 2026', NOW), undefined);
  });
});

void describe('isRetryableStatus', () => {
  void it('accepts exactly 408, 429, 500, 502, 503, 504', () => {
    const retryable = [];
    for (let status = 100; status < 600; status++) if (isRetryableStatus(status)) retryable.push(status);
    assert.deepEqual(retryable, [408, 429, 500, 502, 503, 504]);
  });
});

void describe('backoffDelay', () => {
  void it('is full jitter over a capped exponential', () => {
    assert.equal(backoffDelay(0, policy, () => 0.5), 500);
    assert.equal(backoffDelay(1, policy, () => 0.5), 1000);
    assert.equal(backoffDelay(2, policy, () => 0.5), 2000);
    assert.equal(backoffDelay(5, policy, () => 0.5), 4000); // capped at 8000
    assert.equal(backoffDelay(40, policy, () => 0.999), 7992);
    assert.equal(backoffDelay(3, policy, () => 0), 0);
  });
});

void describe('retryDecision', () => {
  const base = { method: 'GET', attempt: 0, policy, random: () => 0.5 };

  void it('retries network errors and timeouts with backoff', () => {
    for (const failure of ['network', 'timeout'] as const) {
      const decision = retryDecision({ ...base, outcome: { failure } });
      assert.deepEqual(decision, { action: 'retry', delayMs: 500, honouredRetryAfter: false, reason: `${failure} failure; retry 1 of 3 after 500 ms` });
    }
  });
  void it('does not retry too-large, invalid, blocked or aborted failures', () => {
    for (const failure of ['too-large', 'invalid', 'blocked', 'aborted'] as const) {
      assert.equal(retryDecision({ ...base, outcome: { failure } }).action, 'give-up');
    }
  });
  void it('does not retry other 4xx', () => {
    for (const status of [400, 401, 403, 404, 410, 501]) {
      const decision = retryDecision({ ...base, outcome: { status } });
      assert.equal(decision.action, 'give-up');
      assert.match(decision.reason, new RegExp(`status ${status} is not retried`));
    }
  });
  void it('never retries POST', () => {
    const decision = retryDecision({ ...base, method: 'POST', outcome: { status: 503 } });
    assert.equal(decision.action, 'give-up');
    assert.match(decision.reason, /POST is not idempotent/);
  });
  void it('retries HEAD', () => {
    assert.equal(retryDecision({ ...base, method: 'HEAD', outcome: { status: 502 } }).action, 'retry');
  });
  void it('gives up when the budget is used', () => {
    const decision = retryDecision({ ...base, attempt: 3, outcome: { status: 500 } });
    assert.deepEqual(decision, { action: 'give-up', reason: 'status 500; gave up after 3 retries' });
  });
  void it('gives up at once when retries are off', () => {
    assert.equal(retryDecision({ ...base, policy: { ...policy, max: 0 }, outcome: { status: 503, retryAfterMs: 10 } }).action, 'give-up');
  });
  void it('lets Retry-After override the backoff without charging the budget', () => {
    const decision = retryDecision({ ...base, attempt: 3, outcome: { status: 429, retryAfterMs: 5000 } });
    assert.deepEqual(decision, { action: 'retry', delayMs: 5000, honouredRetryAfter: true, reason: 'status 429; waiting 5 s as Retry-After asks' });
  });
  void it('charges the budget once the honoured Retry-After waits are used up, so it cannot loop forever', () => {
    const charged = retryDecision({ ...base, attempt: 0, honouredRetryAfters: MAX_HONOURED_RETRY_AFTERS, outcome: { status: 503, retryAfterMs: 100 } });
    assert.equal(charged.action, 'retry');
    assert.equal(charged.action === 'retry' && charged.honouredRetryAfter, false);
    assert.equal(charged.action === 'retry' && charged.delayMs, 100);
    const done = retryDecision({ ...base, attempt: 3, honouredRetryAfters: MAX_HONOURED_RETRY_AFTERS, outcome: { status: 503, retryAfterMs: 100 } });
    assert.equal(done.action, 'give-up');
  });
  void it('a simulated endless Retry-After stream ends after a bounded number of waits', () => {
    let attempt = 0;
    let honoured = 0;
    let waits = 0;
    for (let i = 0; i < 1000; i++) {
      const decision = retryDecision({ ...base, attempt, honouredRetryAfters: honoured, outcome: { status: 429, retryAfterMs: 1000 } });
      if (decision.action !== 'retry') break;
      waits++;
      if (decision.honouredRetryAfter) honoured++;
      else attempt++;
    }
    assert.equal(waits, MAX_HONOURED_RETRY_AFTERS + policy.max);
  });
  void it('stops the host when Retry-After exceeds the cap', () => {
    const decision = retryDecision({ ...base, outcome: { status: 503, retryAfterMs: 3_600_000 } });
    assert.equal(decision.action, 'stop-host');
    assert.match(decision.reason, /Retry-After 60 min, longer than the 2 min the spec allows/);
  });
  void it('honours a Retry-After of exactly the cap', () => {
    assert.equal(retryDecision({ ...base, outcome: { status: 503, retryAfterMs: 120_000 } }).action, 'retry');
  });
});
