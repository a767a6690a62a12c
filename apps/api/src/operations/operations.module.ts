import { Module } from '@nestjs/common';
import { WorkersModule } from '../workers/workers.module';
import { OperationsController } from './operations.controller';
import { OperationsService } from './operations.service';

@Module({
  imports: [WorkersModule],
  controllers: [OperationsController],
  providers: [OperationsService],
})
export class OperationsModule {}
