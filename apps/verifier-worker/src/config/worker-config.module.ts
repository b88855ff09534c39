import { Global, Module } from '@nestjs/common';
import { EnvironmentVariables, loadEnvironment, loadMessagingSettings, MessagingSettings } from '@app/common';
import { loadVerifierSettings, VerifierSettings } from './verifier-settings';

/** Validated configuration; boot fails on bad values. */
@Global()
@Module({
  providers: [
    { provide: EnvironmentVariables, useFactory: () => loadEnvironment() },
    { provide: MessagingSettings, useFactory: () => loadMessagingSettings() },
    { provide: VerifierSettings, useFactory: () => loadVerifierSettings() },
  ],
  exports: [EnvironmentVariables, MessagingSettings, VerifierSettings],
})
export class WorkerConfigModule {}
