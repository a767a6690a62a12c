import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { createEmptyTestDatabase, TestDatabase } from '@agentq/testing';
import { Client } from 'pg';
import { MIGRATIONS } from '../migrations';

// `npm run migrate` / `npm run migrate:down` as they run in production: the built CLI in a
// child process, configured by its environment alone.

const CLI = join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'migrate.js');

// The tables of the data model; later migrations may add more.
const CORE_TABLES = [
  'agent_executions',
  'agent_memories',
  'agent_messages',
  'agent_usage_daily',
  'agent_usage_stats',
  'agents',
  'api_keys',
  'llm_providers',
  'session_events',
  'sessions',
  'tenants',
  'workers',
];

interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

function runCli(args: string[], env: NodeJS.ProcessEnv): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('migrate CLI (built)', () => {
  let database: TestDatabase;

  const tables = async (): Promise<string[]> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables
          WHERE table_schema = 'public' AND table_name <> 'typeorm_migrations'
          ORDER BY table_name`,
      );
      return rows.map((row) => row.table_name);
    } finally {
      await client.end();
    }
  };

  const applied = async (): Promise<number> => {
    const client = new Client({ connectionString: database.url });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM typeorm_migrations`,
      );
      return rows[0].n;
    } finally {
      await client.end();
    }
  };

  beforeAll(async () => {
    if (!existsSync(CLI)) {
      throw new Error(`${CLI} is missing: run npm run build first (npm test does)`);
    }
    database = await createEmptyTestDatabase();
  });

  afterAll(async () => {
    await database?.drop();
  });

  it('applies every migration, reverts them one or all, and applies them again', async () => {
    const env = { DATABASE_URL: database.url };

    const up = await runCli(['up'], env);
    expect(up).toMatchObject({ code: 0, stderr: '' });
    expect(up.stdout).toContain('migrate: applied ');
    for (const migration of MIGRATIONS) expect(up.stdout).toContain(migration.name);
    expect(await applied()).toBe(MIGRATIONS.length);
    const schema = await tables();
    expect(schema).toEqual(expect.arrayContaining(CORE_TABLES));

    const again = await runCli(['up'], env);
    expect(again).toMatchObject({ code: 0, stdout: 'migrate: schema is up to date\n' });

    const downOne = await runCli(['down'], env);
    expect(downOne).toMatchObject({ code: 0, stdout: 'migrate: reverted 1 migration(s)\n' });
    expect(await applied()).toBe(MIGRATIONS.length - 1);

    const downAll = await runCli(['down', '--all'], env);
    expect(downAll).toMatchObject({
      code: 0,
      stdout: `migrate: reverted ${MIGRATIONS.length - 1} migration(s)\n`,
    });
    expect(await applied()).toBe(0);
    expect(await tables()).toEqual([]);

    const nothingLeft = await runCli(['down', '--all'], env);
    expect(nothingLeft).toMatchObject({ code: 0, stdout: 'migrate: reverted 0 migration(s)\n' });

    const upAgain = await runCli(['up'], env);
    expect(upAgain.code).toBe(0);
    expect(await applied()).toBe(MIGRATIONS.length);
    expect(await tables()).toEqual(schema);
  });

  it('exits 1 naming DATABASE_URL when it is missing', async () => {
    const run = await runCli(['up'], {});
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('DATABASE_URL is required');
    expect(run.stdout).toBe('');
  });

  it('exits 1 with the usage on an unknown command', async () => {
    const run = await runCli(['sideways'], { DATABASE_URL: database.url });
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('usage: migrate up | migrate down [--all]');
  });

  it('exits 1 with the reason when the database cannot be reached', async () => {
    const url = new URL(database.url);
    url.pathname = '/agentq_no_such_database';
    const run = await runCli(['up'], { DATABASE_URL: url.toString() });
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/migrate: .*agentq_no_such_database/);
  });
});
