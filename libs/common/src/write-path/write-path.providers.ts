import type { Provider } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { EnvironmentVariables } from '../config/app-config';
import { CredentialCipher } from '../crypto/credential-cipher';
import { UnitOfWork } from './unit-of-work';

/**
 * The one write path and the credential cipher, wired the same way in both apps (each app's
 * database module provides its own DataSource and EnvironmentVariables).
 */
export const WRITE_PATH_PROVIDERS: Provider[] = [
  {
    provide: UnitOfWork,
    inject: [DataSource, EnvironmentVariables],
    useFactory: (dataSource: DataSource, env: EnvironmentVariables) => new UnitOfWork(dataSource, env.AUDIT_CHAIN_COUNT),
  },
  {
    provide: CredentialCipher,
    inject: [EnvironmentVariables],
    useFactory: (env: EnvironmentVariables) => CredentialCipher.fromConfig(env.CREDENTIALS_KEYS, env.CREDENTIALS_ACTIVE_KEY_ID),
  },
];
