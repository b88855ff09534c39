import { Logger } from '@nestjs/common';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { AuditCheckpointService } from '../apps/records-api/src/audit/audit-checkpoint.service';
import { AuditIntegrityService } from '../apps/records-api/src/audit/audit-integrity.service';
import {
  appendAuditEvents,
  AUDIT_CHAIN_LOCK_KEY,
  AUDIT_GENESIS_HASH,
  buildDataSourceOptions,
  CheckpointSigner,
  DEV_AUDIT_CHECKPOINT_KEY,
  loadEnvironment,
  verifyAuditChain,
  type ActorContext,
  type ChainVerification,
  type AuditEntry,
} from '../libs/common/src';
import { createPrivateDatabase, type PrivateDatabase } from './support/private-database';

const CHAINS = 8;
const actor: ActorContext = { type: 'service', id: 'chain-test', requestId: 'chain-test' };
const entry = (n: number): AuditEntry => ({ action: 'installation.updated', targetType: 'installation', targetId: `t-${n}` });

/** A database of its own (these tests tamper as superuser), the app role's pool, and the API's services. */
async function chainsFixture(): Promise<{
  db: PrivateDatabase;
  dataSource: DataSource;
  verify: (threads?: number) => ReturnType<AuditIntegrityService['verify']>;
  /** On this thread, with the trail cut into `ranges` seq ranges (1 range: the walk of one thread). */
  verifyInRanges: (ranges: number) => Promise<ChainVerification>;
  checkpoints: AuditCheckpointService;
  close: () => Promise<void>;
}> {
  const db = await createPrivateDatabase();
  const dataSource = await new DataSource(buildDataSourceOptions(db.appUrl, { poolSize: 12, applicationName: 'chain-test' })).initialize();
  const signer = CheckpointSigner.fromConfig(DEV_AUDIT_CHECKPOINT_KEY);
  const integrity = new AuditIntegrityService(dataSource, signer);
  const checkpoints = new AuditCheckpointService(dataSource, signer, loadEnvironment({ AUDIT_CHECKPOINT_INTERVAL_MS: '0' }));
  return {
    db,
    dataSource,
    verify: (threads?: number) => integrity.verify(threads),
    verifyInRanges: async (ranges: number) => {
      const client = new Client({ connectionString: db.appUrl });
      await client.connect();
      try {
        await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
        return await verifyAuditChain(async <T>(sql: string, params: unknown[]) => (await client.query(sql, params)).rows as T[], signer, {
          ranges,
        });
      } finally {
        await client.end();
      }
    },
    checkpoints,
    close: async () => {
      await dataSource.destroy();
      if (!process.env.KEEP_TEST_DATABASE) await db.drop();
    },
  };
}

/** Per chain: its rows, links that do not hold (first row to genesis, then to the previous hash), and forks (two rows on one prevHash). */
async function chainLinks(db: PrivateDatabase): Promise<Array<{ chain: number; rows: number; broken: number; forks: number }>> {
  return db.asOwner(
    `SELECT chain, count(*)::int AS rows,
            count(*) FILTER (WHERE prev_hash IS DISTINCT FROM coalesce(before, $1))::int AS broken,
            (count(*) - count(DISTINCT prev_hash))::int AS forks
       FROM (SELECT chain, prev_hash, lag(hash) OVER (PARTITION BY chain ORDER BY seq) AS before FROM audit_events) links
      GROUP BY chain ORDER BY chain`,
    [AUDIT_GENESIS_HASH],
  );
}

describe('parallel audit chains', () => {
  // The checkpoint service logs every checkpoint; outside an app that is only noise here.
  beforeAll(() => Logger.overrideLogger(false));

  describe('concurrent writers, edits', () => {
    let f: Awaited<ReturnType<typeof chainsFixture>>;
    beforeAll(async () => {
      f = await chainsFixture();
    });
    afterAll(async () => f?.close());

    const appendOne = (n: number, chainCount = CHAINS) =>
      f.dataSource.transaction((manager) => appendAuditEvents(manager, actor, [entry(n)], chainCount));
    /** Appends one row at a time until `chain` holds at least `rows` (the writer picks chains at random). */
    const fillChain = async (chain: number, rows: number): Promise<void> => {
      for (let i = 0; i < 2000; i += 1) {
        const [{ n }] = await f.db.asOwner<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE chain = $1', [chain]);
        if (n >= rows) return;
        await appendOne(i);
      }
      throw new Error(`chain ${chain} never reached ${rows} rows`);
    };
    /** Superuser tampering: switch the guard off, run, switch it back on. */
    const tamper = (sql: string) =>
      f.db.asOwner(`BEGIN; ALTER TABLE audit_events DISABLE TRIGGER USER; ${sql}; ALTER TABLE audit_events ENABLE TRIGGER USER; COMMIT;`);

    it('8 connections x 50 appends spread over the chains, and no chain forks', async () => {
      const appended = await Promise.all(
        Array.from({ length: 8 }, async (_, writer) => {
          const rows: Array<{ chain: number }> = [];
          for (let i = 0; i < 50; i += 1) {
            // Two rows per append: both must land in the same chain, next to each other.
            const written = await f.dataSource.transaction((manager) =>
              appendAuditEvents(manager, actor, [entry(writer * 100 + i), entry(writer * 100 + i)], CHAINS),
            );
            expect(written[1].chain).toBe(written[0].chain);
            expect(written[1].prevHash).toBe(written[0].hash);
            rows.push(...written);
          }
          return rows;
        }),
      );
      expect(appended.flat()).toHaveLength(800);
      const links = await chainLinks(f.db);
      expect(links.reduce((sum, c) => sum + c.rows, 0)).toBe(800);
      // Concurrent writers took different chains (8 writers on one chain would be one long queue).
      expect(links.length).toBeGreaterThan(1);
      for (const chain of links) {
        expect(chain.chain).toBeGreaterThanOrEqual(0);
        expect(chain.chain).toBeLessThan(CHAINS);
        expect(chain).toMatchObject({ broken: 0, forks: 0 });
      }
      const result = await f.verify();
      expect(result).toMatchObject({
        ok: true,
        checkedRows: 800,
        firstBrokenSeq: null,
        brokenChain: null,
        problem: null,
        chains: links.length,
      });
      expect(result.chainHeads.map((h) => [h.chain, h.rows])).toEqual(links.map((c) => [c.chain, c.rows]));
    });

    it('with AUDIT_CHAIN_COUNT=1 every append goes to chain 0, still without a fork', async () => {
      const before = await f.db.asOwner<{ n: number }>('SELECT count(*)::int AS n FROM audit_events WHERE chain = 0');
      await Promise.all(
        Array.from({ length: 4 }, async (_, w) => {
          for (let i = 0; i < 10; i += 1) await appendOne(w * 10 + i, 1);
        }),
      );
      const links = await chainLinks(f.db);
      expect(links.find((c) => c.chain === 0)).toMatchObject({ rows: before[0].n + 40, broken: 0, forks: 0 });
      expect(await f.verify()).toMatchObject({ ok: true });
    });

    it('verifies clean while writers append to every chain meanwhile', async () => {
      let writing = true;
      const writers = Array.from({ length: 6 }, async (_, w) => {
        for (let i = 0; writing; i += 1) await appendOne(w * 1000 + i);
      });
      try {
        // Each verification reads batches of 1000 rows: a small batch here makes commits land between them.
        const until = Date.now() + 1500;
        let runs = 0;
        while (Date.now() < until) {
          const results = await Promise.all([f.verify(), f.verify()]);
          for (const result of results) expect(result).toMatchObject({ ok: true, firstBrokenSeq: null });
          runs += 2;
        }
        expect(runs).toBeGreaterThan(2);
      } finally {
        writing = false;
        await Promise.all(writers);
      }
    });

    it('takes a chain whose lock is free, holds only that one, and waits when every chain is held', async () => {
      const holder = new Client({ connectionString: f.db.appUrl });
      await holder.connect();
      try {
        await holder.query('BEGIN');
        for (let chain = 0; chain < CHAINS - 1; chain += 1)
          await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [AUDIT_CHAIN_LOCK_KEY, chain]);
        const [free] = await appendOne(1);
        expect(free.chain).toBe(CHAINS - 1);

        await holder.query('SELECT pg_advisory_xact_lock($1, $2)', [AUDIT_CHAIN_LOCK_KEY, CHAINS - 1]);
        let appended = false;
        const waiting = appendOne(2).then((rows) => {
          appended = true;
          return rows;
        });
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(appended).toBe(false);
        await holder.query('COMMIT');
        const [late] = await waiting;
        expect(late.chain).toBeLessThan(CHAINS);
      } finally {
        await holder.end();
      }
      // With every chain free, the try-lock scan stops at the first lock it wins.
      const held = await f.dataSource.transaction(async (manager) => {
        await appendAuditEvents(manager, actor, [entry(3)], CHAINS);
        const [{ n }]: Array<{ n: number }> = await manager.query(
          `SELECT count(*)::int AS n FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid = $1::oid`,
          [AUDIT_CHAIN_LOCK_KEY],
        );
        return n;
      });
      expect(held).toBe(1);
    });

    it('names exactly the row edited in chain 3', async () => {
      await fillChain(3, 3);
      const [victim] = await f.db.asOwner<{ seq: string; reason: string | null }>(
        `SELECT seq::text AS seq, reason FROM audit_events WHERE chain = 3 ORDER BY audit_events.seq DESC OFFSET 1 LIMIT 1`,
      );
      await tamper(`UPDATE audit_events SET reason = 'nothing to see here' WHERE seq = ${Number(victim.seq)}`);
      expect(await f.verify()).toMatchObject({ ok: false, firstBrokenSeq: victim.seq, brokenChain: 3, problem: 'hash_mismatch' });
      await tamper(`UPDATE audit_events SET reason = NULL WHERE seq = ${Number(victim.seq)}`);
      expect(await f.verify()).toMatchObject({ ok: true });
    });

    it('verifies alike on one thread, on several worker threads, and cut into ranges of a row or two', async () => {
      await fillChain(5, 6);
      const verdict = (r: ChainVerification) => {
        const { durationMs: _ms, ...rest } = r;
        return rest;
      };
      /** Every way of running it must give the same answer, and `expected` must be part of it. */
      const allAgree = async (expected: Partial<ChainVerification>): Promise<void> => {
        const [{ n }] = await f.db.asOwner<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
        const single = await f.verify(1);
        expect(single).toMatchObject(expected);
        // Several threads; and ranges so short that most rows are the first of their chain in their range.
        for (const other of [await f.verify(2), await f.verifyInRanges(Math.ceil(n / 2)), await f.verifyInRanges(n + 5)]) {
          expect(verdict(other)).toEqual(verdict(single));
        }
      };
      await allAgree({ ok: true, firstBrokenSeq: null });

      // ORDER BY the column, not the text alias: as text, '99' sorts after '983'.
      const rows = await f.db.asOwner<{ seq: string; prev_hash: string }>(
        'SELECT seq::text AS seq, prev_hash FROM audit_events WHERE chain = 5 ORDER BY audit_events.seq DESC LIMIT 4',
      );
      const [, edited, relinked] = rows;
      await tamper(`UPDATE audit_events SET reason = 'edited' WHERE seq = ${Number(edited.seq)}`);
      await allAgree({ ok: false, firstBrokenSeq: edited.seq, brokenChain: 5, problem: 'hash_mismatch' });
      await tamper(`UPDATE audit_events SET prev_hash = '${'f'.repeat(64)}' WHERE seq = ${Number(relinked.seq)}`);
      await allAgree({ ok: false, firstBrokenSeq: relinked.seq, brokenChain: 5, problem: 'prev_hash_mismatch' });
      await tamper(`UPDATE audit_events SET prev_hash = '${relinked.prev_hash}' WHERE seq = ${Number(relinked.seq)}`);
      await tamper(`UPDATE audit_events SET reason = NULL WHERE seq = ${Number(edited.seq)}`);
      await allAgree({ ok: true });
      // Worker threads load ts-node under jest: seconds each, where the built app takes milliseconds.
    }, 120_000);

    it('names a row moved from chain 3 to another chain', async () => {
      await fillChain(3, 3);
      const [victim] = await f.db.asOwner<{ seq: string }>(
        `SELECT seq::text AS seq FROM audit_events WHERE chain = 3 ORDER BY audit_events.seq DESC OFFSET 1 LIMIT 1`,
      );
      await tamper(`UPDATE audit_events SET chain = 4 WHERE seq = ${Number(victim.seq)}`);
      expect(await f.verify()).toMatchObject({ ok: false, firstBrokenSeq: victim.seq });
      await tamper(`UPDATE audit_events SET chain = 3 WHERE seq = ${Number(victim.seq)}`);
      expect(await f.verify()).toMatchObject({ ok: true });
    });
  });

  describe('tail deletion in one chain', () => {
    let f: Awaited<ReturnType<typeof chainsFixture>>;
    beforeAll(async () => {
      f = await chainsFixture();
    });
    afterAll(async () => f?.close());

    it('is detected against that chain’s last checkpoint while the other chains carry on', async () => {
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let i = 0; i < 10; i += 1) await f.dataSource.transaction((m) => appendAuditEvents(m, actor, [entry(w * 10 + i)], CHAINS));
        }),
      );
      const links = await chainLinks(f.db);
      const victim = links.find((c) => c.rows >= 3);
      expect(victim).toBeDefined();
      const chain = victim?.chain ?? -1;

      // One checkpoint per chain, each signing that chain's head.
      const signed = await f.checkpoints.writeCheckpoints();
      expect(signed.map((c) => c.chain).sort((a, b) => a - b)).toEqual(links.map((c) => c.chain));
      expect(await f.checkpoints.writeCheckpoints()).toEqual([]);
      const [head] = await f.db.asOwner<{ seq: string }>('SELECT max(seq)::text AS seq FROM audit_events WHERE chain = $1', [chain]);
      expect(signed.find((c) => c.chain === chain)?.seq).toBe(head.seq);
      expect(await f.verify()).toMatchObject({ ok: true, checkpointsChecked: links.length });

      // Cut the last two rows of that chain, checkpointed head included.
      const cut = await f.db.asOwner<{ seq: string }>(
        'SELECT seq::text AS seq FROM audit_events WHERE chain = $1 ORDER BY audit_events.seq DESC LIMIT 2',
        [chain],
      );
      const from = cut[1].seq;
      await f.db.asOwner(
        `BEGIN; ALTER TABLE audit_events DISABLE TRIGGER USER; DELETE FROM audit_events WHERE chain = ${chain} AND seq >= ${Number(from)};
         ALTER TABLE audit_events ENABLE TRIGGER USER; COMMIT;`,
      );
      // The chain still links up after a clean cut: only its checkpoint can tell.
      expect((await chainLinks(f.db)).every((c) => c.broken === 0)).toBe(true);
      const result = await f.verify();
      expect(result).toMatchObject({ ok: false, firstBrokenSeq: from, brokenChain: chain, problem: 'rows_missing_after_checkpoint' });

      // Every chain, the cut one included, carries on; that does not hide the cut.
      for (let i = 0; i < 40; i += 1) await f.dataSource.transaction((m) => appendAuditEvents(m, actor, [entry(1000 + i)], CHAINS));
      expect(await f.verify()).toMatchObject({
        ok: false,
        firstBrokenSeq: from,
        brokenChain: chain,
        problem: 'rows_missing_after_checkpoint',
      });
    });
  });
});
