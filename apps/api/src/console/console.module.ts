import { Module } from '@nestjs/common';
import { ConsoleSessionsController } from './console-sessions.controller';
import { ConsoleSignIn } from './console-sign-in.service';

@Module({
  controllers: [ConsoleSessionsController],
  providers: [ConsoleSignIn],
})
export class ConsoleModule {}
