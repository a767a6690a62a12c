import { BenchEnvironment } from '../bench-environment';
import { ratio, ScenarioDefinition } from '../scenario';
import { drainAgentq } from './drain-runs';

/** I/O-bound: a 200 ms provider; throughput should follow WORKER_CONCURRENCY, not CPU. */
export function ioBoundScenario(environment: BenchEnvironment): ScenarioDefinition {
  const { ioConcurrencies, ioLatencyMs, ioSeconds } = environment.config;
  const idealRate = (concurrency: number) => (concurrency * 1_000) / ioLatencyMs;
  const [lowest] = ioConcurrencies;
  return {
    id: 'io',
    title: `I/O-bound: echo ${ioLatencyMs} ms, 1 worker process, ~${ioSeconds} s of work per run`,
    metrics: [
      { key: 'jobsPerSecond', label: 'jobs/s' },
      { key: 'efficiency', label: 'of ideal', digits: 2 },
    ],
    variants: ioConcurrencies.map((concurrency) => ({
      name: `c${concurrency}`,
      label: `WORKER_CONCURRENCY=${concurrency} (ideal ${idealRate(concurrency)}/s)`,
      async measure(run: number) {
        const n = Math.max(concurrency, Math.round(idealRate(concurrency) * ioSeconds));
        const result = await drainAgentq(environment, {
          label: `io-c${concurrency}-${run}`,
          n,
          workers: 1,
          concurrency,
          echoLatencyMs: ioLatencyMs,
        });
        const efficiency = result.values.jobsPerSecond / idealRate(concurrency);
        return {
          ...result,
          values: { ...result.values, efficiency },
          details: { ...result.details, n },
        };
      },
    })),
    ratios: (median) =>
      ioConcurrencies
        .slice(1)
        .map((concurrency) =>
          ratio(
            `c${concurrency} / c${lowest} (jobs/s; ideal ${concurrency / lowest})`,
            median(`c${concurrency}`, 'jobsPerSecond') / median(`c${lowest}`, 'jobsPerSecond'),
          ),
        ),
  };
}
