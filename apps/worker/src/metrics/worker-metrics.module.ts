import { Global, Module } from '@nestjs/common';
import { MetricsModule } from '@agentq/metrics';
import { ExecutionMetrics } from './execution-metrics.service';
import { MetricsServer } from './metrics-server.service';

/** The worker's series and their /metrics server; global so the pipeline can report to it. */
@Global()
@Module({
  imports: [MetricsModule.forRoot('worker')],
  providers: [ExecutionMetrics, MetricsServer],
  exports: [ExecutionMetrics],
})
export class WorkerMetricsModule {}
