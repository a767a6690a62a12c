import { Module } from '@nestjs/common';
import { MetricsModule } from '@agentq/metrics';
import { HttpMetrics } from './http-metrics';
import { MetricsController } from './metrics.controller';

/** GET /metrics: process, queue depth and HTTP series (recordHttpMetrics, a hook createApiApp adds). */
@Module({
  imports: [MetricsModule.forRoot('api')],
  controllers: [MetricsController],
  providers: [HttpMetrics],
})
export class ApiMetricsModule {}
