import { Module } from '@nestjs/common';
import { CryptoModule } from '@agentq/crypto';
import { ToolSigningSecrets } from './tool-signing-secrets';

@Module({
  imports: [CryptoModule],
  providers: [ToolSigningSecrets],
  exports: [ToolSigningSecrets, CryptoModule],
})
export class ToolsModule {}
