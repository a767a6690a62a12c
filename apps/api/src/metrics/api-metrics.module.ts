import { MiddlewareConsumer, Module, NestModule } from '@nestjs/common';
import { MetricsModule } from '@agentq/metrics';
import { HttpMetrics, HttpMetricsMiddleware } from './http-metrics.middleware';
import { MetricsController } from './metrics.controller';

/** GET /metrics: process, queue depth and HTTP series of this API process. */
@Module({
  imports: [MetricsModule.forRoot('api')],
  controllers: [MetricsController],
  providers: [HttpMetrics],
})
export class ApiMetricsModule implements NestModule {
  configure(consumer: MiddlewareConsumer) {
    consumer.apply(HttpMetricsMiddleware).forRoutes('{*splat}');
  }
}
