import { Registry } from 'prom-client';
import { registerTenantWaitingMetric, topTenants } from './tenant-waiting.metric';

const backlogs = (count: number) =>
  new Map(Array.from({ length: count }, (_, i) => [`tenant-${i}`, (i + 1) * 10]));

describe('per-tenant waiting gauge', () => {
  it('names the top N backlogs and sums the rest as "other"', () => {
    const top = topTenants(backlogs(15), 10);
    expect(top.size).toBe(11);
    expect(top.get('tenant-14')).toBe(150);
    expect(top.has('tenant-4')).toBe(false);
    expect(top.get('other')).toBe(10 + 20 + 30 + 40 + 50);
  });

  it('has no "other" series when every tenant fits', () => {
    expect([...topTenants(backlogs(3), 10).keys()]).toEqual(['tenant-2', 'tenant-1', 'tenant-0']);
  });

  it('exports at most N + 1 series per queue, however many tenants queue', async () => {
    const registry = new Registry();
    const source = { name: 'agent-executions', tenantBacklogs: async () => backlogs(1_000) };
    registerTenantWaitingMetric(registry, [source], 3);
    const metric = await registry.getSingleMetric('agentq_queue_tenant_waiting')!.get();
    expect(metric.values.map((v) => v.labels.tenant)).toEqual([
      'tenant-999',
      'tenant-998',
      'tenant-997',
      'other',
    ]);
    expect(metric.values.reduce((sum, v) => sum + v.value, 0)).toBe((1_000 * 1_001 * 10) / 2);
  });
});
