import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTenantTransaction } from '@agentq/database';
import { activeTraceparent } from '@agentq/telemetry';
import { DataSource } from 'typeorm';
import { ExecutionProducer } from './execution-producer.service';
import { queuedExecution } from './queued-execution';
import { DebouncedSubmission, submitDebounced } from '../store/debounce-store';
import { NewExecution } from '../store/submission-store';

/** At most one hour, as in Inngest and Trigger.dev. */
export const MAX_DEBOUNCE_DELAY_MS = 3_600_000;

export interface Debounce {
  key: string;
  delayMs: number;
}

/**
 * Debounced submissions: the submissions of one key (per agent) collapse into one execution,
 * which starts `delayMs` after the last of them with the last one's input. Each submission is
 * its own transaction, serialized with the key's others by the key's row (not the submission
 * micro-batcher: collapsing needs the previous submission committed). Its job is added after the
 * commit; a collapse moves the waiting job's delay, and a job that comes due before its row's
 * run_at (a move that lost a race) is put back by the worker's claim.
 */
@Injectable()
export class ExecutionDebouncer {
  private readonly logger = new Logger(ExecutionDebouncer.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly producer: ExecutionProducer,
  ) {}

  async submit(
    tenantId: string,
    agentId: string,
    execution: NewExecution,
    debounce: Debounce,
  ): Promise<DebouncedSubmission> {
    await this.producer.assertConnected();
    const traceparent = activeTraceparent();
    const submitted = await inTenantTransaction(this.dataSource, tenantId, (manager) =>
      submitDebounced(manager, tenantId, agentId, debounce, execution),
    );
    const { execution: row } = submitted;
    try {
      if (submitted.collapsed) await this.producer.reschedule(row.id, row.runAt ?? new Date());
      else await this.producer.enqueue([queuedExecution(row, true, Date.now(), traceparent)]);
    } catch (error) {
      // The row is committed `queued`: the reconciler adds its job.
      this.logger.warn(
        `execution ${row.id}: debounced job not scheduled (${(error as Error).message}); ` +
          'the reconciler will add it',
      );
    }
    return submitted;
  }
}
