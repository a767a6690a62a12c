import { Gauge, Registry } from 'prom-client';

/** The label of the tenants beyond the top N, summed. */
export const OTHER_TENANTS = 'other';

/**
 * The `topN` largest backlogs by tenant, and the rest summed as "other" (present only when
 * there is a rest): at most topN + 1 series, however many tenants queue.
 */
export function topTenants(
  backlogs: ReadonlyMap<string, number>,
  topN: number,
): Map<string, number> {
  const sorted = [...backlogs].sort(([a, x], [b, y]) => y - x || a.localeCompare(b));
  const top = new Map(sorted.slice(0, topN));
  const rest = sorted.slice(topN);
  if (rest.length > 0)
    top.set(
      OTHER_TENANTS,
      rest.reduce((sum, [, count]) => sum + count, 0),
    );
  return top;
}

export interface TenantBacklogSource {
  readonly name: string;
  /** Per tenant, its jobs waiting in line (see @agentq/jobs tenantBacklogs). */
  tenantBacklogs(): Promise<ReadonlyMap<string, number>>;
}

/**
 * `agentq_queue_tenant_waiting{queue,tenant}`: the fair queue's own count of each tenant's jobs
 * waiting in line, read from Redis at scrape time (one EVAL, O(tenants with a backlog)). Only on
 * the workers' METRICS_PORT: the API's /metrics carries no tenant data.
 */
export function registerTenantWaitingMetric(
  registry: Registry,
  queues: TenantBacklogSource[],
  topN: number,
): Gauge {
  return new Gauge({
    name: 'agentq_queue_tenant_waiting',
    help: `Jobs waiting in line per tenant: the ${topN} largest backlogs by tenant id, the rest as "${OTHER_TENANTS}"`,
    labelNames: ['queue', 'tenant'],
    registers: [registry],
    async collect() {
      this.reset();
      for (const queue of queues) {
        try {
          for (const [tenant, count] of topTenants(await queue.tenantBacklogs(), topN))
            this.set({ queue: queue.name, tenant }, count);
        } catch {
          // Redis unavailable: leave the series out rather than report a false zero.
        }
      }
    },
  });
}
