/**
 * `BENCH_CPU_PROF=1`: preloaded into the records-api child. Samples the CPU from boot and writes a
 * .cpuprofile (Chrome DevTools, speedscope) when the bench stops the server. Node's own --cpu-prof
 * writes nothing here: Nest's shutdown hook ends the process by re-raising SIGTERM.
 */
import { Session } from 'node:inspector';
import { writeFileSync } from 'node:fs';

const file = process.env.BENCH_CPU_PROF_FILE ?? 'api.cpuprofile';
const session = new Session();
session.connect();
session.post('Profiler.enable');
session.post('Profiler.setSamplingInterval', { interval: 500 });
session.post('Profiler.start');

process.prependOnceListener('SIGTERM', () => {
  // A same-thread inspector session answers synchronously, before Nest's own SIGTERM handler runs.
  session.post('Profiler.stop', (error, result) => {
    if (!error) writeFileSync(file, JSON.stringify(result.profile));
  });
});
