// Loaded into a measured CLI with `node --import` by bench/cost-breakdown.ts: counts V8's garbage
// collections and their main-thread pauses, and writes them with the process's own CPU time and
// new-space size to the file named by WALSCOPE_GC_PROBE when the process exits.
import fs from 'node:fs';
import { PerformanceObserver, constants, performance } from 'node:perf_hooks';
import v8 from 'node:v8';

const KINDS = {
  [constants.NODE_PERFORMANCE_GC_MINOR]: 'minor',
  [constants.NODE_PERFORMANCE_GC_MAJOR]: 'major',
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL]: 'incremental',
  [constants.NODE_PERFORMANCE_GC_WEAKCB]: 'weakcb',
};
const gc = { count: 0, pauseMs: 0, minor: 0, minorMs: 0 };
new PerformanceObserver((list) => {
  for (const e of list.getEntries()) {
    gc.count++;
    gc.pauseMs += e.duration;
    if (KINDS[e.detail?.kind] === 'minor') {
      gc.minor++;
      gc.minorMs += e.duration;
    }
  }
}).observe({ entryTypes: ['gc'] });

process.on('exit', () => {
  const cpu = process.cpuUsage();
  const newSpace = v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space');
  fs.writeFileSync(
    process.env.WALSCOPE_GC_PROBE,
    JSON.stringify({
      ...gc,
      cpuMs: (cpu.user + cpu.system) / 1000,
      elu: performance.eventLoopUtilization().utilization,
      newSpaceMb: (newSpace?.space_size ?? 0) / 2 ** 20,
    }),
  );
});
