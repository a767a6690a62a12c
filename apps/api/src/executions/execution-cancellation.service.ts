import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgentExecution, TERMINAL_STATUSES } from '@agentq/database';
import {
  cancelledOutcome,
  ExecutionEventPublisher,
  ExecutionProducer,
  recordTerminalOutcomes,
  withTransactionRetry,
} from '@agentq/executions';
import { channels } from '@agentq/jobs';
import { RedisClient, RedisConnections } from '@agentq/redis';
import { DataSource } from 'typeorm';
import { ConflictError } from '../common/api-errors';
import { ExecutionReader } from './execution-reader.service';

/**
 * Cancelling wins the terminal transition first (so it is counted once, as cancelled), then
 * removes a waiting job or tells the workers to abort a running one.
 */
@Injectable()
export class ExecutionCancellation {
  private readonly logger = new Logger(ExecutionCancellation.name);
  private readonly control: RedisClient;
  private readonly channel: string;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    connections: RedisConnections,
    private readonly reader: ExecutionReader,
    private readonly producer: ExecutionProducer,
    private readonly events: ExecutionEventPublisher,
  ) {
    this.control = connections.commands;
    this.channel = channels.cancelRequests(connections.prefix);
  }

  async cancel(tenantId: string, executionId: string): Promise<AgentExecution> {
    const execution = await this.reader.get(tenantId, executionId);
    if (TERMINAL_STATUSES.includes(execution.status)) throw alreadyTerminal(execution);
    const [won] = await withTransactionRetry(() =>
      recordTerminalOutcomes(this.dataSource.manager, [cancelledOutcome(executionId, tenantId)]),
    );
    if (!won) throw alreadyTerminal(await this.reader.get(tenantId, executionId));

    const removed = await this.producer.removeIfNotActive(executionId);
    if (!removed) await this.control.publish(this.channel, executionId).catch(() => undefined);
    this.events.publish([
      {
        type: 'cancelled',
        executionId,
        tenantId,
        agentId: execution.agentId,
        status: 'cancelled',
        at: new Date().toISOString(),
      },
    ]);
    this.logger.log(
      `execution ${executionId}: cancelled (${removed ? 'removed from queue' : 'abort sent'})`,
    );
    return this.reader.get(tenantId, executionId);
  }
}

function alreadyTerminal(execution: AgentExecution) {
  return new ConflictError('already_terminal', `the execution already ended: ${execution.status}`);
}
