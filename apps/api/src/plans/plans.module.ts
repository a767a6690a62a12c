import { Module } from '@nestjs/common';
import { ExecutionsModule } from '../executions/executions.module';
import { PlansController } from './plans.controller';
import { PlansService } from './plans.service';

@Module({
  imports: [ExecutionsModule],
  controllers: [PlansController],
  providers: [PlansService],
})
export class PlansModule {}
