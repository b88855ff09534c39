/**
 * Worker-thread entry of chain-range-workers.ts: one connection in the verifying transaction's
 * exported snapshot, scanning the ranges it is sent. Imports nothing of the app but the scan.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { Client, type ClientConfig } from 'pg';
import { scanAuditRange, type SeqRange } from './chain-range-scan';

interface RangeWorkerData {
  connection: ClientConfig;
  snapshot: string;
}

type Request = { id: number; range: SeqRange } | { close: true };

const port = parentPort;
if (!port) throw new Error('chain-range-worker runs only as a worker thread');
const { connection, snapshot } = workerData as RangeWorkerData;
const client = new Client(connection);

const ready = (async () => {
  await client.connect();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  // Checked by the caller to be a pg_export_snapshot() id; SET TRANSACTION SNAPSHOT takes no parameters.
  await client.query(`SET TRANSACTION SNAPSHOT '${snapshot}'`);
})();

port.on('message', (request: Request) => {
  if ('close' in request) {
    void client.end().finally(() => port.close());
    return;
  }
  ready
    .then(() => scanAuditRange(async <T>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as T[], request.range))
    .then(
      (scan) => port.postMessage({ id: request.id, scan }),
      (error: unknown) => port.postMessage({ id: request.id, error: error instanceof Error ? error.message : String(error) }),
    );
});
