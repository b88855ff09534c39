import { Module } from '@nestjs/common';
import { CredentialWriter } from '../credentials/credential-writer';
import { InstallationsController } from './installations.controller';
import { InstallationsService } from './installations.service';

@Module({
  controllers: [InstallationsController],
  providers: [InstallationsService, CredentialWriter],
  exports: [InstallationsService],
})
export class InstallationsModule {}
