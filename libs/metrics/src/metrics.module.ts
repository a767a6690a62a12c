import { getQueueToken } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { QUEUES } from '@agentq/jobs';
import { registerQueues } from '@agentq/redis';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { createMetricsRegistry, METRICS_REGISTRY } from './metrics-registry';
import { registerQueueDepthMetric } from './queue-depth.metric';

/**
 * The application's Prometheus registry, with process metrics and the queue depth gauge.
 * Global, so that services anywhere can add their own series to it.
 */
@Global()
@Module({})
export class MetricsModule {
  static forRoot(app: 'api' | 'worker'): DynamicModule {
    return {
      module: MetricsModule,
      imports: [registerQueues(QUEUES.executions)],
      providers: [
        {
          provide: METRICS_REGISTRY,
          inject: [getQueueToken(QUEUES.executions)],
          useFactory: (executions: Queue): Registry => {
            const registry = createMetricsRegistry(app);
            registerQueueDepthMetric(registry, [executions]);
            return registry;
          },
        },
      ],
      exports: [METRICS_REGISTRY],
    };
  }
}
