import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import {
  buildDataSourceOptions,
  CredentialCipher,
  EnvironmentVariables,
  OutboxCommits,
  UnitOfWork,
  WRITE_PATH_PROVIDERS,
} from '@app/common';
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
  providers: WRITE_PATH_PROVIDERS,
  exports: [UnitOfWork, CredentialCipher, OutboxCommits],
})
export class WorkerDatabaseModule {}
