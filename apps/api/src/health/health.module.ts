import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { KnowledgeModule } from '../knowledge/knowledge.module';
import { HealthController } from './health.controller';
import { RedisHealthIndicator } from './redis-health.indicator';

@Module({
  imports: [TerminusModule.forRoot({ logger: false }), KnowledgeModule],
  controllers: [HealthController],
  providers: [RedisHealthIndicator],
})
export class HealthModule {}
