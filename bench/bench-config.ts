import { join } from 'node:path';

export const SCENARIO_NAMES = [
  'drain',
  'live',
  'http',
  'io',
  'scaling',
  'plan',
  'noisy',
  'slow',
] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

/** Everything a benchmark run can be told, from BENCH_* variables; defaults fit ~10 min on 2 cores. */
export interface BenchConfig {
  /** Executions per drain run (BENCH_N). */
  n: number;
  /** Executions per naive-worker drain run: it is far slower, so it gets fewer (BENCH_NAIVE_N). */
  naiveN: number;
  /** Tasks of the plan scenario's plan (BENCH_PLAN_TASKS). */
  planTasks: number;
  /** Repetitions of every measurement (BENCH_RUNS). */
  runs: number;
  scenarios: ScenarioName[];
  /** Only these variants of each scenario (BENCH_VARIANTS, e.g. "agentq"); all when empty. */
  variants: string[];
  /** WORKER_CONCURRENCY of the worker processes in drain, live and scaling (BENCH_CONCURRENCY). */
  concurrency: number;
  liveRates: number[];
  liveSeconds: number;
  liveWarmupSeconds: number;
  httpClients: number;
  httpSeconds: number;
  httpBatchSize: number;
  ioConcurrencies: number[];
  ioLatencyMs: number;
  /** Each I/O-bound run gets enough executions to last this long at the ideal rate. */
  ioSeconds: number;
  /** Executions per scaling run (BENCH_SCALING_N). */
  scalingN: number;
  /** Noisy neighbour: tenant A's flood, submitted at once (BENCH_NOISY_N). */
  noisyN: number;
  /** Noisy neighbour: tenant B's executions (BENCH_NOISY_FEW), spread over BENCH_NOISY_SECONDS. */
  noisyFew: number;
  noisySeconds: number;
  /** Noisy neighbour: the echo provider's latency (BENCH_NOISY_LATENCY_MS), an LLM call's stand-in. */
  noisyLatencyMs: number;
  /** Slow model calls: WORKER_CONCURRENCY values (BENCH_SLOW_CONCURRENCY). */
  slowConcurrencies: number[];
  /** Slow model calls: the provider's latency (BENCH_SLOW_LATENCY_MS). */
  slowLatencyMs: number;
  /** Slow model calls: executions per run as a multiple of C (BENCH_SLOW_WAVES). */
  slowWaves: number;
  /** Slow model calls: `echo` (in process) and/or `http` (fake provider server) (BENCH_SLOW_PROVIDERS). */
  slowProviders: ('echo' | 'http')[];
  outDir: string;
  /** Prefix of the databases and Redis keys the bench creates (and removes). */
  namePrefix: string;
  /** Writes a V8 CPU profile of each agentq worker process (node --cpu-prof). */
  profile: boolean;
  /** Extra node flags for the agentq API and worker processes (BENCH_NODE_ARGS), e.g. --perf-basic-prof. */
  nodeArgs: string[];
  adminDatabaseUrl: string;
  redisUrl: string;
}

function int(env: NodeJS.ProcessEnv, name: string, fallback: number, min = 1): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min) {
    throw new Error(`${name} must be an integer >= ${min}, got "${raw}"`);
  }
  return value;
}

function intList(env: NodeJS.ProcessEnv, name: string, fallback: number[]): number[] {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  return raw.split(',').map((part) => int({ [name]: part.trim() }, name, 0));
}

function slowProviders(raw: string): ('echo' | 'http')[] {
  const names = raw.split(',').map((name) => name.trim());
  for (const name of names) {
    if (name !== 'echo' && name !== 'http') {
      throw new Error(`BENCH_SLOW_PROVIDERS: echo and/or http, got "${name}"`);
    }
  }
  return names as ('echo' | 'http')[];
}

export function loadBenchConfig(env: NodeJS.ProcessEnv = process.env): BenchConfig {
  const n = int(env, 'BENCH_N', 20_000);
  const scenarios = (env.BENCH_SCENARIOS ?? SCENARIO_NAMES.join(','))
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  for (const name of scenarios) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(name)) {
      throw new Error(`BENCH_SCENARIOS: unknown scenario "${name}" (${SCENARIO_NAMES.join(', ')})`);
    }
  }
  const prefix = env.BENCH_NAME_PREFIX ?? 'agentq_bench';
  if (!/^[a-z0-9_]+$/.test(prefix)) throw new Error('BENCH_NAME_PREFIX: a-z, 0-9 and _ only');
  return {
    n,
    naiveN: int(env, 'BENCH_NAIVE_N', Math.max(1, Math.round(n / 4))),
    runs: int(env, 'BENCH_RUNS', 3),
    planTasks: int(env, 'BENCH_PLAN_TASKS', 1_000),
    scenarios: scenarios as ScenarioName[],
    variants: (env.BENCH_VARIANTS ?? '')
      .split(',')
      .map((name) => name.trim())
      .filter(Boolean),
    concurrency: int(env, 'BENCH_CONCURRENCY', 100),
    liveRates: intList(env, 'BENCH_LIVE_RATES', [500, 2_000]),
    liveSeconds: int(env, 'BENCH_LIVE_SECONDS', 8),
    liveWarmupSeconds: int(env, 'BENCH_LIVE_WARMUP_SECONDS', 2, 0),
    httpClients: int(env, 'BENCH_HTTP_CLIENTS', 100),
    httpSeconds: int(env, 'BENCH_HTTP_SECONDS', 6),
    httpBatchSize: int(env, 'BENCH_HTTP_BATCH_SIZE', 100),
    ioConcurrencies: intList(env, 'BENCH_IO_CONCURRENCY', [10, 50, 200]),
    ioLatencyMs: int(env, 'BENCH_IO_LATENCY_MS', 200),
    ioSeconds: int(env, 'BENCH_IO_SECONDS', 5),
    scalingN: int(env, 'BENCH_SCALING_N', Math.max(1, Math.round(n / 2))),
    noisyN: int(env, 'BENCH_NOISY_N', 10_000),
    noisyFew: int(env, 'BENCH_NOISY_FEW', 100),
    noisySeconds: int(env, 'BENCH_NOISY_SECONDS', 10),
    noisyLatencyMs: int(env, 'BENCH_NOISY_LATENCY_MS', 1_000, 0),
    slowConcurrencies: intList(env, 'BENCH_SLOW_CONCURRENCY', [1_000, 4_000, 8_000]),
    slowLatencyMs: int(env, 'BENCH_SLOW_LATENCY_MS', 2_000),
    slowWaves: int(env, 'BENCH_SLOW_WAVES', 4),
    slowProviders: slowProviders(env.BENCH_SLOW_PROVIDERS ?? 'echo,http'),
    outDir: env.BENCH_OUT_DIR ?? join(process.cwd(), 'bench-results'),
    namePrefix: prefix,
    profile: env.BENCH_PROFILE === '1' || env.BENCH_PROFILE === 'true',
    nodeArgs: (env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean),
    adminDatabaseUrl: env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
  };
}
