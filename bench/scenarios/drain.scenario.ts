import { BenchEnvironment } from '../bench-environment';
import { ratio, ScenarioDefinition } from '../scenario';
import { drainAgentq, drainNaive, drainRaw } from './drain-runs';

export const CPU_METRICS = [
  { key: 'workerCpuMsPerJob', label: 'worker CPU ms/job', digits: 3 },
  { key: 'postgresCpuMsPerJob', label: 'PG CPU ms/job', digits: 3 },
  { key: 'redisCpuMsPerJob', label: 'Redis CPU ms/job', digits: 3 },
];

/** Drain: agentq's persisted pipeline vs raw BullMQ (the ceiling) vs a naive worker. */
export function drainScenario(environment: BenchEnvironment): ScenarioDefinition {
  const { n, naiveN, concurrency } = environment.config;
  return {
    id: 'drain',
    title: `Drain ${n} executions (naive worker: ${naiveN}), echo 0 ms, 1 worker process, concurrency ${concurrency}`,
    metrics: [{ key: 'jobsPerSecond', label: 'jobs/s' }, ...CPU_METRICS],
    variants: [
      {
        name: 'agentq',
        label: 'agentq (persisted, exactly-once)',
        measure: (run) =>
          drainAgentq(environment, {
            label: `drain-agentq-${run}`,
            n,
            workers: 1,
            concurrency,
            echoLatencyMs: 0,
          }),
      },
      {
        name: 'raw',
        label: 'raw BullMQ, no-op processor',
        measure: (run) => drainRaw(environment, `drain-raw-${run}`, n, concurrency),
      },
      {
        name: 'naive',
        label: 'naive worker (TypeORM transaction per job)',
        measure: (run) => drainNaive(environment, `drain-naive-${run}`, naiveN, concurrency),
      },
    ],
    ratios: (median) => [
      ratio(
        'agentq / raw BullMQ (jobs/s)',
        median('agentq', 'jobsPerSecond') / median('raw', 'jobsPerSecond'),
        { atLeast: 0.4, text: '>= 0.40 (#11)' },
      ),
      ratio(
        'agentq / naive (jobs/s)',
        median('agentq', 'jobsPerSecond') / median('naive', 'jobsPerSecond'),
        {
          atLeast: 4,
          text: '>= 4',
        },
      ),
    ],
  };
}
