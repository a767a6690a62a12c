import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access.guard';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';

@Module({
  providers: [ApiKeyAuthenticator, { provide: APP_GUARD, useClass: AccessGuard }],
})
export class AuthModule {}
