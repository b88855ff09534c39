import { readdirSync, readFileSync } from 'node:fs';
import { loadavg } from 'node:os';

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** CPU seconds (user + system) per process group, and the machine's busy ticks, at one instant. */
interface Snapshot {
  at: number;
  machineBusy: number;
  machineTotal: number;
  byGroup: Map<string, number>;
}

export interface LoadWindow {
  seconds: number;
  loadAverage1m: number;
  /** All cores: 100 % = every core busy for the whole window. */
  machineBusyPercent: number;
  /** CPU used in the window, as % of one core, by group: this bench's processes, PostgreSQL, RabbitMQ, everything else. */
  cpuPercentOfOneCore: Record<string, number>;
}

/**
 * Attributes CPU over a window to the bench's own processes (by pid) and to the shared servers,
 * so that figures can be read next to what else was running (other helpers' test runs).
 */
export class MachineLoad {
  private start: Snapshot | null = null;

  constructor(private readonly pids: () => Record<string, number | undefined>) {}

  begin(): void {
    this.start = this.snapshot();
  }

  end(): LoadWindow {
    const end = this.snapshot();
    const start = this.start ?? end;
    const seconds = (end.at - start.at) / 1000;
    const cpu: Record<string, number> = {};
    for (const [group, value] of end.byGroup) {
      const used = value - (start.byGroup.get(group) ?? 0);
      if (used > 0.01) cpu[group] = Math.round((used / Math.max(seconds, 0.001)) * 100);
    }
    return {
      seconds: Math.round(seconds * 10) / 10,
      loadAverage1m: Math.round(loadavg()[0] * 100) / 100,
      machineBusyPercent: Math.round(((end.machineBusy - start.machineBusy) / Math.max(1, end.machineTotal - start.machineTotal)) * 100),
      cpuPercentOfOneCore: cpu,
    };
  }

  private snapshot(): Snapshot {
    const mine = new Map<number, string>();
    for (const [name, pid] of Object.entries(this.pids())) if (pid) mine.set(pid, name);
    mine.set(process.pid, 'bench (load, sandbox)');
    const byGroup = new Map<string, number>();
    for (const entry of safeReaddir('/proc')) {
      const pid = Number(entry);
      if (!Number.isInteger(pid)) continue;
      const stat = safeRead(`/proc/${pid}/stat`);
      if (!stat) continue;
      const close = stat.lastIndexOf(')');
      const comm = stat.slice(stat.indexOf('(') + 1, close);
      const fields = stat.slice(close + 2).split(' ');
      const seconds = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
      const group =
        mine.get(pid) ?? (comm === 'postgres' ? 'postgresql (all backends)' : comm === 'beam.smp' ? 'rabbitmq' : `other: ${comm}`);
      byGroup.set(group, (byGroup.get(group) ?? 0) + seconds);
    }
    // Processes that exited in the window are lost; "other" groups are only indicative.
    const ticks = (safeRead('/proc/stat') ?? 'cpu 0 0 0 0 0').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
    const total = ticks.reduce((a, b) => a + b, 0);
    return { at: Date.now(), machineBusy: total - ticks[3] - (ticks[4] ?? 0), machineTotal: total, byGroup };
  }
}

/** The few biggest "other" groups, for the report; the rest summed. */
export function summariseOthers(cpu: Record<string, number>, keep = 3): Record<string, number> {
  const mine = Object.entries(cpu).filter(([group]) => !group.startsWith('other: '));
  const others = Object.entries(cpu)
    .filter(([group]) => group.startsWith('other: '))
    .sort((a, b) => b[1] - a[1]);
  const rest = others.slice(keep).reduce((sum, [, v]) => sum + v, 0);
  return Object.fromEntries([...mine, ...others.slice(0, keep), ...(rest > 0 ? [['other: rest', rest] as [string, number]] : [])]);
}

function safeReaddir(path: string): string[] {
  try {
    return readdirSync(path);
  } catch {
    return [];
  }
}

function safeRead(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return null;
  }
}
