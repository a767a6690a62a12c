import { BenchEnvironment } from '../bench-environment';
import { ratio, ScenarioDefinition } from '../scenario';
import { drainAgentq } from './drain-runs';
import { CPU_METRICS } from './drain.scenario';

/** Scaling: the same drain with one and with two worker processes. */
export function scalingScenario(environment: BenchEnvironment): ScenarioDefinition {
  const { scalingN, concurrency } = environment.config;
  const counts = [1, 2];
  return {
    id: 'scaling',
    title: `Scaling: drain ${scalingN} executions, echo 0 ms, concurrency ${concurrency} per process`,
    metrics: [{ key: 'jobsPerSecond', label: 'jobs/s' }, ...CPU_METRICS],
    variants: counts.map((workers) => ({
      name: `w${workers}`,
      label: `${workers} worker process${workers > 1 ? 'es' : ''}`,
      measure: (run: number) =>
        drainAgentq(environment, {
          label: `scaling-w${workers}-${run}`,
          n: scalingN,
          workers,
          concurrency,
          echoLatencyMs: 0,
        }),
    })),
    ratios: (median) => [
      ratio(
        '2 workers / 1 worker (jobs/s)',
        median('w2', 'jobsPerSecond') / median('w1', 'jobsPerSecond'),
      ),
    ],
  };
}
