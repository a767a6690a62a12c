import { z } from 'zod';

const masterKey = z.string().refine((value) => Buffer.from(value, 'base64').length === 32, {
  message: 'must be 32 bytes encoded as base64 (openssl rand -base64 32)',
});

const redisUrl = z.string().refine((value) => /^rediss?:\/\//.test(value), {
  message: 'must be a redis:// or rediss:// URL',
});

const postgresUrl = z.string().refine((value) => /^postgres(ql)?:\/\//.test(value), {
  message: 'must be a postgres:// or postgresql:// URL',
});

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/** Every environment variable agentq reads. `.env.example` documents each one. */
export const environmentSchema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** PostgreSQL connection string. */
  DATABASE_URL: postgresUrl,
  /** Connections per process in the PostgreSQL pool. */
  DATABASE_POOL_SIZE: positiveInt(10),
  /** Redis connection string; BullMQ queues and lifecycle events live here. */
  REDIS_URL: redisUrl,
  /** Prefix of every Redis key agentq writes; lets several deployments share one Redis. */
  QUEUE_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_.:-]+$/, 'letters, digits and _ . : - only')
    .default('agentq'),
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
  /** Provider call timeout when an execution does not set timeoutMs. */
  EXECUTION_DEFAULT_TIMEOUT_MS: positiveInt(120_000),
  /** Largest accepted JSON body. */
  HTTP_BODY_LIMIT: z
    .string()
    .regex(/^\d+(b|kb|mb)$/i, 'like 512kb or 1mb')
    .default('1mb'),
  LOG_LEVEL: z.enum(['error', 'warn', 'log', 'debug', 'verbose']).default('log'),
  /** `json` for production log shippers, `pretty` for a terminal. */
  LOG_FORMAT: z.enum(['json', 'pretty']).default('json'),
});

export type Environment = z.infer<typeof environmentSchema>;
