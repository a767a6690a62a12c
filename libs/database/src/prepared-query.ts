import { DataSource, EntityManager } from 'typeorm';

interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Runs a hot statement as a named prepared statement: PostgreSQL parses and plans it once per
 * connection instead of on every call (the planning of the claim's multi-table UPDATE cost more
 * CPU than running it). Within a transaction pass its EntityManager. Names must be unique per
 * statement text. Not for PgBouncer in transaction mode older than 1.21.
 */
export async function queryPrepared<T>(
  target: DataSource | EntityManager,
  name: string,
  text: string,
  values: unknown[],
): Promise<T[]> {
  const manager = target instanceof DataSource ? target.manager : target;
  const runner = manager.queryRunner ?? manager.dataSource.createQueryRunner();
  const client = (await runner.connect()) as PgClient;
  try {
    return (await client.query({ name, text, values })).rows as T[];
  } finally {
    if (!manager.queryRunner) await runner.release();
  }
}
