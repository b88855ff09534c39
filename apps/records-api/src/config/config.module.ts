import { Global, Module } from '@nestjs/common';
import { EnvironmentVariables, loadEnvironment } from '@app/common';

/** The validated environment, injectable as EnvironmentVariables. Boot fails on bad config. */
@Global()
@Module({
  providers: [{ provide: EnvironmentVariables, useFactory: () => loadEnvironment() }],
  exports: [EnvironmentVariables],
})
export class AppConfigModule {}
