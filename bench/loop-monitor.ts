/**
 * Preloaded into the server by `bench:ingest --loop` (node --import): once a
 * second it appends to LOOP_MONITOR_FILE one JSON line with the event loop's
 * delay over that second (perf_hooks monitorEventLoopDelay, ms), the garbage
 * collections that ended in it (count and wall time by kind: minor is a
 * scavenge, major a mark-compact) and the old space's size, so that the bench
 * can say what held the requests of its load window up (summariseLoop in
 * support.ts). Its own cost is a histogram sample every 5 ms and a line a second.
 */
import { appendFileSync } from 'node:fs';
import { constants, monitorEventLoopDelay, PerformanceObserver, type PerformanceEntry } from 'node:perf_hooks';
import { getHeapSpaceStatistics } from 'node:v8';

const file = process.env.LOOP_MONITOR_FILE;
if (file) {
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  const kinds: Record<number, string> = { [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor', [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major', [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental' };
  let gc: Record<string, { n: number; ms: number; maxMs: number }> = {};
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      const kind = kinds[(entry as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind ?? -1] ?? 'other';
      const g = (gc[kind] ??= { n: 0, ms: 0, maxMs: 0 });
      g.n += 1;
      g.ms += entry.duration;
      g.maxMs = Math.max(g.maxMs, entry.duration);
    }
  }).observe({ entryTypes: ['gc'] });
  const ms = (ns: number) => Math.round(ns / 1e4) / 100;
  setInterval(() => {
    const old = getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')?.space_used_size ?? 0;
    // The histogram's floor is its resolution (5 ms): a loop that never waited shows about 5.
    appendFileSync(file, `${JSON.stringify({ at: Date.now(), p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), gc, oldMiB: Math.round(old / 1048576) })}\n`);
    delay.reset();
    gc = {};
  }, 1000).unref();
}
