import { Environment, environmentSchema } from './config.schema';
import { hashTagOf } from './queue-key-prefix';

export interface AppConfig {
  nodeEnv: Environment['NODE_ENV'];
  database: {
    url: string;
    poolSize: number;
    /** Role of every API/worker connection (row-level security applies). */
    appRole: string;
    /** BYPASSRLS role of the worker's cross-tenant maintenance jobs. */
    maintenanceRole: string;
  };
  redis: {
    /** The standalone Redis URL; empty when Redis Cluster or Sentinel is configured instead. */
    url: string;
    prefix: string;
    transport: RedisTransport;
  };
  http: {
    port: number;
    /** The OpenAPI document's server URL. */
    publicUrl: string;
    bodyLimit: string;
    trustProxy: string;
    shutdownGraceMs: number;
  };
  /** OpenTelemetry tracing: the SDK reads its own OTEL_* settings; this says whether to start it. */
  telemetry: { tracesEnabled: boolean; serviceName: string | undefined };
  auth: {
    failureLimit: number;
    failureWindowSeconds: number;
    /** 0: no cache, every request asks PostgreSQL. */
    cacheTtlMs: number;
    lastUsedIntervalMs: number;
  };
  providers: { blockPrivateUrls: boolean };
  adminToken: string;
  masterKeys: { current: string; previous: string[] };
  worker: {
    concurrency: number;
    shutdownGraceMs: number;
    heartbeatMs: number;
    /** A worker whose last heartbeat is older than this is no longer live: 3 heartbeats. */
    staleAfterMs: number;
    /** 0: no /metrics server. */
    metricsPort: number;
    /** Tenants named in agentq_queue_tenant_waiting; the others are summed as "other". */
    metricsTopTenants: number;
    lockDurationMs: number;
    stalledIntervalMs: number;
  };
  reconciler: { intervalMs: number; queuedGraceMs: number; runningMarginMs: number };
  /** Test-only crash point of the worker (AGENTQ_FAULT_INJECTION); null in normal runs. */
  faultInjection: FaultInjectionPoint | null;
  executions: { defaultTimeoutMs: number };
  submissions: { maxWaitingJobs: number; retryAfterSeconds: number };
  agentContext: {
    memoryTokenBudget: number;
    historyTokenBudget: number;
    maxHandoffDepth: number;
    sessionEventsPollMs: number;
  };
  contextMaintenance: {
    intervalMs: number;
    batchSize: number;
    /** 0: keep payloads forever. */
    payloadRetentionDays: number;
    /** 0: no cap. */
    memoryMaxPerAgent: number;
    /** 0: no age limit. */
    memoryMaxAgeDays: number;
    memoryKeepImportance: number;
    /** 0: never archive. */
    sessionArchiveAfterDays: number;
    /** Finished webhook deliveries and their attempts (0: kept forever). */
    webhookDeliveryRetentionDays: number;
    /** Schedule firings (0: kept forever). */
    scheduleFiringRetentionDays: number;
    /** Session events (0: kept forever). */
    sessionEventRetentionDays: number;
    /** Finished plans and their tasks (0: kept forever). */
    planRetentionDays: number;
    /** Audit log entries (0: kept forever). */
    auditLogRetentionDays: number;
  };
  schedules: {
    tickMs: number;
    catchupWindowMs: number;
    /** False: at most one firing per minute per schedule. */
    allowSeconds: boolean;
  };
  webhooks: {
    dispatchIntervalMs: number;
    concurrency: number;
    timeoutMs: number;
    retryBaseMs: number;
    retryMaxDelayMs: number;
    retryWindowMs: number;
    disableAfterDays: number;
    blockPrivateUrls: boolean;
  };
  log: { level: Environment['LOG_LEVEL']; format: Environment['LOG_FORMAT'] };
}

export interface RedisAddress {
  host: string;
  port: number;
}

/** Credentials and TLS of cluster nodes or a Sentinel-managed master (a URL carries its own). */
export interface RedisAuth {
  username?: string;
  password?: string;
  tls: boolean;
}

/** How a process reaches Redis: one server, a Redis Cluster, or the master Sentinels name. */
export type RedisTransport =
  | { mode: 'standalone'; url: string }
  | { mode: 'cluster'; nodes: RedisAddress[]; auth: RedisAuth }
  | {
      mode: 'sentinel';
      sentinels: RedisAddress[];
      masterName: string;
      sentinelPassword?: string;
      auth: RedisAuth;
    };

export type FaultInjectionPoint = Exclude<Environment['AGENTQ_FAULT_INJECTION'], 'none'>;

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates the environment once; throws ConfigError naming every bad or missing variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = environmentSchema.safeParse(env);
  if (!parsed.success) {
    const noRedis = REDIS_ALTERNATIVES.every((name) => !env[name]);
    throw new ConfigError([
      ...describeIssues(env, parsed.error.issues),
      ...(noRedis ? [MISSING_REDIS] : []),
    ]);
  }
  const e = parsed.data;
  if (e.NODE_ENV === 'production' && e.AGENTQ_FAULT_INJECTION !== 'none') {
    throw new ConfigError(['AGENTQ_FAULT_INJECTION is for tests and refused in production']);
  }
  const redisTransport = toRedisTransport(e);
  return {
    nodeEnv: e.NODE_ENV,
    database: {
      url: e.DATABASE_URL,
      poolSize: e.DATABASE_POOL_SIZE,
      appRole: e.DATABASE_APP_ROLE,
      maintenanceRole: e.DATABASE_MAINTENANCE_ROLE,
    },
    redis: {
      url: redisTransport.mode === 'standalone' ? redisTransport.url : '',
      prefix: e.QUEUE_PREFIX,
      transport: redisTransport,
    },
    http: {
      port: e.PORT,
      publicUrl: (e.PUBLIC_URL ?? `http://localhost:${e.PORT}`).replace(/\/$/, ''),
      bodyLimit: e.HTTP_BODY_LIMIT,
      trustProxy: e.TRUST_PROXY,
      shutdownGraceMs: e.API_SHUTDOWN_GRACE_MS,
    },
    auth: {
      failureLimit: e.AUTH_FAILURE_LIMIT,
      failureWindowSeconds: e.AUTH_FAILURE_WINDOW_SECONDS,
      cacheTtlMs: e.AUTH_CACHE_TTL_MS,
      lastUsedIntervalMs: e.AUTH_LAST_USED_INTERVAL_MS,
    },
    providers: {
      blockPrivateUrls: e.AGENTQ_BLOCK_PRIVATE_PROVIDER_URLS ?? e.NODE_ENV === 'production',
    },
    adminToken: e.AGENTQ_ADMIN_TOKEN,
    masterKeys: { current: e.AGENTQ_MASTER_KEY, previous: e.AGENTQ_PREVIOUS_MASTER_KEYS },
    worker: {
      concurrency: e.WORKER_CONCURRENCY,
      shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS,
      heartbeatMs: e.WORKER_HEARTBEAT_MS,
      staleAfterMs: 3 * e.WORKER_HEARTBEAT_MS,
      metricsPort: e.METRICS_PORT,
      metricsTopTenants: e.METRICS_TOP_TENANTS,
      lockDurationMs: e.WORKER_LOCK_DURATION_MS,
      stalledIntervalMs: e.WORKER_STALLED_INTERVAL_MS,
    },
    reconciler: {
      intervalMs: e.RECONCILER_INTERVAL_MS,
      queuedGraceMs: e.RECONCILER_QUEUED_GRACE_MS,
      runningMarginMs: e.RECONCILER_RUNNING_MARGIN_MS,
    },
    faultInjection: e.AGENTQ_FAULT_INJECTION === 'none' ? null : e.AGENTQ_FAULT_INJECTION,
    executions: { defaultTimeoutMs: e.EXECUTION_DEFAULT_TIMEOUT_MS },
    submissions: {
      maxWaitingJobs: e.SUBMISSION_MAX_WAITING_JOBS,
      retryAfterSeconds: e.SUBMISSION_RETRY_AFTER_SECONDS,
    },
    agentContext: {
      memoryTokenBudget: e.MEMORY_PROMPT_TOKEN_BUDGET,
      historyTokenBudget: e.SESSION_HISTORY_TOKEN_BUDGET,
      maxHandoffDepth: e.MAX_HANDOFF_DEPTH,
      sessionEventsPollMs: e.SESSION_EVENTS_POLL_MS,
    },
    contextMaintenance: {
      intervalMs: e.CONTEXT_MAINTENANCE_INTERVAL_MS,
      batchSize: e.CONTEXT_MAINTENANCE_BATCH_SIZE,
      payloadRetentionDays: e.EXECUTION_PAYLOAD_RETENTION_DAYS,
      memoryMaxPerAgent: e.MEMORY_MAX_PER_AGENT,
      memoryMaxAgeDays: e.MEMORY_MAX_AGE_DAYS,
      memoryKeepImportance: e.MEMORY_KEEP_IMPORTANCE,
      sessionArchiveAfterDays: e.SESSION_ARCHIVE_AFTER_DAYS,
      webhookDeliveryRetentionDays: e.WEBHOOK_DELIVERY_RETENTION_DAYS,
      scheduleFiringRetentionDays: e.SCHEDULE_FIRING_RETENTION_DAYS,
      sessionEventRetentionDays: e.SESSION_EVENT_RETENTION_DAYS,
      planRetentionDays: e.PLAN_RETENTION_DAYS,
      auditLogRetentionDays: e.AUDIT_LOG_RETENTION_DAYS,
    },
    schedules: {
      tickMs: e.SCHEDULE_TICK_MS,
      catchupWindowMs: e.SCHEDULE_CATCHUP_WINDOW_MS,
      allowSeconds: e.SCHEDULES_ALLOW_SECONDS,
    },
    webhooks: {
      dispatchIntervalMs: e.WEBHOOK_DISPATCH_INTERVAL_MS,
      concurrency: e.WEBHOOK_CONCURRENCY,
      timeoutMs: e.WEBHOOK_TIMEOUT_MS,
      retryBaseMs: e.WEBHOOK_RETRY_BASE_MS,
      retryMaxDelayMs: e.WEBHOOK_RETRY_MAX_DELAY_MS,
      retryWindowMs: e.WEBHOOK_RETRY_WINDOW_MS,
      disableAfterDays: e.WEBHOOK_DISABLE_AFTER_DAYS,
      blockPrivateUrls: e.AGENTQ_BLOCK_PRIVATE_WEBHOOK_URLS ?? e.NODE_ENV === 'production',
    },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
    telemetry: {
      tracesEnabled:
        e.OTEL_SDK_DISABLED !== 'true' &&
        e.OTEL_TRACES_EXPORTER !== 'none' &&
        (e.OTEL_EXPORTER_OTLP_ENDPOINT ?? e.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) !== undefined,
      serviceName: e.OTEL_SERVICE_NAME,
    },
  };
}

const REDIS_ALTERNATIVES = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const;
const MISSING_REDIS =
  'REDIS_URL is required (or REDIS_CLUSTER_NODES for Redis Cluster, REDIS_SENTINELS for Sentinel)';

// Exactly one of REDIS_URL, REDIS_CLUSTER_NODES and REDIS_SENTINELS. On a cluster, BullMQ's
// scripts touch several keys of a queue at once, which Redis Cluster allows only within one
// hash slot: the prefix must carry a hash tag, from which each queue gets a tag of its own
// (queueKeyPrefix), so that every key of a queue hashes alike and the queues spread over slots.
function toRedisTransport(e: Environment): RedisTransport {
  const given = REDIS_ALTERNATIVES.filter((name) => e[name] !== undefined);
  if (given.length === 0) throw new ConfigError([MISSING_REDIS]);
  if (given.length > 1) {
    throw new ConfigError([`set only one of ${given.join(', ')}: they are alternatives`]);
  }
  const auth: RedisAuth = {
    username: e.REDIS_USERNAME,
    password: e.REDIS_PASSWORD,
    tls: e.REDIS_TLS === 'true',
  };
  if (e.REDIS_URL !== undefined) {
    const separate = (['REDIS_USERNAME', 'REDIS_PASSWORD'] as const).filter((name) => e[name]);
    if (separate.length > 0 || auth.tls) {
      throw new ConfigError([
        `${[...separate, ...(auth.tls ? ['REDIS_TLS'] : [])].join(', ')}: only for REDIS_CLUSTER_NODES or REDIS_SENTINELS; with REDIS_URL put the credentials in the URL (rediss:// for TLS)`,
      ]);
    }
    return { mode: 'standalone', url: e.REDIS_URL };
  }
  if (e.REDIS_CLUSTER_NODES !== undefined) {
    if (!hashTagOf(e.QUEUE_PREFIX)) {
      throw new ConfigError([
        `QUEUE_PREFIX must carry a hash tag such as {${e.QUEUE_PREFIX}} with REDIS_CLUSTER_NODES: BullMQ needs every key of a queue in one hash slot`,
      ]);
    }
    return { mode: 'cluster', nodes: e.REDIS_CLUSTER_NODES, auth };
  }
  return {
    mode: 'sentinel',
    sentinels: e.REDIS_SENTINELS ?? [],
    masterName: e.REDIS_SENTINEL_MASTER,
    sentinelPassword: e.REDIS_SENTINEL_PASSWORD,
    auth,
  };
}

function describeIssues(
  env: NodeJS.ProcessEnv,
  issues: { path: PropertyKey[]; message: string }[],
) {
  return issues.map((issue) => {
    const name = issue.path.join('.');
    const missing = env[name] === undefined || env[name] === '';
    return missing ? `${name} is required` : `${name} ${issue.message}`;
  });
}

/** The subset the migration CLI needs: only DATABASE_URL. */
export function loadDatabaseConfig(
  env: NodeJS.ProcessEnv = process.env,
): Pick<AppConfig['database'], 'url' | 'poolSize'> {
  const parsed = environmentSchema
    .pick({ DATABASE_URL: true, DATABASE_POOL_SIZE: true })
    .safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(env, parsed.error.issues));
  return { url: parsed.data.DATABASE_URL, poolSize: parsed.data.DATABASE_POOL_SIZE };
}

/** The subset key rotation needs: the database and the master keys. */
export function loadKeyRotationConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = environmentSchema
    .pick({
      DATABASE_URL: true,
      DATABASE_MAINTENANCE_ROLE: true,
      AGENTQ_MASTER_KEY: true,
      AGENTQ_PREVIOUS_MASTER_KEYS: true,
    })
    .safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(env, parsed.error.issues));
  return {
    databaseUrl: parsed.data.DATABASE_URL,
    maintenanceRole: parsed.data.DATABASE_MAINTENANCE_ROLE,
    masterKeys: {
      current: parsed.data.AGENTQ_MASTER_KEY,
      previous: parsed.data.AGENTQ_PREVIOUS_MASTER_KEYS,
    },
  };
}

/** For entry points: a bad environment prints what is wrong and exits 1. */
export function loadConfigOrExit<T = AppConfig>(
  env: NodeJS.ProcessEnv = process.env,
  load: (env: NodeJS.ProcessEnv) => T = loadConfig as (env: NodeJS.ProcessEnv) => T,
): T {
  try {
    return load(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\nSee .env.example for every variable.\n`);
      process.exit(1);
    }
    throw error;
  }
}
