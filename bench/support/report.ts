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
  const widths = [9, 8, 8, 8];
  const row = (values: (string | number | null)[]): string => values.map((v, i) => pad(v, widths[i])).join('');
  const cells = (s: Summary | null): string =>
    s ? row([s.requestsPerSecond, s.p50Ms, s.p99Ms, s.serverCpuMsPerRequest]) : row(['-', '-', '-', '-']);
  const header = `${'scenario'.padEnd(30)}${pad('rows', 8)} |${row(['r/s', 'p50', 'p99', 'cpu/req'])} |${row(['r/s', 'p50', 'p99', 'cpu/req'])} |${pad('r/s', 6)}${pad('cpu', 6)}`;
  const width = widths.reduce((a, b) => a + b, 0) + 2;
  console.log(
    `\n${' '.repeat(39)}${'| records-api'.padEnd(width)}${'| raw baseline'.padEnd(width)}| API/raw\n${header}\n${'-'.repeat(header.length)}`,
  );
  for (const { scenario, rows } of keys) {
    const api = summarise(measurements, scenario, rows, 'api');
    const raw = summarise(measurements, scenario, rows, 'baseline');
    const rps = api && raw ? (api.requestsPerSecond / raw.requestsPerSecond).toFixed(2) : '-';
    const cpu =
      api?.serverCpuMsPerRequest && raw?.serverCpuMsPerRequest ? (api.serverCpuMsPerRequest / raw.serverCpuMsPerRequest).toFixed(1) : '-';
    console.log(`${scenario.padEnd(30)}${pad(rows, 8)} |${cells(api)} |${cells(raw)} |${pad(rps, 6)}${pad(cpu, 6)}`);
  }
  console.log('r/s = mean of per-second samples; p50/p99 in ms; cpu/req = server process CPU ms per request; means over rounds');
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
