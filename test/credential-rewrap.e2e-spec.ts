import { randomBytes } from 'node:crypto';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, credentialAad, CredentialCipher, DEV_CREDENTIALS_KEYS, rewrapCredentials } from '../libs/common/src';
import { createPrivateDatabase, useDatabase, type PrivateDatabase } from './support/private-database';
import { parkwhizInstallation, startTestApp, tokenFor, type TestApp } from './support/test-app';

/**
 * RELIABILITY S3: after a key rotation new writes use the new key id and the rewrap moves 100 % of
 * rows. On a database of its own: the rewrap moves every row it finds onto a key the other specs'
 * apps do not hold, and a reveal running concurrently in the shared database answered 500.
 */
describe('credential key rotation', () => {
  const newKey = `k2:${randomBytes(32).toString('base64')}`;
  const rotatedKeys = `${DEV_CREDENTIALS_KEYS},${newKey}`;
  let db: PrivateDatabase;
  let restore: () => void;
  let dataSource: DataSource;

  beforeAll(async () => {
    db = await createPrivateDatabase();
    restore = useDatabase(db);
    dataSource = await new DataSource(buildDataSourceOptions(db.appUrl, { poolSize: 2 })).initialize();
  });
  afterAll(async () => {
    await dataSource?.destroy();
    restore?.();
    await db?.drop();
  });

  async function submitWith(env: Record<string, string>): Promise<string> {
    const saved = { ...process.env };
    Object.assign(process.env, env);
    let t: TestApp | undefined;
    try {
      t = await startTestApp();
      const res = await t
        .http()
        .post('/v1/installations')
        .set('Authorization', `Bearer ${tokenFor(['engineer'])}`)
        .send(parkwhizInstallation({ credentials: { clientSecret: `rotation-secret-${randomBytes(4).toString('hex')}` } }));
      expect(res.status).toBe(201);
      return res.body.id as string;
    } finally {
      await t?.close();
      process.env = saved;
    }
  }

  it('writes with the active key id, and rewrap moves every older row onto the new key', async () => {
    const before = await submitWith({ CREDENTIALS_KEYS: DEV_CREDENTIALS_KEYS, CREDENTIALS_ACTIVE_KEY_ID: 'dev1' });
    const after = await submitWith({ CREDENTIALS_KEYS: rotatedKeys, CREDENTIALS_ACTIVE_KEY_ID: 'k2' });
    const keyOf = async (id: string) =>
      (await dataSource.query('SELECT key_id FROM credential_versions WHERE installation_id = $1', [id]))[0].key_id;
    expect(await keyOf(before)).toBe('dev1');
    expect(await keyOf(after)).toBe('k2');

    const cipher = CredentialCipher.fromConfig(rotatedKeys, 'k2');
    const report = await rewrapCredentials(dataSource, cipher, 2);
    expect(report.remainingOnOtherKeys).toBe(0);
    expect(report.rewrapped).toBeGreaterThanOrEqual(1);
    const rows: Array<{ installation_id: string; version: number; key_id: string; secret_ciphertext: Buffer }> = await dataSource.query(
      'SELECT installation_id, version, key_id, secret_ciphertext FROM credential_versions',
    );
    expect(rows.every((r) => r.key_id === 'k2')).toBe(true);
    // The new key alone opens every row: the old key can be retired.
    const k2Only = CredentialCipher.fromConfig(newKey, 'k2');
    for (const row of rows) {
      expect(() =>
        k2Only.decrypt({ keyId: row.key_id, ciphertext: row.secret_ciphertext }, credentialAad(row.installation_id, row.version)),
      ).not.toThrow();
    }
    const audit = await dataSource.query("SELECT metadata FROM audit_events WHERE action = 'credential.rewrapped'");
    expect(audit.length).toBeGreaterThanOrEqual(1);
  });
});
