import { randomUUID } from 'node:crypto';
import { BENCH_MODEL, BenchEnvironment, BenchRun } from '../bench-environment';
import { BenchProcess } from '../child-process';
import { CpuMeter } from '../cpu-usage';
import { scrapeWorkerDiagnostics } from '../prometheus-text';
import { RunRecord } from '../scenario';

export interface AgentqDrainOptions {
  label: string;
  n: number;
  workers: number;
  concurrency: number;
  echoLatencyMs: number;
}

type Measured = Omit<RunRecord, 'run'>;

const drainTimeoutMs = (n: number, perJobMs = 10) => 60_000 + n * perJobMs;

// CPU meters over the processes a run involves; `msPerJob` turns their deltas into ms/job.
class RunCpu {
  private readonly meters: [string, CpuMeter][];

  constructor(meters: Record<string, CpuMeter>) {
    this.meters = Object.entries(meters);
  }

  begin() {
    return Promise.all(this.meters.map(([, meter]) => meter.begin()));
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
 * stops at the last completed_at.
 */
export async function drainAgentq(
  environment: BenchEnvironment,
  options: AgentqDrainOptions,
): Promise<Measured> {
  const run = await environment.newRun(options.label);
  try {
    const agent = await run.seedAgent(options.echoLatencyMs);
    const ids = await run.insertExecutions(agent, options.n);
    await run.queue.pause();
    await run.enqueue(agent.tenantId, ids);
    const workers = await run.startWorkers(options.workers, {
      concurrency: options.concurrency,
    });
    const processes = workers.map((worker) => worker.process);
    const cpu = new RunCpu({
      worker: run.processCpu(processes),
      postgres: run.postgresCpu(),
      redis: run.redisCpu(),
    });
    await cpu.begin();
    const startedAt = Date.now();
    await run.queue.resume();
    const timeoutMs = drainTimeoutMs(options.n, options.echoLatencyMs > 0 ? 50 : 10);
    const progress = await run.waitForTerminal(options.n, timeoutMs, processes);
    const seconds = (progress.lastCompletedAt - startedAt) / 1_000;
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
      values: { jobsPerSecond: options.n / seconds, seconds, ...cpuValues },
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

async function timeBaseline(
  run: BenchRun,
  worker: BenchProcess,
  n: number,
  usesDatabase: boolean,
): Promise<Measured> {
  const cpu = new RunCpu({
    worker: run.processCpu([worker]),
    ...(usesDatabase ? { postgres: run.postgresCpu() } : {}),
    redis: run.redisCpu(),
  });
  await cpu.begin();
  const startedAt = Date.now();
  await run.queue.resume();
  const done = await worker.waitForEvent('done', drainTimeoutMs(n, usesDatabase ? 50 : 10));
  const seconds = ((done.finishedAt as number) - startedAt) / 1_000;
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
