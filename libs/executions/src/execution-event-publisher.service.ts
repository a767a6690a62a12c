import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { channels, ExecutionEvent, reportRedisHealth } from '@agentq/jobs';
import Redis from 'ioredis';

/** Publishes lifecycle events on Redis pub/sub; delivery is best effort, PostgreSQL stays the truth. */
@Injectable()
export class ExecutionEventPublisher implements OnApplicationShutdown {
  private readonly logger = new Logger(ExecutionEventPublisher.name);
  private readonly redis: Redis;
  private readonly channel: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.redis = new Redis(config.redis.url, { maxRetriesPerRequest: 1 });
    reportRedisHealth(this.redis, this.logger, 'event publisher');
    this.channel = channels.executionEvents(config.redis.prefix);
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

  async onApplicationShutdown() {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
