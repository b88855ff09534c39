import { Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { buildDataSourceOptions, CredentialCipher, EnvironmentVariables, UnitOfWork } from '@app/common';

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
export class DatabaseModule {}
