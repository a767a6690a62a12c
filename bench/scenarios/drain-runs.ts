import { Logger, runMigrations } from 'graphile-worker';
import { randomUUID } from 'node:crypto';
import { BENCH_MODEL, BenchEnvironment, BenchRun, sleep } from '../bench-environment';
import { BenchProcess } from '../child-process';
import { CpuMeter, IdleSubtractedMeter, rssBytes } from '../cpu-usage';
import { scrapeWorkerDiagnostics } from '../prometheus-text';
import { RunRecord } from '../scenario';

export interface AgentqDrainOptions {
  label: string;
  n: number;
  workers: number;
  concurrency: number;
  echoLatencyMs: number;
  /** Call the fake provider over HTTP (its own process) instead of the in-process echo. */
  httpProvider?: boolean;
}

type Measured = Omit<RunRecord, 'run'>;

// The workers' summed RSS every 200 ms; stop() gives the peak above the first reading.
class RssSampler {
  private readonly baseline: number;
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly pids: (number | undefined)[]) {
    this.baseline = this.read();
    this.timer = setInterval(() => (this.peak = Math.max(this.peak, this.read())), 200);
  }

  private read(): number {
    return this.pids.reduce<number>((sum, pid) => sum + (rssBytes(pid) ?? 0), 0);
  }

  stop(): number {
    clearInterval(this.timer);
    this.peak = Math.max(this.peak, this.read());
    return Math.max(0, this.peak - this.baseline);
  }
}

const drainTimeoutMs = (n: number, perJobMs = 10) => 60_000 + n * perJobMs;

type Meter = Pick<CpuMeter, 'begin' | 'end'>;

// CPU meters over the processes a run involves; `msPerJob` turns their deltas into ms/job.
export class RunCpu {
  private readonly meters: [string, Meter][];

  constructor(meters: Record<string, Meter>) {
    // Idle-subtracted meters first: their idle second must end before the others start.
    this.meters = Object.entries(meters).sort(
      ([, a], [, b]) =>
        Number(b instanceof IdleSubtractedMeter) - Number(a instanceof IdleSubtractedMeter),
    );
  }

  async begin() {
    for (const [, meter] of this.meters) await meter.begin();
  }

  async msPerJob(jobs: number): Promise<Record<string, number>> {
    const values: Record<string, number> = {};
    for (const [name, meter] of this.meters) {
      const seconds = await meter.end();
      if (seconds !== null) values[`${name}CpuMsPerJob`] = (seconds * 1_000) / jobs;
    }
    return values;
  }
}

/**
 * agentq end to end inside the worker: rows inserted and jobs enqueued up front (queue paused),
 * the worker processes started and registered, then the clock starts with queue.resume() and
 * stops when the last job was acknowledged (BullMQ's completed time, as for every baseline).
 * The last `completed_at` (set inside the last group commit, before its COMMIT and the acks),
 * where the clock used to stop, is kept beside it as `jobsPerSecondToCompletedAt`.
 */
export async function drainAgentq(
  environment: BenchEnvironment,
  options: AgentqDrainOptions,
): Promise<Measured> {
  const run = await environment.newRun(options.label);
  try {
    const provider = options.httpProvider
      ? await run.startBaseline('provider', {
          BENCH_PROVIDER_LATENCY_MS: String(options.echoLatencyMs),
        })
      : null;
    const providerUrl = provider ? `${(await provider.waitForEvent('ready', 1)).url}/v1` : null;
    const agent = await run.seedAgent(options.echoLatencyMs, providerUrl ?? undefined);
    const ids = await run.insertExecutions(agent, options.n);
    await run.queue.pause();
    await run.enqueue(agent.tenantId, ids);
    const workers = await run.startWorkers(options.workers, {
      concurrency: options.concurrency,
      env: provider ? { AGENTQ_BLOCK_PRIVATE_PROVIDER_URLS: 'false' } : {},
    });
    const processes = workers.map((worker) => worker.process);
    const cpu = new RunCpu({
      worker: run.processCpu(processes),
      postgres: run.postgresClusterCpu(),
      postgresBackends: run.postgresCpu(),
      redis: run.redisCpu(),
      ...(provider ? { provider: run.processCpu([provider]) } : {}),
    });
    await cpu.begin();
    // Resets the workers' event-loop histograms, so the run's scrape covers the run alone.
    await Promise.all(workers.map((worker) => scrapeWorkerDiagnostics(worker.metricsPort)));
    const rss = new RssSampler(processes.map((child) => child.pid));
    const startedAt = Date.now();
    await run.queue.resume();
    const timeoutMs = drainTimeoutMs(options.n, options.echoLatencyMs > 0 ? 50 : 10);
    const progress = await run.waitForTerminal(options.n, timeoutMs, processes);
    const acknowledgedAt = await run.waitForAcknowledged(timeoutMs);
    const rssGrowth = rss.stop();
    const seconds = (acknowledgedAt - startedAt) / 1_000;
    const secondsToCompletedAt = (progress.lastCompletedAt - startedAt) / 1_000;
    const cpuValues = await cpu.msPerJob(options.n);
    const diagnostics = await Promise.all(
      workers.map((worker) => scrapeWorkerDiagnostics(worker.metricsPort).catch(() => null)),
    );
    const accounting = await run.accounting();
    const error =
      progress.failed > 0
        ? `${progress.failed} execution(s) failed instead of succeeding`
        : undefined;
    return {
      values: {
        jobsPerSecond: options.n / seconds,
        jobsPerSecondToCompletedAt: options.n / secondsToCompletedAt,
        seconds,
        ...cpuValues,
        // Peak resident memory above where it stood at the start, per execution in flight.
        workerKiBPerInFlight: rssGrowth / 1_024 / (options.concurrency * options.workers),
        eventLoopP99Ms: Math.max(...diagnostics.map((d) => d?.eventLoopP99Ms ?? Number.NaN)),
      },
      details: { workers: diagnostics, ...(await tableStats(run)) },
      accounting,
      error,
    };
  } finally {
    await run.close();
  }
}

/** The ceiling: the same jobs, a no-op BullMQ processor, no database. */
export async function drainRaw(
  environment: BenchEnvironment,
  label: string,
  n: number,
  concurrency: number,
): Promise<Measured> {
  const run = await environment.newRun(label);
  try {
    await run.queue.pause();
    await run.enqueue(
      randomUUID(),
      Array.from({ length: n }, () => randomUUID()),
    );
    const worker = await run.startBaseline('raw', {
      WORKER_CONCURRENCY: String(concurrency),
      BENCH_EXPECT: String(n),
    });
    return await timeBaseline(run, worker, n, false);
  } finally {
    await run.close();
  }
}

/** One TypeORM transaction per job, on the same rows agentq gets. */
export async function drainNaive(
  environment: BenchEnvironment,
  label: string,
  n: number,
  concurrency: number,
): Promise<Measured> {
  const run = await environment.newRun(label);
  try {
    const agent = await run.seedAgent(0);
    // Its rollup rows exist up front, so the first jobs do not race to insert them.
    await run.dataSource.query(
      `INSERT INTO agent_usage_stats (agent_id, tenant_id) VALUES ($1, $2)`,
      [agent.agentId, agent.tenantId],
    );
    await run.dataSource.query(
      `INSERT INTO agent_usage_daily (agent_id, day, model, tenant_id)
       VALUES ($1, (now() AT TIME ZONE 'UTC')::date, $3, $2)`,
      [agent.agentId, agent.tenantId, BENCH_MODEL],
    );
    const ids = await run.insertExecutions(agent, n);
    await run.queue.pause();
    await run.enqueue(agent.tenantId, ids);
    const worker = await run.startBaseline('naive', {
      WORKER_CONCURRENCY: String(concurrency),
      BENCH_EXPECT: String(n),
    });
    return await timeBaseline(run, worker, n, true);
  } finally {
    await run.close();
  }
}

export type GraphileTask = 'noop' | 'writes';

/**
 * graphile-worker, the PostgreSQL-native queue, on the same rows: its schema installed and one
 * job per execution added up front, held back by a far run_at; the worker process starts and
 * is ready; the clock starts with one UPDATE that makes every job due (and the NOTIFY
 * graphile-worker listens to) and stops when the last job row is gone, i.e. acknowledged.
 */
export async function drainGraphile(
  environment: BenchEnvironment,
  label: string,
  options: { n: number; concurrency: number; task: GraphileTask; batched: boolean },
): Promise<Measured> {
  const run = await environment.newRun(label);
  try {
    await runMigrations({ connectionString: run.databaseUrl, logger: quietGraphileLogger() });
    const agent = await run.seedAgent(0);
    const ids = await run.insertExecutions(agent, options.n);
    for (let start = 0; start < ids.length; start += 5_000) {
      await run.dataSource.query(
        `SELECT count(*) FROM graphile_worker.add_jobs(
           array(SELECT ROW($1::text, json_build_object('executionId', id), NULL,
                            now() + interval '1 day', NULL, NULL, NULL, NULL)::graphile_worker.job_spec
                   FROM unnest($2::uuid[]) AS id))`,
        [options.task, ids.slice(start, start + 5_000)],
      );
    }
    const worker = await run.startBaseline('graphile', {
      WORKER_CONCURRENCY: String(options.concurrency),
      BENCH_EXPECT: String(options.n),
      BENCH_GRAPHILE_BATCHED: options.batched ? '1' : '0',
      NO_LOG_SUCCESS: '1',
    });
    const cpu = new RunCpu({
      worker: run.processCpu([worker]),
      postgres: run.postgresClusterCpu(),
      postgresBackends: run.postgresCpu(),
    });
    await cpu.begin();
    const startedAt = Date.now();
    await run.dataSource.query(
      `WITH due AS (UPDATE graphile_worker._private_jobs SET run_at = now() RETURNING 1)
       SELECT pg_notify('jobs:insert', json_build_object('count', (SELECT count(*) FROM due))::text)`,
    );
    const timeoutMs = drainTimeoutMs(options.n, 50);
    await worker.waitForEvent('done', timeoutMs);
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [{ n }] = await run.dataSource.query(
        `SELECT count(*)::int AS n FROM graphile_worker._private_jobs`,
      );
      if (n === 0) break;
      if (Date.now() > deadline) throw new Error(`${n} graphile-worker jobs never went away`);
      await sleep(20);
    }
    const seconds = (Date.now() - startedAt) / 1_000;
    const cpuValues = await cpu.msPerJob(options.n);
    if (options.task === 'noop') {
      return { values: { jobsPerSecond: options.n / seconds, seconds, ...cpuValues } };
    }
    const progress = await run.terminalProgress();
    return {
      values: { jobsPerSecond: options.n / seconds, seconds, ...cpuValues },
      details: await tableStats(run),
      accounting: await run.accounting(),
      error:
        progress.terminal === options.n
          ? undefined
          : `${progress.terminal} of ${options.n} executions ended`,
    };
  } finally {
    await run.close();
  }
}

// graphile-worker's console logger says every migration step; the bench wants errors only.
function quietGraphileLogger() {
  return new Logger(() => (level, message) => {
    if (level === 'error') console.error(`graphile-worker: ${message}`);
  });
}

async function timeBaseline(
  run: BenchRun,
  worker: BenchProcess,
  n: number,
  usesDatabase: boolean,
): Promise<Measured> {
  const cpu = new RunCpu({
    worker: run.processCpu([worker]),
    ...(usesDatabase
      ? { postgres: run.postgresClusterCpu(), postgresBackends: run.postgresCpu() }
      : {}),
    redis: run.redisCpu(),
  });
  await cpu.begin();
  const startedAt = Date.now();
  await run.queue.resume();
  await worker.waitForEvent('done', drainTimeoutMs(n, usesDatabase ? 50 : 10));
  const seconds = ((await run.lastAcknowledgedAt()) - startedAt) / 1_000;
  const cpuValues = await cpu.msPerJob(n);
  if (!usesDatabase) return { values: { jobsPerSecond: n / seconds, seconds, ...cpuValues } };
  const progress = await run.terminalProgress();
  const accounting = await run.accounting();
  return {
    values: { jobsPerSecond: n / seconds, seconds, ...cpuValues },
    details: await tableStats(run),
    accounting,
    error: progress.terminal === n ? undefined : `${progress.terminal} of ${n} executions ended`,
  };
}

// Transactions committed and how many row updates were HOT, for "where the time goes".
async function tableStats(run: BenchRun) {
  const [database] = await run.dataSource.query(
    `SELECT xact_commit::int AS commits FROM pg_stat_database WHERE datname = current_database()`,
  );
  const [executions] = await run.dataSource.query(
    `SELECT n_tup_upd::int AS updates, n_tup_hot_upd::int AS hot_updates
       FROM pg_stat_user_tables WHERE relname = 'agent_executions'`,
  );
  return {
    postgresCommits: database?.commits ?? null,
    executionRowUpdates: executions?.updates ?? null,
    executionHotUpdates: executions?.hot_updates ?? null,
  };
}
