import { availableParallelism } from 'node:os';
import { extname, join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { ClientConfig } from 'pg';
import type { RangeScan, SeqRange } from './chain-range-scan';
import type { RangeScanner } from './chain-verifier';

/** Default scanner threads: hashing is CPU-bound, and the database needs a core of its own too. */
export function defaultVerifyThreads(): number {
  return Math.max(1, Math.min(4, availableParallelism()));
}

/**
 * The connection settings of a pg Pool (TypeORM's `driver.master.options`) a worker thread can
 * receive: functions (e.g. a password callback) do not cross threads, so only plain values are kept.
 */
export function workerConnectionConfig(poolOptions: Record<string, unknown>): ClientConfig {
  const config: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(poolOptions)) {
    if (['string', 'number', 'boolean'].includes(typeof value)) config[key] = value;
    else if (key === 'ssl' && value !== null && typeof value === 'object') config[key] = value;
  }
  config.application_name = `${typeof config.application_name === 'string' ? config.application_name : 'audit'}-verify`;
  return config as ClientConfig;
}

const SNAPSHOT_ID = /^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$/i;

/**
 * Scans seq ranges on `threads` worker threads, each with its own connection in the caller's
 * exported snapshot (`SELECT pg_export_snapshot()` inside a REPEATABLE READ transaction that stays
 * open until `close`). Ranges are handed out as threads come free; results come back in range order.
 */
export class WorkerRangeScanner {
  private readonly workers: Worker[];

  constructor(connection: ClientConfig, snapshot: string, threads = defaultVerifyThreads()) {
    if (!SNAPSHOT_ID.test(snapshot)) throw new Error(`not a snapshot id: ${snapshot}`);
    // Under ts-node or ts-jest this file is TypeScript, and so is its worker.
    const file = join(__dirname, `chain-range-worker${extname(__filename)}`);
    const execArgv = file.endsWith('.ts') ? ['-r', 'ts-node/register/transpile-only'] : [];
    this.workers = Array.from({ length: threads }, () => new Worker(file, { workerData: { connection, snapshot }, execArgv }));
  }

  get threads(): number {
    return this.workers.length;
  }

  readonly scan: RangeScanner = async (ranges: SeqRange[]): Promise<RangeScan[]> => {
    const scans: RangeScan[] = new Array<RangeScan>(ranges.length);
    let next = 0;
    await Promise.all(
      this.workers.map(async (worker) => {
        while (next < ranges.length) {
          const index = next++;
          scans[index] = await this.scanOn(worker, index, ranges[index]);
        }
      }),
    );
    return scans;
  };

  private scanOn(worker: Worker, id: number, range: SeqRange): Promise<RangeScan> {
    return new Promise((resolve, reject) => {
      const cleanup = (): void => {
        worker.off('message', onMessage);
        worker.off('error', onError);
        worker.off('exit', onExit);
      };
      const onMessage = (message: { id: number; scan?: RangeScan; error?: string }): void => {
        if (message.id !== id) return;
        cleanup();
        if (message.scan) resolve(message.scan);
        else reject(new Error(`audit range scan failed: ${message.error}`));
      };
      const onError = (error: Error): void => {
        cleanup();
        reject(error);
      };
      const onExit = (code: number): void => {
        cleanup();
        reject(new Error(`audit range worker exited (${code})`));
      };
      worker.on('message', onMessage);
      worker.once('error', onError);
      worker.once('exit', onExit);
      worker.postMessage({ id, range });
    });
  }

  /** Ends every thread's connection, then the threads; a thread that does not stop in time is terminated. */
  async close(): Promise<void> {
    await Promise.all(
      this.workers.map(async (worker) => {
        if (worker.threadId === -1) return; // already gone
        const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
        worker.postMessage({ close: true });
        const timer = setTimeout(() => void worker.terminate(), 5000);
        await exited;
        clearTimeout(timer);
      }),
    );
  }
}
