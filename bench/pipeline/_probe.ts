import { PipelineStack } from './pipeline-stack';
import { MachineLoad } from './machine-load';
import { seedDraftInstallations, submitCredentials, waitForCompletion, flowFigures, timelines } from './workload';
import { runningChildApps } from './child-app';

(async () => {
  const stack = new PipelineStack({
    pgHost: '127.0.0.1:5432',
    database: 'ir_bench_probe',
    rabbitUrl: 'amqp://guest:guest@127.0.0.1:5672',
    workerConcurrency: 10,
    logLevel: 'warn',
  });
  process.on('exit', () => runningChildApps().forEach((a) => a.killNow()));
  await stack.start();
  const ids = await seedDraftInstallations(stack, 3000);
  const machine = new MachineLoad(() => stack.pids());
  const waits = new Map<string, number>();
  let sampling = true;
  const sampler = (async () => {
    while (sampling) {
      const { rows } = await stack.db.query(
        `SELECT application_name, state, coalesce(wait_event_type||':'||wait_event,'cpu') w, left(regexp_replace(query,'\\s+',' ','g'),60) q FROM pg_stat_activity WHERE datname = 'ir_bench_probe' AND pid <> pg_backend_pid() AND state <> 'idle'`,
      );
      for (const r of rows) {
        const k = `${r.state} | ${r.w} | ${r.q}`;
        waits.set(k, (waits.get(k) ?? 0) + 1);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  })();
  machine.begin();
  const mode = process.env.MODE ?? 'closed';
  const batch = ids.slice(0, Number(process.env.N ?? 1500));
  const s = await submitCredentials(stack, batch, mode === 'rate' ? { kind: 'rate', perSecond: 200 } : { kind: 'closed', concurrency: 32 });
  console.log('submit', { ...s, sentAt: undefined });
  const done = await waitForCompletion(stack, batch, 120_000);
  console.log('done', done, machine.end());
  sampling = false;
  await sampler;
  console.log(JSON.stringify(flowFigures(await timelines(stack, batch, s.sentAt)), null, 1));
  console.log(
    [...waits.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([k, v]) => `${v}\t${k}`)
      .join('\n'),
  );
  console.log(stack.api.output().slice(-3000));
  await stack.stop();
  process.exit(0);
})().catch((e) => {
  console.error(e);
  process.exit(1);
});
