import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import { EnvironmentVariables } from '@app/common';
import { WorkerBrokerModule } from './broker/worker-broker.module';
import { WorkerConfigModule } from './config/worker-config.module';
import { WorkerDatabaseModule } from './database/worker-database.module';
import { SchedulingModule } from './scheduling/scheduling.module';
import { VerificationModule } from './verification/verification.module';

/** JSON logs like the API's; partner calls and messages are logged by id, never with secrets or bodies. */
const WorkerLoggerModule = LoggerModule.forRootAsync({
  inject: [EnvironmentVariables],
  useFactory: (env: EnvironmentVariables) => ({ pinoHttp: { level: env.LOG_LEVEL, customProps: () => ({ service: 'verifier-worker' }) } }),
});

@Module({
  imports: [WorkerConfigModule, WorkerLoggerModule, WorkerDatabaseModule, WorkerBrokerModule, VerificationModule, SchedulingModule],
})
export class WorkerModule {}
