import { Injectable, Logger } from '@nestjs/common';
import { channels } from '@agentq/jobs';
import { RedisClient, RedisConnections } from '@agentq/redis';
import { LifecycleAnnouncer } from '../streams/lifecycle-announcer.service';
import { ExecutionProducer } from './execution-producer.service';
import { RecordedTransition } from '../store/terminal-outcome';

/** What stopping a cancelled execution's job took: it was still waiting, or it was running. */
export type AbortResult = 'removed from queue' | 'abort sent';

/**
 * The one way a cancellation reaches a job, after the cancelled transition is committed: a
 * waiting job is removed; for a running one the workers are told (Redis pub/sub) to abort the
 * provider call. Used by POST .../cancel, plan cancel and fail_fast alike.
 */
@Injectable()
export class ExecutionAborter {
  private readonly logger = new Logger(ExecutionAborter.name);
  private readonly control: RedisClient;
  private readonly channel: string;

  constructor(
    connections: RedisConnections,
    private readonly producer: ExecutionProducer,
    private readonly announcer: LifecycleAnnouncer,
  ) {
    this.control = connections.commands;
    this.channel = channels.cancelRequests(connections.prefix);
  }

  async abort(cancelled: RecordedTransition): Promise<AbortResult> {
    const { executionId } = cancelled;
    const removed = await this.producer.removeIfNotActive(executionId);
    if (!removed) await this.control.publish(this.channel, executionId).catch(() => undefined);
    this.announcer.cancelled(cancelled);
    const result: AbortResult = removed ? 'removed from queue' : 'abort sent';
    this.logger.log(`execution ${executionId}: cancelled (${result})`);
    return result;
  }

  /** Best effort for each: a job left behind finds its row cancelled and does nothing. */
  async abortAll(cancelled: readonly RecordedTransition[]): Promise<void> {
    for (const transition of cancelled) {
      await this.abort(transition).catch((error: Error) =>
        this.logger.warn(
          `execution ${transition.executionId}: could not stop its job: ${error.message}`,
        ),
      );
    }
  }
}
