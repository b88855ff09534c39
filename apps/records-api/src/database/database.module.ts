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

/**
 * The API's connection (as the least-privilege application role), the one write path and the
 * credential cipher.
 */
@Global()
@Module({
  imports: [
    TypeOrmModule.forRootAsync({
      inject: [EnvironmentVariables],
      useFactory: (env: EnvironmentVariables) => ({
        ...buildDataSourceOptions(env.DATABASE_URL, { applicationName: 'records-api' }),
        retryAttempts: 3,
        retryDelay: 1000,
      }),
    }),
  ],
  providers: WRITE_PATH_PROVIDERS,
  exports: [UnitOfWork, CredentialCipher, OutboxCommits],
})
export class DatabaseModule {}
