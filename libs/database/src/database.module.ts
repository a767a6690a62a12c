import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { dataSourceOptions } from './data-source';

/** Name of the worker's BYPASSRLS data source: `@InjectDataSource(MAINTENANCE_DATA_SOURCE)`. */
export const MAINTENANCE_DATA_SOURCE = 'maintenance';

@Module({})
export class DatabaseModule {
  /** The default data source, acting as DATABASE_APP_ROLE: row-level security applies. */
  static forRoot(applicationName: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            dataSourceOptions({
              url: config.database.url,
              poolSize: config.database.poolSize,
              applicationName,
              role: config.database.appRole,
            }),
        }),
      ],
      exports: [TypeOrmModule],
    };
  }

  /**
   * A second data source acting as DATABASE_MAINTENANCE_ROLE (BYPASSRLS), for the worker's
   * internal cross-tenant jobs only; never imported by the API.
   */
  static forMaintenance(applicationName: string): DynamicModule {
    return {
      module: DatabaseModule,
      imports: [
        TypeOrmModule.forRootAsync({
          name: MAINTENANCE_DATA_SOURCE,
          inject: [APP_CONFIG],
          useFactory: (config: AppConfig) =>
            dataSourceOptions({
              name: MAINTENANCE_DATA_SOURCE,
              url: config.database.url,
              poolSize: 2,
              applicationName: `${applicationName}-maintenance`,
              role: config.database.maintenanceRole,
            }),
        }),
      ],
      exports: [TypeOrmModule],
    };
  }
}
