import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { databaseUrlFor, testServices } from './test-services';

/** Set by the jest global setup: one id per `npm test` run, naming its databases and Redis keys. */
export function testRunId(): string {
  const id = process.env.AGENTQ_TEST_RUN_ID;
  if (!id) throw new Error('AGENTQ_TEST_RUN_ID is not set: run the suites through `npm test`');
  return id;
}

export const templateDatabaseName = (runId: string) => `agentq_test_${runId}_template`;

async function withAdminClient<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: testServices.adminDatabaseUrl() });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

export interface TestDatabase {
  name: string;
  url: string;
  drop(): Promise<void>;
}

/** A fresh, fully migrated database cloned from this run's template. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const runId = testRunId();
  const name = `agentq_test_${runId}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) =>
    client.query(`CREATE DATABASE "${name}" TEMPLATE "${templateDatabaseName(runId)}"`),
  );
  return {
    name,
    url: databaseUrlFor(testServices.adminDatabaseUrl(), name),
    drop: () => dropDatabase(name),
  };
}

/** An empty database with no schema, for migration tests. */
export async function createEmptyTestDatabase(): Promise<TestDatabase> {
  const name = `agentq_test_${testRunId()}_${randomBytes(4).toString('hex')}`;
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  return {
    name,
    url: databaseUrlFor(testServices.adminDatabaseUrl(), name),
    drop: () => dropDatabase(name),
  };
}

export async function dropDatabase(name: string): Promise<void> {
  await withAdminClient((client) => client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`));
}

/** Drops every database this run created (only names carrying the run id). */
export async function dropRunDatabases(runId: string): Promise<string[]> {
  return withAdminClient(async (client) => {
    const { rows } = await client.query<{ datname: string }>(
      `SELECT datname FROM pg_database WHERE datname LIKE $1`,
      [`agentq_test_${runId}_%`],
    );
    for (const { datname } of rows) {
      await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
    }
    return rows.map((row) => row.datname);
  });
}

export async function createDatabase(name: string): Promise<string> {
  await withAdminClient((client) => client.query(`CREATE DATABASE "${name}"`));
  return databaseUrlFor(testServices.adminDatabaseUrl(), name);
}
