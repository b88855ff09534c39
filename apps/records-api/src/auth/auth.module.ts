import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { PassportModule } from '@nestjs/passport';
import { JwtAuthGuard, RoleGuard } from './access.guard';
import { JwtStrategy } from './jwt.strategy';

/** Both guards global: authentication first, then the route's role. */
@Module({
  imports: [PassportModule],
  providers: [JwtStrategy, { provide: APP_GUARD, useClass: JwtAuthGuard }, { provide: APP_GUARD, useClass: RoleGuard }],
})
export class AuthModule {}
