import { Module } from '@nestjs/common';
import { CryptoModule } from '@agentq/crypto';
import { ProvidersModule } from '../providers/providers.module';
import { AgentsController } from './agents.controller';
import { AgentToolsService } from './agent-tools.service';
import { AgentsService } from './agents.service';

@Module({
  imports: [ProvidersModule, CryptoModule],
  controllers: [AgentsController],
  providers: [AgentsService, AgentToolsService],
  exports: [AgentsService, AgentToolsService],
})
export class AgentsModule {}
