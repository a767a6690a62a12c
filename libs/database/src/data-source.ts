import { DataSource, DataSourceOptions } from 'typeorm';
import { MIGRATIONS } from '../../../migrations';
import { ENTITIES } from './entities';
import { SnakeNamingStrategy } from './snake-naming.strategy';

export interface DatabaseSettings {
  url: string;
  poolSize?: number;
  applicationName?: string;
  /**
   * Role every pooled connection acts as from its first query (a startup parameter, not a
   * SET a query could undo by accident). Unset: the login user itself — the schema owner, for
   * migrations and CLI tools only.
   */
  role?: string;
  /** A second, named data source (e.g. the worker's maintenance connection). */
  name?: string;
}

const ROLE_NAME = /^[a-z_][a-z0-9_]*$/;

/** The one definition of the data source, shared by the apps, the migration CLI and tests. */
export function dataSourceOptions(settings: DatabaseSettings): DataSourceOptions {
  if (settings.role !== undefined && !ROLE_NAME.test(settings.role)) {
    throw new Error(`not a plain PostgreSQL role name: ${settings.role}`);
  }
  return {
    type: 'postgres',
    ...(settings.name ? { name: settings.name } : {}),
    url: settings.url,
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'typeorm_migrations',
    migrationsTransactionMode: 'each',
    synchronize: false,
    namingStrategy: new SnakeNamingStrategy(),
    applicationName: settings.applicationName ?? 'agentq',
    extra: {
      max: settings.poolSize ?? 10,
      connectionTimeoutMillis: 5_000,
      ...(settings.role ? { options: `-c role=${settings.role}` } : {}),
    },
  };
}

export function createDataSource(settings: DatabaseSettings): DataSource {
  return new DataSource(dataSourceOptions(settings));
}
