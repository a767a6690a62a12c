import { createDataSource } from '@agentq/database';
import { assignFairPriorities, executionJob, QUEUES } from '@agentq/jobs';
import { databaseUrlFor, deleteRedisKeys, findAccountingDrift } from '@agentq/testing';
import { Queue } from 'bullmq';
import Redis from 'ioredis';
import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { generateApiKeySecret } from '../apps/api/src/auth/api-key-secret';
import { BenchConfig } from './bench-config';
import { BenchProcess } from './child-process';
import { CpuMeter, IdleSubtractedMeter, postgresClusterPids } from './cpu-usage';

/** The compiled tree this file runs from (dist/ after `npm run build`). */
export const DIST_ROOT = join(__dirname, '..');
const ADMIN_TOKEN = `bench-admin-${randomBytes(12).toString('hex')}`;
const MASTER_KEY = randomBytes(32).toString('base64');
const READY_TIMEOUT_MS = 60_000;
export const BENCH_MODEL = 'echo-1';

// Creates and drops the bench's databases through the admin connection (DATABASE_URL).
class DatabaseAdmin {
  private readonly created = new Set<string>();

  constructor(private readonly adminUrl: string) {}

  private async run(sql: string): Promise<void> {
    const client = new Client({ connectionString: this.adminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  }

  async create(name: string, template?: string): Promise<string> {
    await this.run(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ''}`);
    this.created.add(name);
    return databaseUrlFor(this.adminUrl, name);
  }

  async drop(name: string): Promise<void> {
    await this.run(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    this.created.delete(name);
  }

  async dropAll(): Promise<void> {
    for (const name of [...this.created].reverse()) await this.drop(name).catch(() => undefined);
  }
}

/**
 * One per `npm run bench`: a migrated template database, cloned for every run so that each
 * measurement starts from empty tables, and a Redis key prefix per run. Everything it creates
 * carries BENCH_NAME_PREFIX and the bench id, and is removed at the end.
 */
export class BenchEnvironment {
  readonly id = `${Date.now().toString(36)}${randomBytes(2).toString('hex')}`;
  private readonly admin: DatabaseAdmin;
  private readonly template: string;
  private readonly prefixes = new Set<string>();
  private readonly activeRuns = new Set<BenchRun>();
  private runCount = 0;

  constructor(readonly config: BenchConfig) {
    this.admin = new DatabaseAdmin(config.adminDatabaseUrl);
    this.template = `${config.namePrefix}_${this.id}_template`;
  }

  async prepare(): Promise<void> {
    const url = await this.admin.create(this.template);
    const dataSource = createDataSource({ url, applicationName: 'agentq-bench-setup' });
    await dataSource.initialize();
    try {
      await dataSource.runMigrations({ transaction: 'each' });
    } finally {
      await dataSource.destroy();
    }
  }

  async newRun(label: string): Promise<BenchRun> {
    this.runCount += 1;
    const name = `${this.config.namePrefix}_${this.id}_${this.runCount}`;
    const url = await this.admin.create(name, this.template);
    const prefix = `${this.config.namePrefix.replace(/_/g, '-')}-${this.id}-${this.runCount}`;
    this.prefixes.add(prefix);
    const run = new BenchRun(this, label, name, url, prefix);
    this.activeRuns.add(run);
    await run.open();
    return run;
  }

  async finishRun(run: BenchRun): Promise<void> {
    this.activeRuns.delete(run);
    await this.admin.drop(run.databaseName);
    await deleteRedisKeys(run.prefix);
    this.prefixes.delete(run.prefix);
  }

  async dispose(): Promise<void> {
    await Promise.all([...this.activeRuns].map((run) => run.stopProcesses()));
    await this.admin.dropAll();
    for (const prefix of this.prefixes) await deleteRedisKeys(prefix).catch(() => undefined);
    this.prefixes.clear();
  }
}

export interface SeededAgent {
  tenantId: string;
  agentId: string;
  providerId: string;
  apiKey: string;
}

export interface WorkerOptions {
  concurrency: number;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  env?: NodeJS.ProcessEnv;
}

/** One measurement: its own database and key prefix, the processes it started, its clean-up. */
export class BenchRun {
  readonly dataSource: DataSource;
  readonly queue: Queue;
  readonly redis: Redis;
  private readonly processes: BenchProcess[] = [];

  constructor(
    private readonly environment: BenchEnvironment,
    readonly label: string,
    readonly databaseName: string,
    readonly databaseUrl: string,
    readonly prefix: string,
  ) {
    this.dataSource = createDataSource({
      url: databaseUrl,
      poolSize: 4,
      applicationName: 'agentq-bench',
    });
    this.queue = new Queue(QUEUES.executions, {
      connection: { url: environment.config.redisUrl },
      prefix,
    });
    this.redis = new Redis(environment.config.redisUrl, { maxRetriesPerRequest: null });
  }

  async open(): Promise<void> {
    await this.dataSource.initialize();
    await this.queue.waitUntilReady();
  }

  /** Environment of an agentq process (API or worker) pointed at this run. */
  appEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
    return {
      NODE_ENV: 'production',
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.environment.config.redisUrl,
      QUEUE_PREFIX: this.prefix,
      AGENTQ_ADMIN_TOKEN: ADMIN_TOKEN,
      AGENTQ_MASTER_KEY: MASTER_KEY,
      LOG_FORMAT: 'json',
      METRICS_PORT: '0',
      ...extra,
    };
  }

  private spawn(name: string, script: string, env: NodeJS.ProcessEnv, nodeArgs: string[] = []) {
    const child = new BenchProcess(name, join(DIST_ROOT, script), env, nodeArgs);
    this.processes.push(child);
    return child;
  }

  /** node flags of agentq processes: a V8 CPU profile when BENCH_PROFILE=1, BENCH_NODE_ARGS. */
  profileArgs(): string[] {
    const { profile, outDir, nodeArgs } = this.environment.config;
    const cpuProfile = ['--cpu-prof', `--cpu-prof-dir=${join(outDir, 'profiles', this.label)}`];
    return [...(profile ? cpuProfile : []), ...nodeArgs];
  }

  /** Starts agentq worker processes and waits until each has registered in `workers`. */
  async startWorkers(count: number, options: WorkerOptions): Promise<AgentqWorker[]> {
    const workers: AgentqWorker[] = [];
    for (let i = 0; i < count; i += 1) {
      const metricsPort = await freePort();
      const child = this.spawn(
        `worker-${i + 1}`,
        'apps/worker/src/main.js',
        this.appEnv({
          WORKER_CONCURRENCY: String(options.concurrency),
          METRICS_PORT: String(metricsPort),
          ...options.env,
        }),
        options.nodeArgs ?? this.profileArgs(),
      );
      workers.push({ process: child, metricsPort });
    }
    for (const worker of workers) {
      await worker.process.race(
        this.waitForRows(`SELECT count(*)::int AS n FROM workers WHERE pid = $1`, [
          worker.process.pid,
        ]),
        READY_TIMEOUT_MS,
        'its row in the workers registry',
      );
    }
    return workers;
  }

  /** Starts the API on a free port and waits for /health/ready. */
  async startApi(env: NodeJS.ProcessEnv = {}): Promise<{ process: BenchProcess; url: string }> {
    const port = await freePort();
    const child = this.spawn(
      'api',
      'apps/api/src/main.js',
      this.appEnv({ PORT: String(port), ...env }),
      this.profileArgs(),
    );
    const url = `http://127.0.0.1:${port}`;
    await child.race(waitForHttpOk(`${url}/health/ready`), READY_TIMEOUT_MS, '/health/ready');
    return { process: child, url };
  }

  /** A baseline worker (bench/baselines/*), ready once it says so. */
  async startBaseline(
    kind: 'raw' | 'naive' | 'graphile' | 'provider',
    env: NodeJS.ProcessEnv,
    index = 1,
  ): Promise<BenchProcess> {
    const child = this.spawn(`${kind}-worker-${index}`, `bench/baselines/${kind}-worker.js`, {
      DATABASE_URL: this.databaseUrl,
      REDIS_URL: this.environment.config.redisUrl,
      QUEUE_PREFIX: this.prefix,
      ...env,
    });
    await child.waitForEvent('ready', READY_TIMEOUT_MS);
    return child;
  }

  private async waitForRows(sql: string, params: unknown[]): Promise<void> {
    for (;;) {
      const [{ n }] = await this.dataSource.query(sql, params);
      if (n > 0) return;
      await sleep(100);
    }
  }

  /**
   * A tenant with an echo provider (priced, so cost is accounted) and one agent; with
   * `openAiBaseUrl`, an OpenAI-compatible provider at that URL instead (the bench's fake one).
   */
  async seedAgent(echoLatencyMs = 0, openAiBaseUrl?: string): Promise<SeededAgent> {
    const secret = generateApiKeySecret();
    const [{ id: tenantId }] = await this.dataSource.query(
      `INSERT INTO tenants (name) VALUES ('bench') RETURNING id`,
    );
    await this.dataSource.query(
      `INSERT INTO api_keys (tenant_id, name, prefix, key_hash) VALUES ($1, 'bench', $2, $3)`,
      [tenantId, secret.prefix, secret.hash],
    );
    const pricing = { [BENCH_MODEL]: { inputPerMillion: '0.15', outputPerMillion: '0.60' } };
    const [{ id: providerId }] = await this.dataSource.query(
      `INSERT INTO llm_providers (tenant_id, name, type, base_url, is_default, settings, pricing)
       VALUES ($1, 'echo', $2, $3, true, $4, $5) RETURNING id`,
      [
        tenantId,
        openAiBaseUrl ? 'openai-compatible' : 'echo',
        openAiBaseUrl ?? null,
        JSON.stringify(openAiBaseUrl ? {} : { latencyMs: echoLatencyMs }),
        JSON.stringify(pricing),
      ],
    );
    const [{ id: agentId }] = await this.dataSource.query(
      `INSERT INTO agents (tenant_id, provider_id, name, role, backstory, goal, llm_config)
       VALUES ($1, $2, 'support triage', $3, $4, $5, $6) RETURNING id`,
      [
        tenantId,
        providerId,
        'Support triage agent for a software company',
        'You read incoming customer tickets and decide who should handle them.',
        'Classify each ticket and answer with a one-line summary.',
        JSON.stringify({ model: BENCH_MODEL, temperature: 0 }),
      ],
    );
    return { tenantId, agentId, providerId, apiKey: secret.key };
  }

  /** Another agent of a seeded tenant, on an echo provider of its own answering after `echoLatencyMs`. */
  async seedSiblingAgent(of: SeededAgent, echoLatencyMs: number): Promise<SeededAgent> {
    const [{ id: providerId }] = await this.dataSource.query(
      `INSERT INTO llm_providers (tenant_id, name, type, settings)
       VALUES ($1, $2, 'echo', $3) RETURNING id`,
      [
        of.tenantId,
        `echo-${randomBytes(4).toString('hex')}`,
        JSON.stringify({ latencyMs: echoLatencyMs }),
      ],
    );
    const [{ id: agentId }] = await this.dataSource.query(
      `INSERT INTO agents (tenant_id, provider_id, name, role, llm_config)
       VALUES ($1, $2, 'sibling', 'Support triage agent', $3) RETURNING id`,
      [of.tenantId, providerId, JSON.stringify({ model: BENCH_MODEL, temperature: 0 })],
    );
    return { ...of, agentId, providerId };
  }

  /** Inserts `count` queued execution rows, as the API would, and returns their ids. */
  async insertExecutions(agent: SeededAgent, count: number): Promise<string[]> {
    const ids: string[] = [];
    for (let start = 0; start < count; start += 5_000) {
      const rows: { id: string }[] = await this.dataSource.query(
        `INSERT INTO agent_executions (tenant_id, agent_id, input, model)
         SELECT $1, $2, jsonb_build_object('message', 'Ticket #' || n || ': the export to CSV times out for large projects.'), $3
           FROM generate_series($4::int, $5::int) n RETURNING id`,
        [agent.tenantId, agent.agentId, BENCH_MODEL, start + 1, Math.min(count, start + 5_000)],
      );
      ids.push(...rows.map((row) => row.id));
    }
    return ids;
  }

  /**
   * Adds one job per execution id with agentq's own job options (priority, retries, retention)
   * and the fair queue's priorities, as ExecutionProducer does.
   */
  async enqueue(tenantId: string, executionIds: string[]): Promise<void> {
    for (let start = 0; start < executionIds.length; start += 1_000) {
      const ids = executionIds.slice(start, start + 1_000);
      const priorities = await assignFairPriorities(
        this.queue,
        ids.map((jobId) => ({ jobId, tenantId, priority: 5, delayed: false, repeat: false })),
      );
      await this.queue.addBulk(
        ids.map((executionId, i) =>
          executionJob({
            executionId,
            tenantId,
            priority: 5,
            delayMs: 0,
            maxAttempts: 3,
            queuePriority: priorities[i],
          }),
        ),
      );
    }
  }

  /** Terminal rows so far and when the last one ended (database clock, epoch ms). */
  async terminalProgress(): Promise<{ terminal: number; failed: number; lastCompletedAt: number }> {
    const [row] = await this.dataSource.query(
      `SELECT count(*) FILTER (WHERE status IN ('succeeded', 'failed', 'cancelled'))::int AS terminal,
              count(*) FILTER (WHERE status = 'failed')::int AS failed,
              (extract(epoch FROM max(completed_at)) * 1000)::float8 AS last
         FROM agent_executions`,
    );
    return { terminal: row.terminal, failed: row.failed, lastCompletedAt: row.last ?? 0 };
  }

  /** Polls until `expected` executions are terminal; returns when the last one ended. */
  async waitForTerminal(expected: number, timeoutMs: number, watch: BenchProcess[] = []) {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const progress = await this.terminalProgress();
      if (progress.terminal >= expected) return progress;
      const dead = watch.find((child) => !child.running);
      if (dead) throw new Error(`${dead.name} exited during the run\n${dead.output()}`);
      if (Date.now() > deadline) {
        throw new Error(`only ${progress.terminal} of ${expected} executions ended in time`);
      }
      await sleep(100);
    }
  }

  /** Polls until `expected` executions of one tenant are terminal. */
  async waitForTenantTerminal(
    tenantId: string,
    expected: number,
    timeoutMs: number,
    watch: BenchProcess[] = [],
  ): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [{ n }] = await this.dataSource.query(
        `SELECT count(*)::int AS n FROM agent_executions
          WHERE tenant_id = $1 AND status IN ('succeeded', 'failed', 'cancelled')`,
        [tenantId],
      );
      if (n >= expected) return;
      const dead = watch.find((child) => !child.running);
      if (dead) throw new Error(`${dead.name} exited during the run\n${dead.output()}`);
      if (Date.now() > deadline)
        throw new Error(`only ${n} of ${expected} executions ended in time`);
      await sleep(100);
    }
  }

  /** The accounting invariant, on this run's database. */
  async accounting(): Promise<{ checked: true; ok: boolean; drift?: unknown }> {
    const drift = await findAccountingDrift(this.dataSource);
    const ok =
      drift.lifetime.length === 0 && drift.daily.length === 0 && drift.attribution.length === 0;
    return ok ? { checked: true, ok } : { checked: true, ok, drift };
  }

  /**
   * When the last job was acknowledged: BullMQ's completed set is scored by the worker's
   * finishedOn (its clock, the same host's), written by the moveToFinished that acknowledges
   * the job. Every BullMQ variant stops its clock here.
   */
  async lastAcknowledgedAt(): Promise<number> {
    const [, score] = await this.redis.zrange(
      this.queue.toKey('completed'),
      '-1',
      '-1',
      'WITHSCORES',
    );
    if (score === undefined) throw new Error('no completed job in the queue');
    return Number(score);
  }

  /** Waits until no job is waiting or active any more, then returns lastAcknowledgedAt(). */
  async waitForAcknowledged(timeoutMs: number): Promise<number> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const counts = await this.queue.getJobCounts('wait', 'active', 'prioritized', 'delayed');
      if (Object.values(counts).every((count) => count === 0)) return this.lastAcknowledgedAt();
      if (Date.now() > deadline) throw new Error(`jobs still open: ${JSON.stringify(counts)}`);
      await sleep(50);
    }
  }

  /**
   * CPU of every PostgreSQL process (backends of every database, WAL writer, checkpointer,
   * background writer, autovacuum), net of what they used in an idle second just before.
   */
  postgresClusterCpu(): IdleSubtractedMeter {
    return new IdleSubtractedMeter(
      new CpuMeter(async () => {
        const [{ pid }] = await this.dataSource.query('SELECT pg_backend_pid() AS pid');
        return postgresClusterPids(pid);
      }),
    );
  }

  /** CPU meter over this database's PostgreSQL backends (other than the bench's own). */
  postgresCpu(): CpuMeter {
    return new CpuMeter(async () => {
      const rows: { pid: number }[] = await this.dataSource.query(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND application_name <> 'agentq-bench'`,
      );
      return rows.map((row) => row.pid);
    });
  }

  redisCpu(): CpuMeter {
    return new CpuMeter(async () => {
      const info = await this.redis.info('server');
      const pid = Number(/process_id:(\d+)/.exec(info)?.[1]);
      return pid ? [pid] : [];
    });
  }

  processCpu(children: BenchProcess[]): CpuMeter {
    return new CpuMeter(async () => children.map((child) => child.pid!).filter(Boolean));
  }

  stopProcesses(): Promise<void[]> {
    return Promise.all(this.processes.map((child) => child.stop()));
  }

  async close(): Promise<void> {
    await this.stopProcesses();
    await this.queue.close().catch(() => undefined);
    this.redis.disconnect();
    await this.dataSource.destroy().catch(() => undefined);
    await this.environment.finishRun(this);
  }
}

export interface AgentqWorker {
  process: BenchProcess;
  metricsPort: number;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForHttpOk(url: string): Promise<void> {
  for (;;) {
    const ok = await fetch(url).then(
      (response) => response.ok,
      () => false,
    );
    if (ok) return;
    await sleep(100);
  }
}
