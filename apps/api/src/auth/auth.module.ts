import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AccessGuard } from './access.guard';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import { FailedAuthLimiter } from './failed-auth-limiter.service';

@Global()
@Module({
  providers: [
    ApiKeyAuthenticator,
    FailedAuthLimiter,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [FailedAuthLimiter],
})
export class AuthModule {}
