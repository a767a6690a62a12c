import { Global, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { AccessGuard } from './access.guard';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import { ApiKeyCache } from './api-key-cache';
import { ApiKeyRevocations } from './api-key-revocations.service';
import { ApiKeyUsage } from './api-key-usage.service';
import { ConsoleSessions } from './console-sessions.service';
import { FailedAuthLimiter } from './failed-auth-limiter.service';

@Global()
@Module({
  providers: [
    {
      provide: ApiKeyCache,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new ApiKeyCache({ ttlMs: config.auth.cacheTtlMs }),
    },
    ApiKeyAuthenticator,
    ApiKeyRevocations,
    ApiKeyUsage,
    ConsoleSessions,
    FailedAuthLimiter,
    { provide: APP_GUARD, useClass: AccessGuard },
  ],
  exports: [
    FailedAuthLimiter,
    ApiKeyRevocations,
    ApiKeyUsage,
    ApiKeyAuthenticator,
    ConsoleSessions,
  ],
})
export class AuthModule {}
