import { Module } from '@nestjs/common';
import { AgentMessagesController } from './agent-messages.controller';
import { AgentMessagesService } from './agent-messages.service';

@Module({
  controllers: [AgentMessagesController],
  providers: [AgentMessagesService],
})
export class AgentMessagesModule {}
