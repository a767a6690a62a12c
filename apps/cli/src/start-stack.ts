// `npm start`: the whole stack on one machine, no Docker. PostgreSQL comes from DATABASE_URL
// and Redis from REDIS_URL, REDIS_CLUSTER_NODES or REDIS_SENTINELS when set, else an embedded
// PostgreSQL and a local redis-server keeping their data under .data/. Then migrations, the
// API and one worker; Ctrl-C stops it all.
import { existsSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { AppConfig, ConfigError, loadConfig } from '@agentq/config';
import {
  DevSecrets,
  DevSecretsFile,
  DevTenant,
  newAdminToken,
  newMasterKey,
  newPassword,
} from './stack/dev-secrets';
import { ensureDevTenant } from './stack/dev-tenant';
import { startEmbeddedPostgres } from './stack/embedded-postgres';
import { findExecutable, REDIS_SERVER_MISSING, startLocalRedis } from './stack/local-redis';
import { describeExit, ManagedProcess } from './stack/managed-process';
import { findFreePort, isPortFree, waitFor } from './stack/network';
import { bold, say } from './stack/output';
import { StackError } from './stack/stack-error';

const DIST = resolve(__dirname, '../../..');
const ROOT = resolve(DIST, '..');

const ENTRY_POINTS = {
  migrate: 'apps/cli/src/migrate.js',
  api: 'apps/api/src/main.js',
  worker: 'apps/worker/src/main.js',
} as const;

function envValue(name: string): string | undefined {
  const value = process.env[name];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function portFromEnv(name: string, fallback: number): number {
  const raw = envValue(name);
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new StackError(`${name} must be a port number, got "${raw}"`);
  }
  return port;
}

// The Redis variables that point at a Redis of the user's; the config allows exactly one.
const REDIS_TARGETS = ['REDIS_URL', 'REDIS_CLUSTER_NODES', 'REDIS_SENTINELS'] as const;

// What the banner says about a Redis of the user's: addresses, never a password.
function describeExternalRedis(config: AppConfig, variable: string): string {
  const transport = config.redis.transport;
  const list = (nodes: { host: string; port: number }[]) =>
    nodes.map((node) => `${node.host}:${node.port}`).join(',');
  switch (transport.mode) {
    case 'standalone':
      return `${redact(transport.url)}  (${variable})`;
    case 'cluster':
      return `cluster ${list(transport.nodes)}  (${variable}, prefix ${config.redis.prefix})`;
    case 'sentinel':
      return `sentinel ${list(transport.sentinels)}, master ${transport.masterName}  (${variable})`;
  }
}

const redact = (url: string) => url.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
const shortPath = (path: string) => {
  const short = relative(process.cwd(), path);
  return short.startsWith('..') ? path : short || '.';
};

// How each process is stopped, in this order: no new work, drain the worker, then storage.
const STOP_PLAN: { name: string; signal: NodeJS.Signals }[] = [
  { name: 'migrate', signal: 'SIGTERM' },
  { name: 'api', signal: 'SIGTERM' },
  { name: 'worker', signal: 'SIGTERM' },
  { name: 'redis', signal: 'SIGTERM' },
  // SIGINT is PostgreSQL's "fast" shutdown: disconnect clients, checkpoint, exit.
  { name: 'postgres', signal: 'SIGINT' },
];

class Stack {
  private readonly processes = new Map<string, ManagedProcess>();
  private stoppingSince?: number;
  // How long each process gets after its signal before it is killed; set from the config.
  readonly stopTimeoutMs: Record<string, number> = {
    migrate: 5_000,
    api: 15_000,
    worker: 40_000,
    redis: 10_000,
    postgres: 30_000,
  };

  get isStopping(): boolean {
    return this.stoppingSince !== undefined;
  }

  // Registers a child; a long-running one that exits on its own stops the whole stack.
  track = (child: ManagedProcess, options: { oneShot?: boolean } = {}): void => {
    this.processes.set(child.name, child);
    say(`${child.name} started (pid ${child.pid ?? '?'})`);
    if (this.isStopping) child.kill();
    void child.exited.then((exit) => {
      if (options.oneShot || child.isStopping || this.isStopping) return;
      void this.stop(
        1,
        `${child.name} exited unexpectedly (${describeExit(exit)}); stopping the rest`,
      );
    });
  };

  // Stops every child in STOP_PLAN order, then exits the process with `code`.
  async stop(code: number, reason?: string): Promise<void> {
    if (this.isStopping) return;
    this.stoppingSince = Date.now();
    if (reason) say(reason);
    const running = [...this.processes.values()].filter((child) => !child.hasExited);
    if (running.length > 0) say('stopping (press Ctrl-C again to kill everything at once)');
    for (const step of STOP_PLAN) {
      const child = this.processes.get(step.name);
      if (!child || child.hasExited) continue;
      const exit = await child.stop(step.signal, this.stopTimeoutMs[step.name]);
      say(`${child.name} stopped (${describeExit(exit)})`);
    }
    if (running.length > 0) say('stopped');
    process.exit(code);
  }

  onSignal = (signal: NodeJS.Signals): void => {
    if (!this.isStopping) {
      void this.stop(0, `${signal} received`);
      return;
    }
    // npm forwards the terminal's Ctrl-C as well: only a later, deliberate one forces.
    if (Date.now() - (this.stoppingSince ?? 0) < 1_000) return;
    say(`${signal} received again; killing everything`);
    this.killAll();
    process.exit(130);
  };

  // Last resort (second Ctrl-C, or the stack itself crashing): SIGKILL every child group.
  killAll = (): void => {
    for (const child of this.processes.values()) child.kill();
  };
}

function checkConfiguration(env: NodeJS.ProcessEnv): AppConfig {
  try {
    return loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) {
      throw new StackError(`${error.message}\nSee .env.example for every variable.`);
    }
    throw error;
  }
}

async function ensurePortFree(port: number, host: string | undefined, hint: string) {
  if (!(await isPortFree(port, host))) {
    throw new StackError(`port ${port} is already in use. ${hint}`);
  }
}

function loadSecrets(file: DevSecretsFile): DevSecrets {
  const stored = file.read();
  const generated: Partial<DevSecrets> = {};
  if (!envValue('AGENTQ_ADMIN_TOKEN') && !stored.adminToken) generated.adminToken = newAdminToken();
  if (!envValue('AGENTQ_MASTER_KEY') && !stored.masterKey) generated.masterKey = newMasterKey();
  if (Object.keys(generated).length === 0) return stored;
  say(`generated ${Object.keys(generated).join(' and ')}; kept in ${shortPath(file.path)}`);
  return file.update(generated);
}

function printBanner(details: {
  apiUrl: string;
  adminToken: string;
  tenant?: DevTenant;
  database: string;
  redis: string;
}): void {
  const { apiUrl, adminToken, tenant } = details;
  const lines = [
    '',
    bold('agentq is running'),
    '',
    `  API          ${apiUrl}`,
    `  API docs     ${apiUrl}/docs`,
    `  Bull Board   ${apiUrl}/admin/queues  (asks for the admin token: any username, the token as password)`,
    `  PostgreSQL   ${details.database}`,
    `  Redis        ${details.redis}`,
    `  Runtime      Node.js ${process.version}`,
    '',
    `  Admin token  ${adminToken}`,
    tenant
      ? `  API key      ${tenant.apiKey}  (tenant "${tenant.name}", ${tenant.id})`
      : '  API key      none: the development tenant could not be created (see above)',
    '',
    '  Try it:',
    tenant
      ? `  curl -H "Authorization: Bearer ${tenant.apiKey}" ${apiUrl}/v1/agents`
      : `  curl -X POST -H "Authorization: Bearer ${adminToken}" -H "Content-Type: application/json" -d '{"name":"me"}' ${apiUrl}/v1/admin/tenants`,
    '',
    'Press Ctrl-C to stop everything.',
    '',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function main(stack: Stack): Promise<void> {
  const envFile = join(ROOT, '.env');
  if (existsSync(envFile)) {
    process.loadEnvFile(envFile); // never overrides variables already set
    say(`read ${shortPath(envFile)}`);
  }

  const dataDir = resolve(ROOT, envValue('AGENTQ_DEV_DATA_DIR') ?? '.data');
  const postgresPort = portFromEnv('AGENTQ_DEV_POSTGRES_PORT', 54329);
  const redisPort = portFromEnv('AGENTQ_DEV_REDIS_PORT', 63799);
  let apiPort = portFromEnv('PORT', 3000);

  for (const entry of Object.values(ENTRY_POINTS)) {
    if (!existsSync(join(DIST, entry))) {
      throw new StackError(
        `${shortPath(join(DIST, entry))} is missing: build first (npm run build; npm start does it)`,
      );
    }
  }

  const externalDatabase = envValue('DATABASE_URL');
  const externalRedisVariable = REDIS_TARGETS.find((name) => envValue(name) !== undefined);
  const externalRedis = externalRedisVariable !== undefined;
  const redisServer = externalRedis ? undefined : findExecutable('redis-server');
  if (!externalRedis && !redisServer) throw new StackError(REDIS_SERVER_MISSING);

  const secretsFile = new DevSecretsFile(join(dataDir, 'dev-secrets.json'));
  let secrets = loadSecrets(secretsFile);
  const adminToken = envValue('AGENTQ_ADMIN_TOKEN') ?? (secrets.adminToken as string);
  const masterKey = envValue('AGENTQ_MASTER_KEY') ?? (secrets.masterKey as string);

  if (apiPort === 0) apiPort = await findFreePort();
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: envValue('NODE_ENV') ?? 'development',
    LOG_FORMAT: envValue('LOG_FORMAT') ?? 'pretty',
    // Development talks to local models (Ollama, vLLM) on private addresses.
    AGENTQ_BLOCK_PRIVATE_PROVIDER_URLS: envValue('AGENTQ_BLOCK_PRIVATE_PROVIDER_URLS') ?? 'false',
    AGENTQ_ADMIN_TOKEN: adminToken,
    AGENTQ_MASTER_KEY: masterKey,
    PORT: String(apiPort),
  };
  // Fail on a bad .env now, not after starting the databases.
  const config = checkConfiguration({
    ...baseEnv,
    DATABASE_URL: externalDatabase ?? 'postgres://embedded',
    // A Redis of the user's is checked as given (one of the three, a hash-tagged prefix on a
    // cluster); the local redis-server is a plain URL.
    ...(externalRedis ? {} : { REDIS_URL: 'redis://embedded' }),
  });

  stack.stopTimeoutMs.api = config.http.shutdownGraceMs + 5_000;
  stack.stopTimeoutMs.worker = config.worker.shutdownGraceMs + 10_000;

  await ensurePortFree(
    apiPort,
    undefined,
    'Stop what uses it or choose another: PORT=3001 npm start',
  );
  if (config.worker.metricsPort > 0) {
    await ensurePortFree(
      config.worker.metricsPort,
      undefined,
      'The worker serves /metrics there: set METRICS_PORT to a free port, or 0 to turn it off.',
    );
  }
  if (!externalDatabase) {
    await ensurePortFree(
      postgresPort,
      '127.0.0.1',
      'Is another npm start running? Else set AGENTQ_DEV_POSTGRES_PORT, or DATABASE_URL.',
    );
  }
  if (!externalRedis) {
    await ensurePortFree(
      redisPort,
      '127.0.0.1',
      'Is another npm start running? Else set AGENTQ_DEV_REDIS_PORT, or REDIS_URL.',
    );
  }

  let databaseUrl: string;
  let databaseNote: string;
  if (externalDatabase) {
    databaseUrl = externalDatabase;
    databaseNote = `${redact(externalDatabase)}  (DATABASE_URL)`;
    say(`using PostgreSQL at ${redact(externalDatabase)} (DATABASE_URL)`);
  } else {
    const postgresDir = join(dataDir, 'postgres');
    if (!secrets.postgresPassword) {
      if (existsSync(join(postgresDir, 'PG_VERSION'))) {
        throw new StackError(
          `${shortPath(postgresDir)} exists but ${shortPath(secretsFile.path)} has no postgresPassword ` +
            `for it; delete ${shortPath(postgresDir)} to start with a fresh database`,
        );
      }
      secrets = secretsFile.update({ postgresPassword: newPassword() });
    }
    const postgres = await startEmbeddedPostgres(
      {
        dataDir: postgresDir,
        port: postgresPort,
        user: 'agentq',
        password: secrets.postgresPassword as string,
        database: 'agentq',
      },
      stack.track,
    );
    databaseUrl = postgres.url;
    databaseNote = `${postgres.url}  (embedded, data in ${shortPath(postgresDir)})`;
  }

  // A Redis of the user's reaches the API and worker through baseEnv, variables as given.
  let redisEnv: NodeJS.ProcessEnv = {};
  let redisNote: string;
  if (externalRedis) {
    redisNote = describeExternalRedis(config, externalRedisVariable);
    say(`using Redis at ${redisNote}`);
  } else {
    const redisDir = join(dataDir, 'redis');
    const redis = await startLocalRedis(
      { binary: redisServer as string, dataDir: redisDir, port: redisPort },
      stack.track,
    );
    redisEnv = { REDIS_URL: redis.url };
    redisNote = `${redis.url}  (redis-server, data in ${shortPath(redisDir)})`;
  }

  const env = { ...baseEnv, DATABASE_URL: databaseUrl, ...redisEnv };
  const node = (name: keyof typeof ENTRY_POINTS, args: string[] = []) =>
    new ManagedProcess({
      name,
      command: process.execPath,
      args: [join(DIST, ENTRY_POINTS[name]), ...args],
      env,
      cwd: ROOT,
    });

  const migrate = node('migrate', ['up']);
  stack.track(migrate, { oneShot: true });
  const migrated = await migrate.exited;
  if (migrated.code !== 0) throw new StackError(`migrations failed (${describeExit(migrated)})`);

  const worker = node('worker');
  stack.track(worker);
  const api = node('api');
  stack.track(api);

  const apiUrl = `http://localhost:${apiPort}`;
  await waitFor(
    'the API did not become ready',
    async () => {
      const response = await fetch(`http://127.0.0.1:${apiPort}/health/ready`);
      const body = await response.text();
      if (response.status === 200) return true;
      throw new Error(`GET /health/ready answered ${response.status} ${body.slice(0, 200)}`);
    },
    { timeoutMs: 90_000, abort: () => (stack.isStopping ? 'the stack is stopping' : undefined) },
  );
  say(`API ready on ${apiUrl}`);

  let tenant: DevTenant | undefined;
  try {
    const outcome = await ensureDevTenant(apiUrl, adminToken, secrets.tenant);
    tenant = outcome.tenant;
    if (outcome.created) {
      secretsFile.update({ tenant });
      say(
        `created the development tenant (${tenant.id}); its key is kept in ${shortPath(secretsFile.path)}`,
      );
    }
  } catch (error) {
    say(`could not create the development tenant: ${(error as Error).message}`);
  }

  printBanner({ apiUrl, adminToken, tenant, database: databaseNote, redis: redisNote });
}

const stack = new Stack();
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, stack.onSignal);
process.on('exit', stack.killAll);

main(stack).catch((error: Error) => {
  if (stack.isStopping) return;
  say(error instanceof StackError ? error.message : `failed: ${error.stack ?? error.message}`);
  void stack.stop(1);
});
