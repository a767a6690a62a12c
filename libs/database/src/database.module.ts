import { DynamicModule, Module } from '@nestjs/common';
import { getDataSourceToken, TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { DatabaseSettings, dataSourceOptions } from './data-source';

/** Name of the worker's BYPASSRLS data source: `@InjectDataSource(MAINTENANCE_DATA_SOURCE)`. */
export const MAINTENANCE_DATA_SOURCE = 'maintenance';

// @nestjs/typeorm keeps one registry of data source names per process and warns when a name is
// registered twice, yet one process may hold several apps (the test stack runs the API and its
// workers side by side), each with data sources of its own. So every registration gets a
// name of its own, and the token the code injects (`DataSource`, `maintenanceDataSource`) is an
// alias of it within its app.
let registrations = 0;

function dataSourceModule(
  injectedAs: string | undefined,
  settings: (config: AppConfig) => Omit<DatabaseSettings, 'name'>,
): DynamicModule {
  registrations += 1;
  const name = `${injectedAs ?? 'default'}-${registrations}`;
  const token = getDataSourceToken(injectedAs);
  return {
    module: DatabaseModule,
    // Like the data sources themselves (TypeOrmModule's are global): visible to every module.
    global: true,
    imports: [
      TypeOrmModule.forRootAsync({
        name,
        inject: [APP_CONFIG],
        useFactory: (config: AppConfig) => dataSourceOptions(settings(config)),
      }),
    ],
    providers: [{ provide: token, useExisting: getDataSourceToken(name) }],
    exports: [token],
  };
}

@Module({})
export class DatabaseModule {
  /** The default data source, acting as DATABASE_APP_ROLE: row-level security applies. */
  static forRoot(applicationName: string): DynamicModule {
    return dataSourceModule(undefined, (config) => ({
      url: config.database.url,
      poolSize: config.database.poolSize,
      applicationName,
      role: config.database.appRole,
    }));
  }

  /**
   * A second data source acting as DATABASE_MAINTENANCE_ROLE (BYPASSRLS), for the worker's
   * internal cross-tenant jobs only; never imported by the API.
   */
  static forMaintenance(applicationName: string): DynamicModule {
    return dataSourceModule(MAINTENANCE_DATA_SOURCE, (config) => ({
      url: config.database.url,
      poolSize: 2,
      applicationName: `${applicationName}-maintenance`,
      role: config.database.maintenanceRole,
    }));
  }
}
