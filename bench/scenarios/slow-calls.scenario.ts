import { BenchEnvironment } from '../bench-environment';
import { ratio, ScenarioDefinition } from '../scenario';
import { CPU_METRICS } from './drain.scenario';
import { drainAgentq } from './drain-runs';

const TARGET_EFFICIENCY = { atLeast: 0.85, text: '>= 0.85 at C = 8,000 (#33)' };
const TARGET_KIB_PER_IN_FLIGHT = { atMost: 32, text: '<= 32 KiB (#33)' };

/**
 * Slow model calls at high concurrency (issue #33): one worker process holding thousands of
 * executions in flight, each a provider call of `BENCH_SLOW_LATENCY_MS` (2 s), through the
 * in-process echo provider and through the fake provider over real HTTP keep-alive. Each run
 * drains `BENCH_SLOW_WAVES` × C executions; the ideal rate is C / latency.
 */
export function slowCallsScenario(environment: BenchEnvironment): ScenarioDefinition {
  const { slowConcurrencies, slowLatencyMs, slowWaves, slowProviders } = environment.config;
  const ideal = (concurrency: number) => (concurrency * 1_000) / slowLatencyMs;
  const variants = slowProviders.flatMap((provider) =>
    slowConcurrencies.map((concurrency) => ({
      name: `${provider}-c${concurrency}`,
      label: `${provider === 'http' ? 'fake provider over HTTP' : 'echo'}, C=${concurrency} (ideal ${ideal(concurrency)}/s)`,
      async measure(run: number) {
        const n = concurrency * slowWaves;
        const result = await drainAgentq(environment, {
          label: `slow-${provider}-c${concurrency}-${run}`,
          n,
          workers: 1,
          concurrency,
          echoLatencyMs: slowLatencyMs,
          httpProvider: provider === 'http',
        });
        const cpuMsPerJob = ['worker', 'postgres', 'redis', 'provider']
          .map((name) => result.values[`${name}CpuMsPerJob`] ?? 0)
          .reduce((sum, value) => sum + value, 0);
        return {
          ...result,
          values: {
            ...result.values,
            efficiency: result.values.jobsPerSecond / ideal(concurrency),
            cpuMsPerJob,
          },
          details: { ...result.details, n },
        };
      },
    })),
  );
  const highest = Math.max(...slowConcurrencies);
  return {
    id: 'slow',
    title: `Slow model calls: ${slowLatencyMs} ms each, 1 worker process, ${slowWaves} × C executions per run`,
    metrics: [
      { key: 'jobsPerSecond', label: 'jobs/s' },
      { key: 'efficiency', label: 'of ideal', digits: 2 },
      { key: 'cpuMsPerJob', label: 'CPU ms/exec, all', digits: 3 },
      ...CPU_METRICS.filter((metric) => metric.key !== 'postgresBackendsCpuMsPerJob'),
      { key: 'providerCpuMsPerJob', label: 'provider CPU ms/job', digits: 3 },
      { key: 'workerKiBPerInFlight', label: 'worker KiB/in flight', digits: 1 },
      { key: 'eventLoopP99Ms', label: 'event loop p99 ms', digits: 1 },
    ],
    variants,
    ratios: (median) =>
      slowProviders.flatMap((provider) => [
        ratio(
          `${provider}: achieved / ideal at C=${highest}`,
          median(`${provider}-c${highest}`, 'efficiency'),
          highest >= 8_000 ? TARGET_EFFICIENCY : undefined,
        ),
        ...slowConcurrencies.map((concurrency) =>
          ratio(
            `${provider}: worker KiB per execution in flight at C=${concurrency}`,
            median(`${provider}-c${concurrency}`, 'workerKiBPerInFlight'),
            TARGET_KIB_PER_IN_FLIGHT,
          ),
        ),
      ]),
  };
}
