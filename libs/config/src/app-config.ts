import { Environment, environmentSchema } from './config.schema';

export interface AppConfig {
  nodeEnv: Environment['NODE_ENV'];
  database: { url: string; poolSize: number };
  redis: { url: string; prefix: string };
  http: { port: number; bodyLimit: string };
  adminToken: string;
  masterKeys: { current: string; previous: string[] };
  worker: { concurrency: number; shutdownGraceMs: number };
  executions: { defaultTimeoutMs: number };
  log: { level: Environment['LOG_LEVEL']; format: Environment['LOG_FORMAT'] };
}

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
    throw new ConfigError(describeIssues(env, parsed.error.issues));
  }
  const e = parsed.data;
  return {
    nodeEnv: e.NODE_ENV,
    database: { url: e.DATABASE_URL, poolSize: e.DATABASE_POOL_SIZE },
    redis: { url: e.REDIS_URL, prefix: e.QUEUE_PREFIX },
    http: { port: e.PORT, bodyLimit: e.HTTP_BODY_LIMIT },
    adminToken: e.AGENTQ_ADMIN_TOKEN,
    masterKeys: { current: e.AGENTQ_MASTER_KEY, previous: e.AGENTQ_PREVIOUS_MASTER_KEYS },
    worker: { concurrency: e.WORKER_CONCURRENCY, shutdownGraceMs: e.WORKER_SHUTDOWN_GRACE_MS },
    executions: { defaultTimeoutMs: e.EXECUTION_DEFAULT_TIMEOUT_MS },
    log: { level: e.LOG_LEVEL, format: e.LOG_FORMAT },
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
export function loadDatabaseConfig(env: NodeJS.ProcessEnv = process.env): AppConfig['database'] {
  const parsed = environmentSchema
    .pick({ DATABASE_URL: true, DATABASE_POOL_SIZE: true })
    .safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(env, parsed.error.issues));
  return { url: parsed.data.DATABASE_URL, poolSize: parsed.data.DATABASE_POOL_SIZE };
}

/** The subset key rotation needs: the database and the master keys. */
export function loadKeyRotationConfig(env: NodeJS.ProcessEnv = process.env) {
  const parsed = environmentSchema
    .pick({ DATABASE_URL: true, AGENTQ_MASTER_KEY: true, AGENTQ_PREVIOUS_MASTER_KEYS: true })
    .safeParse(env);
  if (!parsed.success) throw new ConfigError(describeIssues(env, parsed.error.issues));
  return {
    databaseUrl: parsed.data.DATABASE_URL,
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
