import { Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { CredentialCipher } from './credential-cipher';

/** Provides CredentialCipher built from AppConfig.masterKeys (needs ConfigModule.forRoot). */
@Module({
  providers: [
    {
      provide: CredentialCipher,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new CredentialCipher(config.masterKeys),
    },
  ],
  exports: [CredentialCipher],
})
export class CryptoModule {}
