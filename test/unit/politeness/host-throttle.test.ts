import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HostThrottle } from '../../../language-server/src/engine/politeness/host-throttle';
import type { PolitenessSpec } from '../../../language-server/src/engine/spec/model';
import { FakeClock } from '../../support/http-fake-clock';
import { politeness } from '../../support/http-politeness';

/** A throttle on a fake clock, and a way to run requests that hold their slot for a while. */
function harness(spec: PolitenessSpec, random: () => number = () => 0) {
  const clock = new FakeClock();
  const throttle = new HostThrottle({ clock, sleep: clock.sleep, random, politeness: spec });
  const starts: { host: string; at: number; label: string }[] = [];
  const tasks: Promise<void>[] = [];
  const request = (host: string, holdMs: number, label = host): void => {
    tasks.push(
      (async () => {
        const release = await throttle.acquire(host);
        starts.push({ host, at: clock.now(), label });
        await clock.sleep(holdMs);
        release();
      })(),
    );
  };
  const run = async (): Promise<void> => {
    await clock.runAll();
    await Promise.all(tasks);
  };
  const startsOf = (host: string): number[] => starts.filter((s) => s.host === host).map((s) => s.at);
  return { clock, throttle, request, run, starts, startsOf };
}

void describe('HostThrottle', () => {
  void it('spaces the starts of requests to one host by delayMs', async () => {
    const h = harness(politeness({ delayMs: 1000 }));
    for (let i = 0; i < 4; i++) h.request('a.test', 100);
    await h.run();
    assert.deepEqual(h.startsOf('a.test'), [0, 1000, 2000, 3000]);
  });

  void it('measures the gap from the start, so a slow request does not add its duration twice', async () => {
    const h = harness(politeness({ delayMs: 1000 }));
    for (let i = 0; i < 3; i++) h.request('a.test', 1500);
    await h.run();
    assert.deepEqual(h.startsOf('a.test'), [0, 1500, 3000]);
  });

  void it('keeps at most concurrencyPerHost in flight, and still spaces starts', async () => {
    const h = harness(politeness({ delayMs: 1000, concurrencyPerHost: 2 }));
    for (let i = 0; i < 4; i++) h.request('a.test', 5000);
    await h.run();
    assert.deepEqual(h.startsOf('a.test'), [0, 1000, 5000, 6000]);
  });

  void it('adds jitter as a fraction of the delay, drawn per gap', async () => {
    const draws = [0.5, 0.25, 1, 0];
    let i = 0;
    const h = harness(politeness({ delayMs: 1000, jitter: 0.5 }), () => draws[i++ % draws.length]);
    for (let n = 0; n < 4; n++) h.request('a.test', 10);
    await h.run();
    assert.deepEqual(h.startsOf('a.test'), [0, 1250, 2375, 3875]);
  });

  void it('uses Crawl-delay as a floor, never to go faster than delayMs', async () => {
    const h = harness(politeness({ delayMs: 1000 }));
    h.throttle.setCrawlDelay('slow.test', 3000);
    h.throttle.setCrawlDelay('fast.test', 200);
    for (let i = 0; i < 3; i++) {
      h.request('slow.test', 10);
      h.request('fast.test', 10);
    }
    await h.run();
    assert.deepEqual(h.startsOf('slow.test'), [0, 3000, 6000]);
    assert.deepEqual(h.startsOf('fast.test'), [0, 1000, 2000]);
  });

  void it('gives a free slot to the host that can go soonest when total concurrency is full', async () => {
    const h = harness(politeness({ delayMs: 1000, concurrencyTotal: 1 }));
    h.request('a.test', 300, 'a1');
    h.request('a.test', 300, 'a2');
    h.request('b.test', 300, 'b1');
    h.request('b.test', 300, 'b2');
    await h.run();
    assert.deepEqual(
      h.starts.map((s) => `${s.label}@${s.at}`),
      // a2 may not start before 1000 (its host's gap) but b1 may start at once when a1 ends.
      ['a1@0', 'b1@300', 'a2@1000', 'b2@1300'],
    );
  });

  void it('never exceeds total concurrency across hosts', async () => {
    const h = harness(politeness({ delayMs: 0, concurrencyPerHost: 4, concurrencyTotal: 3 }));
    let inFlight = 0;
    let peak = 0;
    const tasks: Promise<void>[] = [];
    for (let i = 0; i < 12; i++) {
      tasks.push(
        (async () => {
          const release = await h.throttle.acquire(`h${i % 4}.test`);
          inFlight++;
          peak = Math.max(peak, inFlight);
          await h.clock.sleep(100 + (i % 3) * 50);
          inFlight--;
          release();
        })(),
      );
    }
    await h.clock.runAll();
    await Promise.all(tasks);
    assert.equal(peak, 3);
    assert.equal(h.throttle.inFlight, 0);
  });

  void it('serves one host first in, first out', async () => {
    const h = harness(politeness({ delayMs: 100 }));
    for (let i = 0; i < 5; i++) h.request('a.test', 10, `r${i}`);
    await h.run();
    assert.deepEqual(h.starts.map((s) => s.label), ['r0', 'r1', 'r2', 'r3', 'r4']);
  });

  void it('pauses one host without slowing the others', async () => {
    const h = harness(politeness({ delayMs: 1000 }));
    h.throttle.pauseHost('a.test', 5000, 'Retry-After: 5');
    for (let i = 0; i < 3; i++) {
      h.request('a.test', 10);
      h.request('b.test', 10);
    }
    await h.run();
    assert.deepEqual(h.startsOf('a.test'), [5000, 6000, 7000]);
    assert.deepEqual(h.startsOf('b.test'), [0, 1000, 2000]);
    assert.equal(h.throttle.state('a.test').pauseReason, 'Retry-After: 5');
  });

  void it('a pause asked for mid-run delays the next start, and a shorter pause never shortens it', async () => {
    const h = harness(politeness({ delayMs: 1000 }));
    h.request('a.test', 10);
    h.request('a.test', 10);
    await h.clock.advance(500);
    h.throttle.pauseHost('a.test', 4000, 'HTTP 503');
    h.throttle.pauseHost('a.test', 2000, 'shorter');
    await h.run();
    assert.deepEqual(h.startsOf('a.test'), [0, 4000]);
  });

  void it('rejects an aborted wait and lets the next waiter take its place on time', async () => {
    const h = harness(politeness({ delayMs: 1000 }));
    h.request('a.test', 10, 'first');
    const controller = new AbortController();
    const cancelled = h.throttle.acquire('a.test', controller.signal);
    h.request('a.test', 10, 'third');
    await h.clock.advance(200);
    controller.abort();
    await assert.rejects(cancelled, { name: 'AbortError' });
    await h.run();
    assert.deepEqual(h.starts.map((s) => `${s.label}@${s.at}`), ['first@0', 'third@1000']);
  });

  void it('rejects at once when the signal is already aborted', async () => {
    const h = harness(politeness());
    await assert.rejects(h.throttle.acquire('a.test', AbortSignal.abort()), { name: 'AbortError' });
  });

  void it('counts the next gap from a confirmed later start (a slow connection)', async () => {
    const h = harness(politeness({ delayMs: 1000 }));
    const tasks: Promise<void>[] = [];
    const starts: number[] = [];
    for (let i = 0; i < 3; i++) {
      tasks.push(
        (async () => {
          const release = await h.throttle.acquire('a.test');
          starts.push(h.clock.now());
          // The first request needs 300 ms to connect before it really goes out.
          if (i === 0) await h.clock.sleep(300);
          h.throttle.confirmStart('a.test', h.clock.now());
          h.throttle.confirmStart('a.test', 0); // An earlier time is ignored.
          await h.clock.sleep(10);
          release();
        })(),
      );
    }
    await h.clock.runAll();
    await Promise.all(tasks);
    assert.deepEqual(starts, [0, 1300, 2300]);
  });

  void it('release is idempotent', async () => {
    const h = harness(politeness({ delayMs: 0, concurrencyPerHost: 1 }));
    const release = await h.throttle.acquire('a.test');
    release();
    release();
    assert.equal(h.throttle.inFlight, 0);
    assert.equal(h.throttle.state('a.test').inFlight, 0);
  });

  void describe('AutoThrottle', () => {
    void it('moves the delay towards latency ÷ concurrency, smoothed, never under delayMs', () => {
      const h = harness(politeness({ delayMs: 1000, autoThrottle: true, concurrencyPerHost: 2 }));
      h.throttle.observe('a.test', { latencyMs: 8000, status: 200 }); // target 4000 → (1000+4000)/2
      assert.equal(h.throttle.state('a.test').delayMs, 2500);
      h.throttle.observe('a.test', { latencyMs: 0, status: 200 });
      assert.equal(h.throttle.state('a.test').delayMs, 1250);
      h.throttle.observe('a.test', { latencyMs: 0, status: 200 });
      assert.equal(h.throttle.state('a.test').delayMs, 1000);
    });

    void it('lets errors raise the delay but never lower it', () => {
      const h = harness(politeness({ delayMs: 1000, autoThrottle: true }));
      h.throttle.observe('a.test', { latencyMs: 0, status: 503 });
      assert.equal(h.throttle.state('a.test').delayMs, 2000);
      h.throttle.observe('a.test', { latencyMs: 0, status: 500 });
      assert.equal(h.throttle.state('a.test').delayMs, 2000);
      h.throttle.observe('a.test', { latencyMs: 10_000, status: 502 });
      assert.equal(h.throttle.state('a.test').delayMs, 6000);
      h.throttle.observe('a.test', { latencyMs: 0, status: 429 });
      assert.equal(h.throttle.state('a.test').delayMs, 12_000);
      assert.equal(h.throttle.state('b.test').delayMs, 1000, 'other hosts keep their pace');
    });

    void it('applies the adapted delay to the gaps', async () => {
      const h = harness(politeness({ delayMs: 1000, autoThrottle: true }));
      h.throttle.observe('a.test', { latencyMs: 3000, status: 200 }); // → 2000
      for (let i = 0; i < 3; i++) h.request('a.test', 10);
      await h.run();
      assert.deepEqual(h.startsOf('a.test'), [0, 2000, 4000]);
    });

    void it('does nothing when autoThrottle is off', () => {
      const h = harness(politeness({ delayMs: 1000, autoThrottle: false }));
      h.throttle.observe('a.test', { latencyMs: 60_000, status: 503 });
      assert.equal(h.throttle.state('a.test').delayMs, 1000);
    });
  });
});
