import { Module } from '@nestjs/common';
import { SessionEventStream } from './session-event-stream.service';
import { SessionsController } from './sessions.controller';
import { SessionsService } from './sessions.service';

@Module({
  controllers: [SessionsController],
  providers: [SessionsService, SessionEventStream],
})
export class SessionsModule {}
