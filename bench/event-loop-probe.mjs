/**
 * Preloaded into a benchmarked process (`node --import ./bench/event-loop-probe.mjs …`): records
 * its main thread's event-loop delay and answers any message on its IPC channel with
 * { p50, p99, max } in milliseconds, then starts afresh. The histogram records the time between
 * timer runs; the delay is what exceeds the timer's interval. Plain JavaScript so that it needs no
 * loader; worker threads inherit the preload, and it does nothing there.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

if (isMainThread && process.send) {
  const INTERVAL_MS = 5;
  const histogram = monitorEventLoopDelay({ resolution: INTERVAL_MS });
  histogram.enable();
  const ms = (ns) => Math.max(0, ns / 1e6 - INTERVAL_MS);
  process.on('message', () => {
    process.send({ p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) });
    histogram.reset();
  });
  process.channel?.unref();
}
