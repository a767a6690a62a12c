import {
  BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
} from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { hostname } from 'node:os';
import { DataSource } from 'typeorm';
import { version } from '../../../../package.json';
import { ExecutionMetrics } from '../metrics/execution-metrics.service';
import { WORKER_ID } from '../worker-identity';

// Upserts this worker's row and the jobs it ended, and removes the rows of workers that
// stopped heartbeating, in one statement. Times are the database's, so hosts' clocks do not
// matter.
const HEARTBEAT_SQL = `
WITH beat AS (
  INSERT INTO workers AS w (id, host, pid, version, concurrency, started_at, last_heartbeat_at,
                            jobs_completed, jobs_failed)
  VALUES ($1, $2, $3, $4, $5, now(), now(), $6, $7)
  ON CONFLICT (id) DO UPDATE SET last_heartbeat_at = now(), concurrency = EXCLUDED.concurrency,
    jobs_completed = EXCLUDED.jobs_completed, jobs_failed = EXCLUDED.jobs_failed
)
DELETE FROM workers
 WHERE id <> $1 AND last_heartbeat_at < now() - make_interval(secs => $8::double precision)`;

/** This worker's row in the `workers` table (GET /v1/workers), kept fresh by a heartbeat. */
@Injectable()
export class WorkerRegistry implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(WorkerRegistry.name);
  private timer: NodeJS.Timeout | null = null;
  private beating: Promise<void> | null = null;
  private failing = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly metrics: ExecutionMetrics,
  ) {}

  async onApplicationBootstrap() {
    await this.heartbeat();
    this.timer = setInterval(() => void this.heartbeat(), this.config.worker.heartbeatMs);
    this.timer.unref();
  }

  /** A stopping worker leaves the list at once (its row would age out anyway). */
  async beforeApplicationShutdown() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.beating;
    await this.dataSource
      .query(`DELETE FROM workers WHERE id = $1`, [WORKER_ID])
      .catch((error: Error) =>
        this.logger.warn(`could not remove worker ${WORKER_ID}: ${error.message}`),
      );
  }

  heartbeat(): Promise<void> {
    // One beat at a time: a slow database must not pile them up.
    this.beating ??= this.beat().finally(() => (this.beating = null));
    return this.beating;
  }

  private async beat(): Promise<void> {
    const { concurrency, staleAfterMs } = this.config.worker;
    try {
      await this.dataSource.query(HEARTBEAT_SQL, [
        WORKER_ID,
        hostname(),
        process.pid,
        version,
        concurrency,
        this.metrics.totals.completed,
        this.metrics.totals.failed,
        staleAfterMs / 1_000,
      ]);
      if (this.failing) this.logger.log(`worker ${WORKER_ID}: heartbeat restored`);
      this.failing = false;
    } catch (error) {
      if (!this.failing) {
        this.logger.warn(`worker ${WORKER_ID}: heartbeat failed: ${(error as Error).message}`);
      }
      this.failing = true;
    }
  }
}
