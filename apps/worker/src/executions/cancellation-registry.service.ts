import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { channels } from '@agentq/jobs';
import { LlmAbortReason } from '@agentq/llm';
import { ChannelListener, RedisConnections } from '@agentq/redis';

/** Aborts the provider call of a running execution when the API asks (POST .../cancel). */
@Injectable()
export class CancellationRegistry implements OnModuleInit {
  private readonly logger = new Logger(CancellationRegistry.name);
  private readonly running = new Map<string, AbortController>();
  private readonly channel: string;

  constructor(
    connections: RedisConnections,
    private readonly listener: ChannelListener,
  ) {
    this.channel = channels.cancelRequests(connections.prefix);
  }

  async onModuleInit() {
    await this.listener.listen(this.channel, (executionId) => this.cancel(executionId));
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
}
