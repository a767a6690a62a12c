import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { CredentialCipher } from './credential-cipher';
import { WebhookSecretCipher } from './webhook-secret-cipher';

/** Provides CredentialCipher and WebhookSecretCipher built from AppConfig.masterKeys (needs ConfigModule.forRoot). */
@Module({
  providers: [
    {
      provide: CredentialCipher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new CredentialCipher(config.masterKeys),
    },
    {
      provide: WebhookSecretCipher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new WebhookSecretCipher(config.masterKeys),
    },
  ],
  exports: [CredentialCipher, WebhookSecretCipher],
})
export class CryptoModule {}
