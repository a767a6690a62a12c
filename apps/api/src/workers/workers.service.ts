import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { WorkerRegistration } from '@agentq/database';
import { DataSource } from 'typeorm';

@Injectable()
export class WorkersService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** Workers that heartbeated within WORKER_HEARTBEAT_MS × 3, by the database's clock. */
  listLive(): Promise<WorkerRegistration[]> {
    return this.dataSource
      .getRepository(WorkerRegistration)
      .createQueryBuilder('w')
      .where(`w.last_heartbeat_at >= now() - make_interval(secs => :seconds)`, {
        seconds: this.config.worker.staleAfterMs / 1_000,
      })
      .orderBy('w.started_at', 'ASC')
      .addOrderBy('w.id', 'ASC')
      .getMany();
  }
}
