import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CircuitBreaker } from '../../../language-server/src/engine/politeness/circuit-breaker';
import { FakeClock } from '../../support/http-fake-clock';

void describe('CircuitBreaker', () => {
  void it('stays closed below the threshold', () => {
    const breaker = new CircuitBreaker({ clock: new FakeClock(), failureThreshold: 3, coolDownMs: 1000, maxPauses: 2 });
    breaker.recordFailure('a.test', 'HTTP 500');
    assert.deepEqual(breaker.recordFailure('a.test', 'HTTP 500'), { state: 'closed' });
  });
  void it('pauses after N consecutive failures, for the cool-down', async () => {
    const clock = new FakeClock(10_000);
    const breaker = new CircuitBreaker({ clock, failureThreshold: 3, coolDownMs: 1000, maxPauses: 2 });
    for (let i = 0; i < 3; i++) breaker.recordFailure('a.test', 'ECONNRESET');
    const state = breaker.check('a.test');
    assert.equal(state.state, 'paused');
    assert.equal(state.state === 'paused' && state.untilMs, 11_000);
    assert.match(state.state === 'paused' ? state.reason : '', /paused a\.test for 1 s after 3 consecutive failures \(last: ECONNRESET\); pause 1 of 2/);
    assert.deepEqual(breaker.check('b.test'), { state: 'closed' }, 'other hosts are unaffected');
    await clock.advance(1000);
    assert.deepEqual(breaker.check('a.test'), { state: 'closed' });
  });
  void it('abandons the host on the trip after M pauses', () => {
    const breaker = new CircuitBreaker({ clock: new FakeClock(), failureThreshold: 2, coolDownMs: 0, maxPauses: 2 });
    const trip = () => {
      breaker.recordFailure('a.test', 'HTTP 503');
      return breaker.recordFailure('a.test', 'HTTP 503');
    };
    trip();
    trip();
    const third = trip();
    assert.equal(third.state, 'abandoned');
    assert.match(third.state === 'abandoned' ? third.reason : '', /abandoned a\.test after 2 consecutive failures 3 times/);
    breaker.recordSuccess('a.test');
    assert.equal(breaker.check('a.test').state, 'abandoned', 'abandonment is final for the run');
  });
  void it('any success resets the failures and the pause count', () => {
    const breaker = new CircuitBreaker({ clock: new FakeClock(), failureThreshold: 2, coolDownMs: 0, maxPauses: 1 });
    breaker.recordFailure('a.test', 'x');
    breaker.recordFailure('a.test', 'x'); // pause 1
    breaker.recordSuccess('a.test');
    breaker.recordFailure('a.test', 'x');
    breaker.recordSuccess('a.test');
    breaker.recordFailure('a.test', 'x');
    assert.notEqual(breaker.recordFailure('a.test', 'x').state, 'abandoned');
  });
  void it('abandon() stops a host with the given reason, case-insensitively', () => {
    const breaker = new CircuitBreaker({ clock: new FakeClock() });
    breaker.abandon('A.test', 'Retry-After too long');
    assert.deepEqual(breaker.check('a.TEST'), { state: 'abandoned', reason: 'Retry-After too long' });
  });
});
