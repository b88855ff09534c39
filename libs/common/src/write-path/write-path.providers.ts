import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EnvironmentVariables } from '../config/app-config';
import { CredentialCipher } from '../crypto/credential-cipher';
import { OutboxCommits } from '../outbox/outbox-commits';
import { UnitOfWork } from './unit-of-work';

/**
 * The one write path (with its hand-off to the outbox relay) and the credential cipher, wired the same way in both apps (each app's
 * database module provides its own DataSource and EnvironmentVariables).
 */
export const WRITE_PATH_PROVIDERS: Provider[] = [
  // A factory, not a shared value: both apps may run in one process (the e2e tests), each with its own relay.
  { provide: OutboxCommits, useFactory: () => new OutboxCommits() },
  {
    provide: UnitOfWork,
    inject: [DataSource, EnvironmentVariables, OutboxCommits],
    useFactory: (dataSource: DataSource, env: EnvironmentVariables, commits: OutboxCommits) =>
      new UnitOfWork(dataSource, env.AUDIT_CHAIN_COUNT, commits),
  },
  {
    provide: CredentialCipher,
    inject: [EnvironmentVariables],
    useFactory: (env: EnvironmentVariables) => CredentialCipher.fromConfig(env.CREDENTIALS_KEYS, env.CREDENTIALS_ACTIVE_KEY_ID),
  },
];
