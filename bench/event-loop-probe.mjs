/**
 * Preloaded into a benchmarked process (`node --import ./bench/event-loop-probe.mjs …`): records
 * its main thread's event-loop delay and answers any message on its IPC channel with
 * { p50, p99, max } in milliseconds, then starts afresh. Plain JavaScript so that it needs no
 * loader; worker threads inherit the preload, and it does nothing there.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { isMainThread } from 'node:worker_threads';

if (isMainThread && process.send) {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  const ms = (ns) => ns / 1e6;
  process.on('message', () => {
    process.send({ p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max) });
    histogram.reset();
  });
  process.channel?.unref();
}
