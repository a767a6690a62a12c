import { z } from 'zod';

const masterKey = z.string().refine((value) => Buffer.from(value, 'base64').length === 32, {
  error: 'must be 32 bytes encoded as base64 (openssl rand -base64 32)',
});

const redisUrl = z.string().refine((value) => /^rediss?:\/\//.test(value), {
  error: 'must be a redis:// or rediss:// URL',
});

// `host:port` pairs separated by commas: Redis Cluster seed nodes or Sentinels.
const redisAddressList = z
  .string()
  .regex(
    /^\s*[^\s,:]+:\d{1,5}\s*(,\s*[^\s,:]+:\d{1,5}\s*)*,?\s*$/,
    'must be host:port pairs separated by commas',
  )
  .transform((value) =>
    value
      .split(',')
      .map((entry) => entry.trim())
      .filter(Boolean)
      .map((entry) => {
        const at = entry.lastIndexOf(':');
        return { host: entry.slice(0, at), port: Number(entry.slice(at + 1)) };
      }),
  )
  .optional();

// An optional variable where an empty value counts as unset (as `KEY=` in an env file does).
const optionalText = z
  .string()
  .optional()
  .transform((value) => (value ? value : undefined));

const postgresUrl = z.string().refine((value) => /^postgres(ql)?:\/\//.test(value), {
  error: 'must be a postgres:// or postgresql:// URL',
});

// A PostgreSQL role name (passed as a startup parameter, so kept to plain identifiers).
const roleName = (fallback: string) =>
  z
    .string()
    .regex(/^[a-z_][a-z0-9_]*$/, 'a lower-case PostgreSQL role name')
    .default(fallback);

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const nonNegativeInt = (fallback: number) => z.coerce.number().int().min(0).default(fallback);
// Days, fractions allowed (0.5 is twelve hours).
const nonNegativeDays = (fallback: number) => z.coerce.number().min(0).default(fallback);

/** Every environment variable agentq reads. `.env.example` documents each one. */
export const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** PostgreSQL connection string. */
  DATABASE_URL: postgresUrl,
  /** Connections per process in the PostgreSQL pool. */
  DATABASE_POOL_SIZE: positiveInt(10),
  /** Role the API and worker act as: not the tables' owner, no BYPASSRLS (row-level security). */
  DATABASE_APP_ROLE: roleName('agentq_app'),
  /** BYPASSRLS role of the worker's internal cross-tenant jobs (reconciler, retention). */
  DATABASE_MAINTENANCE_ROLE: roleName('agentq_maintenance'),
  /**
   * Redis connection string; BullMQ queues and lifecycle events live here. Required unless
   * REDIS_CLUSTER_NODES or REDIS_SENTINELS is set instead (exactly one of the three).
   */
  REDIS_URL: z.preprocess((value) => (value === '' ? undefined : value), redisUrl.optional()),
  /**
   * Redis Cluster seed nodes, `host:port,host:port`. QUEUE_PREFIX must then carry a {hash tag};
   * each queue extends it to a tag of its own (`{agentq:agent-executions}`), a slot of its own.
   */
  REDIS_CLUSTER_NODES: z.preprocess(
    (value) => (value === '' ? undefined : value),
    redisAddressList,
  ),
  /** Redis Sentinels, `host:port,host:port`, that name the current master of REDIS_SENTINEL_MASTER. */
  REDIS_SENTINELS: z.preprocess((value) => (value === '' ? undefined : value), redisAddressList),
  /** The master group name the Sentinels watch. */
  REDIS_SENTINEL_MASTER: z.string().min(1).default('mymaster'),
  /** Password of the Sentinels themselves (the master's is REDIS_PASSWORD). */
  REDIS_SENTINEL_PASSWORD: optionalText,
  /** ACL user and password of the cluster nodes or the Sentinel-managed master (REDIS_URL carries its own). */
  REDIS_USERNAME: optionalText,
  REDIS_PASSWORD: optionalText,
  /** TLS to the cluster nodes or the Sentinel-managed master (REDIS_URL: use rediss://). */
  REDIS_TLS: z.enum(['true', 'false']).default('false'),
  /** Prefix of every Redis key agentq writes; lets several deployments share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:{}-]+$/, 'letters, digits and _ . : - { } only')
    .default('agentq'),
  /**
   * The API's public base URL, listed as the OpenAPI document's server (default
   * http://localhost:$PORT). Set it when clients reach the API through another address.
   */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** HTTP port of the API. */
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  /** Bearer token for /v1/admin/* and Bull Board. */
  AGENTQ_ADMIN_TOKEN: z.string().min(16, 'must be at least 16 characters'),
  /** Current master key (base64, 32 bytes) encrypting provider API keys. */
  AGENTQ_MASTER_KEY: masterKey,
  /** Earlier master keys, comma separated, still accepted for decryption during rotation. */
  AGENTQ_PREVIOUS_MASTER_KEYS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((key) => key.trim())
        .filter(Boolean),
    )
    .pipe(z.array(masterKey)),
  /** Jobs one worker process runs at the same time. */
  WORKER_CONCURRENCY: positiveInt(10),
  /** How long a stopping worker waits for active jobs before it exits. */
  WORKER_SHUTDOWN_GRACE_MS: positiveInt(30_000),
  /** How often a worker refreshes its row in the workers registry; 3 missed beats and it is gone. */
  WORKER_HEARTBEAT_MS: positiveInt(5_000),
  /** Port of the worker's Prometheus /metrics endpoint; 0 turns it off. */
  METRICS_PORT: z.coerce.number().int().min(0).max(65535).default(9464),
  /** Tenants with a series of their own in the worker's per-tenant waiting gauge; the rest sum into "other". */
  METRICS_TOP_TENANTS: positiveInt(10),
  /** Provider call timeout when an execution does not set timeoutMs. */
  EXECUTION_DEFAULT_TIMEOUT_MS: positiveInt(120_000),
  /**
   * How long a worker's lock on an active job lasts (renewed at half of it). A worker that dies
   * holding jobs loses them to other workers after at most this plus WORKER_STALLED_INTERVAL_MS.
   */
  WORKER_LOCK_DURATION_MS: positiveInt(30_000),
  /** How often each worker looks for active jobs whose lock expired and puts them back. */
  WORKER_STALLED_INTERVAL_MS: positiveInt(30_000),
  /** How often the reconciler compares PostgreSQL with Redis (one run at a time, cluster-wide). */
  RECONCILER_INTERVAL_MS: positiveInt(5_000),
  /** A `queued` execution older than this whose job is missing from Redis is enqueued again. */
  RECONCILER_QUEUED_GRACE_MS: positiveInt(10_000),
  /** A `running` execution with no live job lock is retried or failed this long past its timeout. */
  RECONCILER_RUNNING_MARGIN_MS: positiveInt(15_000),
  /** How long a stopping API lets requests in flight finish before it closes what is left. */
  API_SHUTDOWN_GRACE_MS: positiveInt(10_000),
  /**
   * TEST ONLY (the fault suite): the worker kills itself (SIGKILL) at this point of its first
   * execution, or (`stall-during-provider-call`) blocks its event loop during its first provider
   * call. Refused when NODE_ENV=production.
   */
  AGENTQ_FAULT_INJECTION: z
    .enum(['none', 'crash-after-provider', 'crash-after-commit', 'stall-during-provider-call'])
    .default('none'),
  /**
   * Load shedding: while at least this many executions wait in the queue (ready to run, not
   * delayed), submissions are answered 429 with Retry-After and nothing is written.
   */
  SUBMISSION_MAX_WAITING_JOBS: positiveInt(100_000),
  /** The Retry-After (seconds) of a submission shed because the queue is full. */
  SUBMISSION_RETRY_AFTER_SECONDS: positiveInt(1),
  /** Largest accepted JSON body. */
  HTTP_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'like 512kb or 1mb')
    .default('1mb'),
  /** Failed authentications allowed per client address per window before 429s. */
  AUTH_FAILURE_LIMIT: positiveInt(20),
  AUTH_FAILURE_WINDOW_SECONDS: positiveInt(60),
  /**
   * How long an API process trusts an authenticated key without asking PostgreSQL again (0: ask
   * every time). Revocations reach every process within a second regardless, over Redis pub/sub.
   */
  AUTH_CACHE_TTL_MS: nonNegativeInt(30_000),
  /** How often an API process writes the last_used_at of the keys it saw: at most once per key. */
  AUTH_LAST_USED_INTERVAL_MS: positiveInt(60_000),
  /** `true`, a hop count or addresses/subnets: set behind a load balancer so client addresses are real. */
  TRUST_PROXY: z.string().default('false'),
  /**
   * Refuse outbound connections (provider calls) to any address that is not global unicast
   * (SSRF). Defaults to true when NODE_ENV=production, false otherwise.
   */
  AGENTQ_BLOCK_PRIVATE_PROVIDER_URLS: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true')),
  /**
   * OpenTelemetry, read by the OpenTelemetry SDK itself (see docs/observability.md): tracing is
   * on when an OTLP endpoint is set, unless OTEL_SDK_DISABLED=true or OTEL_TRACES_EXPORTER=none.
   */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_SDK_DISABLED: z.enum(['true', 'false']).default('false'),
  OTEL_TRACES_EXPORTER: z.string().optional(),
  /** The service name on every span; default agentq-api or agentq-worker. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Tokens of memories the worker may put in an agent's system prompt. */
  MEMORY_PROMPT_TOKEN_BUDGET: nonNegativeInt(1_000),
  /** Tokens of a session's earlier turns sent as chat history with a new execution. */
  SESSION_HISTORY_TOKEN_BUDGET: nonNegativeInt(4_000),
  /** Handoffs one chain may make before further requests are refused (0 turns handoffs off). */
  MAX_HANDOFF_DEPTH: nonNegativeInt(5),
  /** How often the API looks for new session events for its open SSE streams. */
  SESSION_EVENTS_POLL_MS: positiveInt(500),
  /** How often the agent-context maintenance job (retention, memory cleanup, archiving) runs. */
  CONTEXT_MAINTENANCE_INTERVAL_MS: positiveInt(300_000),
  /** Rows one maintenance statement touches at most; a run repeats it until done. */
  CONTEXT_MAINTENANCE_BATCH_SIZE: positiveInt(1_000),
  /**
   * Execution input/output, and the text of its steps (model output, tool arguments and results),
   * is cleared this many days after completion (0 keeps it forever).
   */
  EXECUTION_PAYLOAD_RETENTION_DAYS: nonNegativeDays(30),
  /** Finished webhook deliveries, with their attempts, are deleted this many days after (0: never). */
  WEBHOOK_DELIVERY_RETENTION_DAYS: nonNegativeDays(30),
  /** Schedule firings are deleted this many days after they were recorded (0: never). */
  SCHEDULE_FIRING_RETENTION_DAYS: nonNegativeDays(90),
  /** Session events are deleted this many days after they were written (0: never). */
  SESSION_EVENT_RETENTION_DAYS: nonNegativeDays(30),
  /** Finished plans, with their tasks, are deleted this many days after they ended (0: never). */
  PLAN_RETENTION_DAYS: nonNegativeDays(90),
  /** Audit log entries are deleted this many days after they were written (0: never). */
  AUDIT_LOG_RETENTION_DAYS: nonNegativeDays(365),
  /** Memories kept per agent; above it the least important go first (0: no cap). */
  MEMORY_MAX_PER_AGENT: nonNegativeInt(1_000),
  /** Memories neither created nor used for this many days are deleted (0: no age limit). */
  MEMORY_MAX_AGE_DAYS: nonNegativeDays(180),
  /** Memories of at least this importance never expire by age (the cap still applies). */
  MEMORY_KEEP_IMPORTANCE: z.coerce.number().int().min(1).max(11).default(9),
  /** Sessions with no activity for this many days are archived (0: never). */
  SESSION_ARCHIVE_AFTER_DAYS: nonNegativeDays(30),
  /** How often a worker looks for schedules whose next fire time has come (one look at a time, cluster-wide). */
  SCHEDULE_TICK_MS: positiveInt(1_000),
  /** A fire time missed by more than this (every worker down) is skipped as `missed`, not run late. */
  SCHEDULE_CATCHUP_WINDOW_MS: positiveInt(900_000),
  /** Allow cron expressions that fire more than once a minute (a seconds field with several values). */
  SCHEDULES_ALLOW_SECONDS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((value) => value === 'true'),
  /** How often a worker moves due webhook deliveries from PostgreSQL (the outbox) to their queue. */
  WEBHOOK_DISPATCH_INTERVAL_MS: positiveInt(1_000),
  /** Webhook deliveries one worker process sends at the same time (their own queue). */
  WEBHOOK_CONCURRENCY: positiveInt(10),
  /** A webhook endpoint has this long to answer (connect, headers and body). */
  WEBHOOK_TIMEOUT_MS: positiveInt(10_000),
  /** First retry delay of a failed delivery; doubles each attempt (with jitter) up to the maximum. */
  WEBHOOK_RETRY_BASE_MS: positiveInt(5_000),
  WEBHOOK_RETRY_MAX_DELAY_MS: positiveInt(3_600_000),
  /** How long a delivery is retried before it is given up and its endpoint marked failing. */
  WEBHOOK_RETRY_WINDOW_MS: positiveInt(86_400_000),
  /** An endpoint failing for this many days (every delivery given up) is disabled. */
  WEBHOOK_DISABLE_AFTER_DAYS: nonNegativeDays(5),
  /**
   * Refuse webhook deliveries to any address that is not global unicast (SSRF). Defaults to
   * true when NODE_ENV=production, false otherwise.
   */
  AGENTQ_BLOCK_PRIVATE_WEBHOOK_URLS: z
    .enum(['true', 'false'])
    .optional()
    .transform((value) => (value === undefined ? undefined : value === 'true')),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** `json` for production log shippers, `pretty` for a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
});

export type Environment = z.infer<typeof environmentSchema>;
