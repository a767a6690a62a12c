import { Injectable } from '@nestjs/common';
import { ClaimedExecution } from '@agentq/executions';
import { toBullPriority } from '@agentq/jobs';
import { AgentConcurrency, SlotOwner } from './agent-concurrency.service';
import { DeferralReason, DispatchDeferral } from './dispatch-deferral';
import { DispatchMetrics } from './dispatch-metrics.service';
import { ProviderPacing } from './provider-pacing.service';
import { estimateCallTokens } from './token-estimate';

/**
 * Parked executions also wake on their own after this long: the backstop for a wake-up lost
 * with a killed worker. Each wake costs one claim and one release of the row.
 */
export const PARK_SAFETY_DELAY_MS = 120_000;

interface HeldSlot {
  owner: SlotOwner;
  renewal: NodeJS.Timeout;
}

/**
 * Admission of a claimed attempt before anything is announced or sent: a slot of its agent's
 * max_concurrency, then its provider's first rate-limit turn. What cannot go now is deferred
 * (see DispatchDeferral); what goes holds its slot until `finished`.
 */
@Injectable()
export class DispatchGate {
  private readonly held = new Map<string, HeldSlot>();
  private readonly parked = new Map<string, SlotOwner>();

  constructor(
    private readonly concurrency: AgentConcurrency,
    private readonly pacing: ProviderPacing,
    private readonly metrics: DispatchMetrics,
  ) {}

  async admit(execution: ClaimedExecution): Promise<DispatchDeferral | null> {
    const owner = slotOwner(execution);
    if (owner) {
      if (!(await this.concurrency.acquire(owner))) {
        this.parked.set(execution.id, owner);
        return new DispatchDeferral('concurrency', PARK_SAFETY_DELAY_MS);
      }
      this.hold(owner);
    }
    const tokens = estimateCallTokens(
      {
        systemPrompt: [execution.agent.role, execution.agent.backstory, execution.agent.goal].join(
          '\n',
        ),
        messages: execution.input.messages ?? [{ content: execution.input.message ?? '' }],
      },
      execution.agent.llmConfig?.maxTokens,
    );
    const wait = await this.pacing.takeTurn(execution.provider, execution.id, tokens);
    if (wait) {
      // Its slot would sit idle while it waits: free it, but wake no one into the same wait.
      await this.releaseSlot(execution.id, { handOver: false });
      return wait;
    }
    this.pacing.admit(execution.id, tokens);
    return null;
  }

  /** The deferred attempt's job now sits in the delayed set. */
  async deferred(executionId: string, reason: DeferralReason): Promise<void> {
    this.metrics.attemptDeferred(reason);
    const owner = this.parked.get(executionId);
    if (!owner) return;
    this.parked.delete(executionId);
    await this.concurrency.recheckParked(owner);
  }

  /** The attempt is over, whatever its outcome: its slot goes to the next in line. */
  async finished(executionId: string): Promise<void> {
    this.pacing.forget(executionId);
    this.parked.delete(executionId);
    await this.releaseSlot(executionId, { handOver: true });
  }

  private hold(owner: SlotOwner) {
    const renewal = setInterval(() => {
      this.concurrency.renew(owner).catch(() => undefined);
    }, this.concurrency.renewEveryMs);
    renewal.unref();
    this.held.set(owner.executionId, { owner, renewal });
  }

  private async releaseSlot(executionId: string, options: { handOver: boolean }) {
    const slot = this.held.get(executionId);
    if (!slot) return;
    clearInterval(slot.renewal);
    this.held.delete(executionId);
    await this.concurrency.release(slot.owner, options);
  }
}

function slotOwner(execution: ClaimedExecution): SlotOwner | null {
  const limit = execution.agent.maxConcurrency;
  if (!limit) return null;
  return {
    executionId: execution.id,
    agentId: execution.agentId,
    limit,
    priority: toBullPriority(execution.priority),
  };
}
