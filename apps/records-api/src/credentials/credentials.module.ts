import { Module } from '@nestjs/common';
import { CredentialsController } from './credentials.controller';
import { CredentialsService } from './credentials.service';
import { CredentialWriter } from './credential-writer';

@Module({ controllers: [CredentialsController], providers: [CredentialsService, CredentialWriter], exports: [CredentialWriter] })
export class CredentialsModule {}
