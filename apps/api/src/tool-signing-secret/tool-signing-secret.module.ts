import { Module } from '@nestjs/common';
import { ToolsModule } from '@agentq/tools';
import { ToolSigningSecretController } from './tool-signing-secret.controller';

@Module({
  imports: [ToolsModule],
  controllers: [ToolSigningSecretController],
})
export class ToolSigningSecretModule {}
