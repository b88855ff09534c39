import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { round, type LoadFigures } from './load';

export type Target = 'api' | 'baseline';

export interface Measurement {
  scenario: string;
  rows: number;
  target: Target;
  round: number;
  figures: LoadFigures;
}

/** The rounds of one scenario on one target, averaged. */
export interface Summary {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  serverCpuMsPerRequest: number | null;
  machineBusyPercent: number;
  rounds: number;
}

export interface TargetCheck {
  name: string;
  measured: number;
  limit: string;
  pass: boolean;
}

const mean = (values: number[]): number => values.reduce((a, b) => a + b, 0) / values.length;

export function summarise(measurements: Measurement[], scenario: string, rows: number, target: Target): Summary | null {
  const runs = measurements.filter((m) => m.scenario === scenario && m.rows === rows && m.target === target).map((m) => m.figures);
  if (runs.length === 0) return null;
  const cpu = runs.map((r) => r.serverCpuMsPerRequest);
  return {
    requestsPerSecond: round(mean(runs.map((r) => r.requestsPerSecond))),
    p50Ms: round(mean(runs.map((r) => r.p50Ms))),
    p99Ms: round(mean(runs.map((r) => r.p99Ms))),
    serverCpuMsPerRequest: cpu.every((c): c is number => c !== null) ? round(mean(cpu), 3) : null,
    machineBusyPercent: round(mean(runs.map((r) => r.machineBusyPercent))),
    rounds: runs.length,
  };
}

const pad = (value: string | number | null, width: number): string => String(value ?? '-').padStart(width);

/** One line per scenario: API and baseline side by side, and their ratios. */
export function printComparison(measurements: Measurement[]): void {
  const keys = [...new Map(measurements.map((m) => [`${m.scenario}@${m.rows}`, m])).values()];
  const side = (title: string): string => `${pad(title, 9)}${pad('p50', 6)}${pad('p99', 7)}${pad('cpu/req', 8)}`;
  const header = `${'scenario'.padEnd(30)}${pad('rows', 8)} |${side('API r/s')} |${side('raw r/s')} |${pad('r/s', 6)}${pad('cpu', 6)}`;
  console.log(`\n${' '.repeat(40)}${'records-api'.padEnd(32)}${'raw baseline'.padEnd(30)}API/raw\n${header}\n${'-'.repeat(header.length)}`);
  for (const { scenario, rows } of keys) {
    const api = summarise(measurements, scenario, rows, 'api');
    const raw = summarise(measurements, scenario, rows, 'baseline');
    const cells = (s: Summary | null): string =>
      s
        ? `${pad(s.requestsPerSecond, 9)}${pad(s.p50Ms, 6)}${pad(s.p99Ms, 7)}${pad(s.serverCpuMsPerRequest, 8)}`
        : side('-').replace(/\S+/g, '-');
    const rps = api && raw ? (api.requestsPerSecond / raw.requestsPerSecond).toFixed(2) : '-';
    const cpu =
      api?.serverCpuMsPerRequest && raw?.serverCpuMsPerRequest ? (api.serverCpuMsPerRequest / raw.serverCpuMsPerRequest).toFixed(1) : '-';
    console.log(`${scenario.padEnd(30)}${pad(rows, 8)} |${cells(api)} |${cells(raw)} |${pad(rps, 6)}${pad(cpu, 6)}`);
  }
  console.log('ms; r/s = mean of per-second samples; cpu/req = server process CPU ms per request; averaged over rounds');
}

export function printTargets(checks: TargetCheck[]): void {
  console.log('\nTargets');
  for (const check of checks) console.log(`  ${check.pass ? 'PASS' : 'FAIL'}  ${check.name}: ${check.measured} (target ${check.limit})`);
}

/** The full run as `<name>-<timestamp>.json`, and a short summary as latest.json. */
export function writeResults(directory: string, name: string, full: Record<string, unknown>, summary: Record<string, unknown>): string {
  mkdirSync(directory, { recursive: true });
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const file = join(directory, `${name}-${stamp}.json`);
  writeFileSync(file, `${JSON.stringify(full, null, 2)}\n`);
  writeFileSync(
    join(directory, 'latest.json'),
    `${JSON.stringify({ ...summary, fullResults: `bench/results/${name}-${stamp}.json` }, null, 2)}\n`,
  );
  return file;
}
