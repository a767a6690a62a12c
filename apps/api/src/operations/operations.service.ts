import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTenantTransaction } from '@agentq/database';
import { finishedPerMinute, queueDepthByAgent } from '@agentq/executions';
import { DataSource } from 'typeorm';
import { WorkersService } from '../workers/workers.service';
import { everyMinute, totalDepth, totalFinished } from './operations-summary';
import { OperationsView } from './operations.view';

@Injectable()
export class OperationsService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly workers: WorkersService,
  ) {}

  async summary(tenantId: string, minutes: number): Promise<OperationsView> {
    const now = new Date();
    const since = new Date(Math.floor(now.getTime() / 60_000) * 60_000 - (minutes - 1) * 60_000);
    const [[byAgent, finished], live] = await Promise.all([
      // One after the other: a transaction is one connection, which runs one query at a time.
      inTenantTransaction(
        this.dataSource,
        tenantId,
        async (manager) =>
          [
            await queueDepthByAgent(manager, tenantId, now),
            await finishedPerMinute(manager, tenantId, since),
          ] as const,
      ),
      this.workers.listLive(),
    ]);
    const throughput = everyMinute(finished, since, now);
    return {
      at: now,
      queue: totalDepth(byAgent),
      byAgent,
      minutes,
      finished: totalFinished(throughput),
      throughput,
      workers: {
        live: live.length,
        concurrency: live.reduce((sum, worker) => sum + worker.concurrency, 0),
      },
    };
  }
}
