import { AccessEventBuffer } from '../apps/records-api/src/audit/access-event-buffer';
import { AuditCheckpointService } from '../apps/records-api/src/audit/audit-checkpoint.service';
import { createPrivateDatabase, useDatabase, type PrivateDatabase } from './support/private-database';
import { parkwhizInstallation, startTestApp, tokenFor, type TestApp } from './support/test-app';

/**
 * A3 and A2 against a database of their own: these tests tamper with the trail as superuser and
 * revoke the application role's INSERT, which must not leak into specs sharing the run's database.
 */
describe('audit chain integrity (A3) and fail-closed writes (A2)', () => {
  let db: PrivateDatabase;
  let restoreEnv: () => void;
  let t: TestApp;
  const auditor = tokenFor(['auditor']);
  const engineer = tokenFor(['engineer']);

  const verify = async () => {
    const res = await t.http().get('/v1/audit/verify').set('Authorization', `Bearer ${auditor}`);
    expect(res.status).toBe(200);
    return res.body as {
      ok: boolean;
      checkedRows: number;
      firstBrokenSeq: string | null;
      problem: string | null;
      lastCheckpoint: { seq: string } | null;
    };
  };
  const createSome = async (n: number): Promise<string[]> => {
    const ids: string[] = [];
    for (let i = 0; i < n; i += 1) {
      const res = await t.http().post('/v1/installations').set('Authorization', `Bearer ${engineer}`).send(parkwhizInstallation());
      expect(res.status).toBe(201);
      ids.push(res.body.id);
    }
    return ids;
  };
  /** Superuser tampering: switch the guard off, run, switch it back on. */
  // Buffered access events are flushed first: an append racing the tamperer would muddy the result.
  const tamper = async (sql: string) => {
    await t.app.get(AccessEventBuffer).flush();
    await db.asOwner(`BEGIN; ALTER TABLE audit_events DISABLE TRIGGER USER; ${sql}; ALTER TABLE audit_events ENABLE TRIGGER USER; COMMIT;`);
  };

  beforeAll(async () => {
    db = await createPrivateDatabase();
    restoreEnv = useDatabase(db);
    // Checkpoints only when a test writes one, so none lands between a tamper and its check.
    const savedInterval = process.env.AUDIT_CHECKPOINT_INTERVAL_MS;
    process.env.AUDIT_CHECKPOINT_INTERVAL_MS = '0';
    t = await startTestApp();
    if (savedInterval === undefined) delete process.env.AUDIT_CHECKPOINT_INTERVAL_MS;
    else process.env.AUDIT_CHECKPOINT_INTERVAL_MS = savedInterval;
  });
  afterAll(async () => {
    await t?.close();
    restoreEnv();
    if (!process.env.KEEP_TEST_DATABASE) await db.drop();
  });

  it('passes on clean data and checks every row', async () => {
    await createSome(5);
    const [{ n }] = await db.asOwner<{ n: number }>('SELECT count(*)::int AS n FROM audit_events');
    const result = await verify();
    expect(result).toMatchObject({ ok: true, firstBrokenSeq: null, problem: null });
    expect(result.checkedRows).toBeGreaterThanOrEqual(n);
  });

  it('names exactly the row a superuser edited with the trigger disabled', async () => {
    await createSome(3);
    const rows = await db.asOwner<{ seq: string; reason: string | null }>(
      `SELECT seq::text AS seq, reason FROM audit_events WHERE action = 'installation.created' ORDER BY audit_events.seq LIMIT 3`,
    );
    const victim = rows[1];
    await tamper(`UPDATE audit_events SET reason = 'nothing to see here' WHERE seq = ${Number(victim.seq)}`);
    const broken = await verify();
    expect(broken).toMatchObject({ ok: false, firstBrokenSeq: victim.seq, problem: 'hash_mismatch' });
    // Put it back, so the tail-deletion test starts from a clean chain.
    expect(victim.reason).toBeNull();
    await tamper(`UPDATE audit_events SET reason = NULL WHERE seq = ${Number(victim.seq)}`);
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('refuses a checkpoint forged without the key', async () => {
    await createSome(1);
    expect(await t.app.get(AuditCheckpointService).writeCheckpoints()).not.toHaveLength(0);
    await createSome(1);
    const [{ head }] = await db.asOwner<{ head: string }>('SELECT max(seq)::text AS head FROM audit_events');
    const [{ kid }] = await db.asOwner<{ kid: string }>('SELECT key_id AS kid FROM audit_checkpoints LIMIT 1');
    await t.app.get(AccessEventBuffer).flush();
    await db.asOwner(
      `INSERT INTO audit_checkpoints (chain, seq, hash, created_at, key_id, signature)
       SELECT chain, seq, hash, now(), $1, 'Zm9yZ2Vk' FROM audit_events WHERE seq = $2`,
      [kid, head],
    );
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: head, problem: 'checkpoint_signature_invalid' });
    await db.asOwner(
      `BEGIN; ALTER TABLE audit_checkpoints DISABLE TRIGGER USER; DELETE FROM audit_checkpoints WHERE signature = 'Zm9yZ2Vk';
       ALTER TABLE audit_checkpoints ENABLE TRIGGER USER; COMMIT;`,
    );
    expect(await verify()).toMatchObject({ ok: true });
  });

  it('detects a deleted tail against the last signed checkpoint', async () => {
    await createSome(3);
    // One checkpoint per chain whose head moved; the newest names the last row of the trail.
    const signed = await t.app.get(AuditCheckpointService).writeCheckpoints();
    expect(signed).not.toHaveLength(0);
    const checkpoint = signed.reduce((a, b) => (BigInt(a.seq) > BigInt(b.seq) ? a : b));
    const exported = await t.http().get('/v1/audit/checkpoints').set('Authorization', `Bearer ${auditor}`);
    expect(exported.status).toBe(200);
    expect(exported.body.items[0]).toMatchObject({
      chain: checkpoint.chain,
      seq: checkpoint.seq,
      hash: checkpoint.hash,
      signature: checkpoint.signature,
    });
    expect(exported.body.publicKey).toContain('BEGIN PUBLIC KEY');
    const [{ cut }] = await db.asOwner<{ cut: string }>(
      `SELECT min(seq)::text AS cut FROM (SELECT seq FROM audit_events ORDER BY seq DESC LIMIT 4) tail`,
    );
    // The chain alone still links up after a clean cut of the tail: only the checkpoint can tell.
    await tamper(`DELETE FROM audit_events WHERE seq >= ${Number(cut)}`);
    const result = await verify();
    expect(result).toMatchObject({ ok: false, firstBrokenSeq: cut, problem: 'rows_missing_after_checkpoint' });
    expect(result.lastCheckpoint?.seq).toBe(checkpoint.seq);
    // Appending after the cut does not hide it.
    await createSome(2);
    expect(await verify()).toMatchObject({ ok: false, firstBrokenSeq: cut, problem: 'rows_missing_after_checkpoint' });
  });

  describe('when the audit row cannot be written (A2, fail closed)', () => {
    let id: string;
    let version: number;
    beforeAll(async () => {
      [id] = await createSome(1);
      const put = await t
        .http()
        .put(`/v1/installations/${id}/credentials`)
        .set('Authorization', `Bearer ${engineer}`)
        .send({ credentials: { clientSecret: 'pw-failclosed-canary-7731' } });
      expect(put.status).toBe(202);
      version = (await t.http().get(`/v1/installations/${id}`).set('Authorization', `Bearer ${engineer}`)).body.version;
      await db.asOwner('REVOKE INSERT ON audit_events FROM installation_records_app');
    });
    afterAll(async () => {
      await db.asOwner('GRANT INSERT ON audit_events TO installation_records_app');
    });

    it('a PATCH fails with the 500 envelope and the installation is unchanged', async () => {
      const res = await t
        .http()
        .patch(`/v1/installations/${id}`)
        .set('Authorization', `Bearer ${engineer}`)
        .set('If-Match', `"${version}"`)
        .send({ propertyName: 'Renamed while the trail is down' });
      expect(res.status).toBe(500);
      expect(res.body).toMatchObject({ statusCode: 500, error: 'internal_error' });
      expect(res.body.errorId).toEqual(expect.any(String));
      const [row] = await db.asOwner<{ property_name: string; version: number }>(
        'SELECT property_name, version FROM installations WHERE id = $1',
        [id],
      );
      expect(row).toEqual({ property_name: 'Garage 12 — 5th & Main', version });
    });

    it('a reveal fails and returns no plaintext', async () => {
      const res = await t
        .http()
        .post(`/v1/installations/${id}/credentials/reveal`)
        .set('Authorization', `Bearer ${tokenFor(['admin'])}`)
        .send({ reason: 'INC-1: audit insert revoked', version: 1 });
      expect(res.status).toBe(500);
      expect(JSON.stringify(res.body)).not.toContain('pw-failclosed-canary-7731');
    });

    it('a credential submission fails and stores nothing', async () => {
      const res = await t
        .http()
        .put(`/v1/installations/${id}/credentials`)
        .set('Authorization', `Bearer ${engineer}`)
        .send({ credentials: { clientSecret: 'pw-failclosed-second-0002' } });
      expect(res.status).toBe(500);
      const [{ n }] = await db.asOwner<{ n: number }>('SELECT count(*)::int AS n FROM credential_versions WHERE installation_id = $1', [
        id,
      ]);
      expect(n).toBe(1);
    });
  });
});
