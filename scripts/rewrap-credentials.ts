import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, CredentialCipher, loadEnvironment, rewrapCredentials } from '@app/common';

/**
 * `npm run credentials:rewrap`: after adding a key to CREDENTIALS_KEYS and making it
 * CREDENTIALS_ACTIVE_KEY_ID, re-encrypts every stored credential under it. Old keys can be removed
 * from CREDENTIALS_KEYS once this reports remainingOnOtherKeys: 0.
 */
async function main(): Promise<void> {
  const env = loadEnvironment();
  const dataSource = await new DataSource(
    buildDataSourceOptions(env.DATABASE_URL, { poolSize: 2, applicationName: 'credentials-rewrap' }),
  ).initialize();
  try {
    const cipher = CredentialCipher.fromConfig(env.CREDENTIALS_KEYS, env.CREDENTIALS_ACTIVE_KEY_ID);
    const report = await rewrapCredentials(dataSource, cipher, 500, env.AUDIT_CHAIN_COUNT);
    process.stdout.write(JSON.stringify({ msg: 'credentials rewrapped', ...report }) + '\n');
    if (report.remainingOnOtherKeys > 0) process.exitCode = 2;
  } finally {
    await dataSource.destroy();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
