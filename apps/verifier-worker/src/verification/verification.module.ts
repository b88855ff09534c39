import { Injectable, Module, type OnApplicationShutdown } from '@nestjs/common';
import { EnvironmentVariables } from '@app/common';
import { VerifierSettings } from '../config/verifier-settings';
import { createPartnerAdapters } from '../partners/partner-adapters';
import { SafeHttpClient } from '../partners/safe-http-client';
import { PartnerCheck } from './partner-check';
import { VerificationConsumer } from './verification.consumer';
import { VerificationInputsReader } from './verification-inputs';
import { VerificationRecorder } from './verification-recorder';
import { VerificationService } from './verification.service';

/** Closes the partner connection pool after the consumer drained. */
@Injectable()
class PartnerHttpLifecycle implements OnApplicationShutdown {
  constructor(private readonly http: SafeHttpClient) {}

  async onApplicationShutdown(): Promise<void> {
    await this.http.close();
  }
}

@Module({
  providers: [
    {
      provide: SafeHttpClient,
      inject: [EnvironmentVariables],
      useFactory: (env: EnvironmentVariables) =>
        new SafeHttpClient({
          extraAllowedHosts: env.PARTNER_HOST_ALLOWLIST.split(',')
            .map((h) => h.trim())
            .filter(Boolean),
        }),
    },
    {
      provide: PartnerCheck,
      inject: [SafeHttpClient, VerifierSettings],
      useFactory: (http: SafeHttpClient, settings: VerifierSettings) =>
        new PartnerCheck(createPartnerAdapters(http), settings.VERIFIER_PARTNER_TIMEOUT_MS),
    },
    PartnerHttpLifecycle,
    VerificationRecorder,
    VerificationInputsReader,
    VerificationService,
    VerificationConsumer,
  ],
  exports: [VerificationConsumer],
})
export class VerificationModule {}
