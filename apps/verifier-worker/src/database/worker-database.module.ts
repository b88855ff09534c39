import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, CredentialCipher, EnvironmentVariables, UnitOfWork } from '@app/common';
import { VerifierSettings } from '../config/verifier-settings';

/** The worker's pool (application role), sized for its concurrency, the write path and the cipher. */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [EnvironmentVariables, VerifierSettings],
      useFactory: (env: EnvironmentVariables, settings: VerifierSettings) => ({
        ...buildDataSourceOptions(env.DATABASE_URL, {
          applicationName: 'verifier-worker',
          poolSize: Math.min(50, settings.VERIFIER_CONCURRENCY + 4),
        }),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: [
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
  ],
  exports: [UnitOfWork, CredentialCipher],
})
export class WorkerDatabaseModule {}
