import { Injectable, Logger } from '@nestjs/common';
import { channels, ExecutionEvent } from '@agentq/jobs';
import { RedisClient, RedisConnections } from '@agentq/redis';

/** Publishes lifecycle events on Redis pub/sub; delivery is best effort, PostgreSQL stays the truth. */
@Injectable()
export class ExecutionEventPublisher {
  private readonly logger = new Logger(ExecutionEventPublisher.name);
  private readonly redis: RedisClient;
  private readonly channel: string;

  constructor(connections: RedisConnections) {
    this.redis = connections.commands;
    this.channel = channels.executionEvents(connections.prefix);
  }

  private buffered: string[] = [];

  /** Events published in the same tick share one pipeline (one write to Redis). */
  publish(events: ExecutionEvent[]): void {
    if (events.length === 0) return;
    const first = this.buffered.length === 0;
    for (const event of events) this.buffered.push(JSON.stringify(event));
    if (first) setImmediate(() => this.flush());
  }

  private flush() {
    const messages = this.buffered;
    this.buffered = [];
    const pipeline = this.redis.pipeline();
    for (const message of messages) pipeline.publish(this.channel, message);
    pipeline
      .exec()
      .catch((error: Error) =>
        this.logger.warn(`could not publish ${messages.length} event(s): ${error.message}`),
      );
  }
}
