import { Inject, Injectable, Logger, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { channels, reportRedisHealth } from '@agentq/jobs';
import { LlmAbortReason } from '@agentq/llm';
import Redis from 'ioredis';

/** Aborts the provider call of a running execution when the API asks (POST .../cancel). */
@Injectable()
export class CancellationRegistry implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger(CancellationRegistry.name);
  private readonly running = new Map<string, AbortController>();
  private readonly subscriber: Redis;
  private readonly channel: string;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.subscriber = new Redis(config.redis.url, { maxRetriesPerRequest: null });
    reportRedisHealth(this.subscriber, this.logger, 'cancel listener');
    this.channel = channels.cancelRequests(config.redis.prefix);
  }

  async onModuleInit() {
    this.subscriber.on('message', (_channel: string, executionId: string) =>
      this.cancel(executionId),
    );
    await this.subscriber.subscribe(this.channel);
  }

  register(executionId: string): AbortController {
    const controller = new AbortController();
    this.running.set(executionId, controller);
    return controller;
  }

  unregister(executionId: string): void {
    this.running.delete(executionId);
  }

  /** Aborts every running provider call with `reason`; returns how many there were. */
  interruptAll(reason: Error): number {
    for (const controller of this.running.values()) controller.abort(reason);
    return this.running.size;
  }

  private cancel(executionId: string) {
    const controller = this.running.get(executionId);
    if (!controller) return;
    this.logger.log(`execution ${executionId}: cancelling the running attempt`);
    controller.abort(new LlmAbortReason('cancelled'));
  }

  onApplicationShutdown() {
    this.subscriber.disconnect();
  }
}
