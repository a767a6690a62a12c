import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { CredentialCipher } from './credential-cipher';
import { ToolHeaderCipher, ToolSigningSecretCipher } from './tool-ciphers';
import { WebhookSecretCipher } from './webhook-secret-cipher';

/** Provides the ciphers built from AppConfig.masterKeys (needs ConfigModule.forRoot). */
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
    {
      provide: ToolHeaderCipher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new ToolHeaderCipher(config.masterKeys),
    },
    {
      provide: ToolSigningSecretCipher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new ToolSigningSecretCipher(config.masterKeys),
    },
  ],
  exports: [CredentialCipher, WebhookSecretCipher, ToolHeaderCipher, ToolSigningSecretCipher],
})
export class CryptoModule {}
