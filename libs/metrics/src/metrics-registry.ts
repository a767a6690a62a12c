import { collectDefaultMetrics, Registry } from 'prom-client';

/** Injection token of the process's Prometheus registry. */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/**
 * A registry of its own per application (not prom-client's global one), so that several apps
 * in one process (the e2e suites) do not collide. Carries the Node.js process metrics and an
 * `app` label (api or worker).
 */
export function createMetricsRegistry(app: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
  return registry;
}
