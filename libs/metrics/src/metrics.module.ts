import { getQueueToken } from '@nestjs/bullmq';
import { DynamicModule, Global, Module } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { QUEUES, tenantBacklogs } from '@agentq/jobs';
import { registerQueues } from '@agentq/redis';
import { Queue } from 'bullmq';
import { Registry } from 'prom-client';
import { createMetricsRegistry, METRICS_REGISTRY } from './metrics-registry';
import { registerQueueDepthMetric } from './queue-depth.metric';
import { registerTenantWaitingMetric } from './tenant-waiting.metric';

/**
 * The application's Prometheus registry, with process metrics and the queue depth gauge (and
 * on workers, the per-tenant waiting gauge).
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
          inject: [getQueueToken(QUEUES.executions), APP_CONFIG],
          useFactory: (executions: Queue, config: AppConfig): Registry => {
            const registry = createMetricsRegistry(app);
            registerQueueDepthMetric(registry, [executions]);
            if (app === 'worker') {
              const source = {
                name: executions.name,
                tenantBacklogs: () => tenantBacklogs(executions),
              };
              registerTenantWaitingMetric(registry, [source], config.worker.metricsTopTenants);
            }
            return registry;
          },
        },
      ],
      exports: [METRICS_REGISTRY],
    };
  }
}
