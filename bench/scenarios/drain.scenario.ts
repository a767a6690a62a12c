import { BenchEnvironment } from '../bench-environment';
import { ratio, ScenarioDefinition } from '../scenario';
import { drainAgentq, drainGraphile, drainNaive, drainRaw } from './drain-runs';

export const CPU_METRICS = [
  { key: 'workerCpuMsPerJob', label: 'worker CPU ms/job', digits: 3 },
  { key: 'postgresCpuMsPerJob', label: 'PG CPU ms/job (all processes − idle)', digits: 3 },
  { key: 'postgresBackendsCpuMsPerJob', label: 'PG CPU ms/job (run backends only)', digits: 3 },
  { key: 'redisCpuMsPerJob', label: 'Redis CPU ms/job', digits: 3 },
];

/**
 * Drain: agentq's persisted pipeline vs raw BullMQ (the ceiling), a naive worker and the
 * PostgreSQL-native queue (graphile-worker) with a no-op task and with agentq's durable writes.
 */
export function drainScenario(environment: BenchEnvironment): ScenarioDefinition {
  const { n, naiveN, concurrency } = environment.config;
  return {
    id: 'drain',
    title: `Drain ${n} executions (naive worker and graphile-worker with writes: ${naiveN}), echo 0 ms, 1 worker process, concurrency ${concurrency}`,
    metrics: [
      { key: 'jobsPerSecond', label: 'jobs/s' },
      { key: 'jobsPerSecondToCompletedAt', label: 'jobs/s to last completed_at' },
      ...CPU_METRICS,
    ],
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
      {
        name: 'graphile-noop',
        label: 'graphile-worker, no-op task',
        measure: (run) =>
          drainGraphile(environment, `drain-graphile-noop-${run}`, {
            n,
            concurrency,
            task: 'noop',
            batched: false,
          }),
      },
      {
        name: 'graphile-writes',
        label: "graphile-worker, agentq's writes per job",
        measure: (run) =>
          drainGraphile(environment, `drain-graphile-writes-${run}`, {
            n: naiveN,
            concurrency,
            task: 'writes',
            batched: false,
          }),
      },
      {
        name: 'graphile-writes-batched',
        label: "graphile-worker, agentq's writes, local queue + batched completion",
        measure: (run) =>
          drainGraphile(environment, `drain-graphile-batched-${run}`, {
            n: naiveN,
            concurrency,
            task: 'writes',
            batched: true,
          }),
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
      ratio(
        'agentq / graphile-worker with the same writes (jobs/s)',
        median('agentq', 'jobsPerSecond') / median('graphile-writes', 'jobsPerSecond'),
        { atLeast: 2, text: '>= 2 (#33)' },
      ),
      ratio(
        'agentq / graphile-worker batched, same writes (jobs/s)',
        median('agentq', 'jobsPerSecond') / median('graphile-writes-batched', 'jobsPerSecond'),
      ),
      ratio(
        'agentq / graphile-worker no-op (jobs/s)',
        median('agentq', 'jobsPerSecond') / median('graphile-noop', 'jobsPerSecond'),
      ),
      ratio(
        'agentq CPU ms per execution (worker + every PG process + Redis)',
        ['workerCpuMsPerJob', 'postgresCpuMsPerJob', 'redisCpuMsPerJob']
          .map((metric) => median('agentq', metric))
          .reduce((sum, value) => sum + value, 0),
        { atMost: 0.45, text: '<= 0.45 (#33)' },
      ),
    ],
  };
}
