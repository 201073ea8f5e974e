/**
 * Measures how long this process's event loop stalled during a stretch of a test.
 *
 * The fault server runs in the test's own process, so it timestamps a request only when the
 * event loop gets to it. On a loaded machine the process can be descheduled for tens of
 * milliseconds, which makes one request look late and the gap after it look short, although
 * the client spaced them correctly. Politeness tests subtract the worst stall seen (bounded by
 * a cap, so that the assertion never becomes vacuous) from the gap they require.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';

/** A running monitor; `stop()` returns the largest stall seen, in milliseconds. */
export interface LoopLagMonitor {
  stop(): number;
}

/** Starts sampling event-loop delay every 5 ms. */
export function startLoopLagMonitor(): LoopLagMonitor {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  return {
    stop() {
      histogram.disable();
      // The histogram includes the sampling interval itself; report only the excess.
      return Math.max(0, histogram.max / 1e6 - 5);
    },
  };
}

/** The slack a gap assertion allows: the measured stall, but never more than `capMs`. */
export function stallAllowance(stallMs: number, capMs: number): number {
  return Math.min(Math.max(0, stallMs), capMs);
}
