import { Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { channels } from '@agentq/jobs';
import { LlmAbortReason } from '@agentq/llm';
import { ChannelListener, RedisConnections } from '@agentq/redis';

// A cancel can reach a worker after the attempt's claim and before it registers (while it is
// admitted, its prompt built): remembered this long, so that the attempt starts aborted.
const REMEMBER_CANCEL_MS = 5 * 60_000;
const MAX_REMEMBERED_CANCELS = 10_000;

/** Aborts the provider call of a running execution when the API asks (POST .../cancel). */
@Injectable()
export class CancellationRegistry implements OnModuleInit {
  private readonly logger = new Logger(CancellationRegistry.name);
  private readonly running = new Map<string, AbortController>();
  // Execution id → when a cancel for it arrived while it was not registered here.
  private readonly cancelledEarly = new Map<string, number>();
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
    const cancelledAt = this.cancelledEarly.get(executionId);
    if (cancelledAt !== undefined && Date.now() - cancelledAt <= REMEMBER_CANCEL_MS) {
      this.logger.log(`execution ${executionId}: cancelled before its attempt started`);
      controller.abort(new LlmAbortReason('cancelled'));
    }
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
    if (!controller) return this.rememberEarlyCancel(executionId);
    this.logger.log(`execution ${executionId}: cancelling the running attempt`);
    controller.abort(new LlmAbortReason('cancelled'));
  }

  private rememberEarlyCancel(executionId: string) {
    // Oldest first: drop the expired, and the oldest beyond the cap.
    for (const [id, at] of this.cancelledEarly) {
      const expired = Date.now() - at > REMEMBER_CANCEL_MS;
      if (!expired && this.cancelledEarly.size < MAX_REMEMBERED_CANCELS) break;
      this.cancelledEarly.delete(id);
    }
    this.cancelledEarly.set(executionId, Date.now());
  }
}
