import { Module } from '@nestjs/common';
import { AuditModule } from './audit/audit.module';
import { AuthModule } from './auth/auth.module';
import { AppConfigModule } from './config/config.module';
import { DatabaseModule } from './database/database.module';
import { HealthModule } from './health/health.module';
import { InstallationsModule } from './installations/installations.module';
import { CredentialsModule } from './credentials/credentials.module';
import { VendorsModule } from './vendors/vendors.module';
import { OutboxModule } from './outbox/outbox.module';
import { StatusModule } from './status/status.module';
import { VerificationsModule } from './verifications/verifications.module';

@Module({
  imports: [
    AppConfigModule,
    DatabaseModule,
    AuthModule,
    AuditModule,
    HealthModule,
    VendorsModule,
    InstallationsModule,
    CredentialsModule,
    OutboxModule,
    StatusModule,
    VerificationsModule,
  ],
})
export class AppModule {}
