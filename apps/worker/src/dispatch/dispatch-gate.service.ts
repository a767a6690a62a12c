import { Injectable } from '@nestjs/common';
import { ClaimedExecution, ExecutionClaims } from '@agentq/executions';
import { toBullPriority } from '@agentq/jobs';
import { AgentConcurrency, SlotOwner } from './agent-concurrency.service';
import { DeferralReason, DispatchDeferral } from './dispatch-deferral';
import { DispatchMetrics } from './dispatch-metrics.service';
import { ProviderPacing } from './provider-pacing.service';
import { estimateCallTokens } from './token-estimate';

/**
 * Parked executions also wake on their own after this long: the backstop for a wake-up lost
 * with a killed worker. Each such wake costs a slot check (and a claim and release of the row
 * on a worker that has not seen the agent lately).
 */
export const PARK_SAFETY_DELAY_MS = 120_000;

/** How long an agent's maxConcurrency, as a claim or a lookup loaded it, is trusted before claiming. */
const KNOWN_LIMIT_TTL_MS = 10_000;

/** Agents whose limit (or lack of one) this process remembers; the oldest go first. */
const MAX_KNOWN_LIMITS = 10_000;

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
  /** Agent id → its maxConcurrency (null: none) as this process last read it. */
  private readonly knownLimits = new Map<string, { limit: number | null; seenAt: number }>();
  /** One lookup per agent at a time, however many of its jobs arrive together. */
  private readonly lookups = new Map<string, Promise<number | null>>();

  constructor(
    private readonly claims: ExecutionClaims,
    private readonly concurrency: AgentConcurrency,
    private readonly pacing: ProviderPacing,
    private readonly metrics: DispatchMetrics,
  ) {}

  /**
   * Before the claim: a slot now, or parked without touching the row (no claim to undo, never
   * shown as running), for an agent with a maxConcurrency. The limit is read once per agent per
   * KNOWN_LIMIT_TTL_MS; null when the agent has none (or the job names no agent).
   */
  async beforeClaim(
    job: { executionId: string; tenantId: string; agentId?: string },
    bullPriority: number | undefined,
  ): Promise<DispatchDeferral | null> {
    const { executionId, tenantId, agentId } = job;
    if (!agentId) return null;
    const limit = await this.limitOf(tenantId, agentId);
    if (!limit) return null;
    const priority = bullPriority ?? toBullPriority(5);
    return this.takeSlot({ executionId, agentId, limit, priority });
  }

  async admit(execution: ClaimedExecution): Promise<DispatchDeferral | null> {
    const owner = slotOwner(execution);
    this.remember(execution.agentId, owner?.limit ?? null);
    // A slot taken before the claim stands, even if the limit changed since.
    if (owner && !this.held.has(execution.id)) {
      const parked = await this.takeSlot(owner);
      if (parked) return parked;
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

  private limitOf(tenantId: string, agentId: string): Promise<number | null> {
    const known = this.knownLimits.get(agentId);
    if (known && Date.now() - known.seenAt <= KNOWN_LIMIT_TTL_MS) {
      return Promise.resolve(known.limit);
    }
    let lookup = this.lookups.get(agentId);
    if (!lookup) {
      lookup = this.claims
        .agentConcurrencyLimit(tenantId, agentId)
        .then((limit) => {
          this.remember(agentId, limit);
          return limit;
        })
        .finally(() => this.lookups.delete(agentId));
      this.lookups.set(agentId, lookup);
    }
    return lookup;
  }

  private remember(agentId: string, limit: number | null) {
    this.knownLimits.delete(agentId);
    if (this.knownLimits.size >= MAX_KNOWN_LIMITS) {
      this.knownLimits.delete(this.knownLimits.keys().next().value as string);
    }
    this.knownLimits.set(agentId, { limit, seenAt: Date.now() });
  }

  private async takeSlot(owner: SlotOwner): Promise<DispatchDeferral | null> {
    if (!(await this.concurrency.acquire(owner))) {
      this.parked.set(owner.executionId, owner);
      return new DispatchDeferral('concurrency', PARK_SAFETY_DELAY_MS);
    }
    this.hold(owner);
    return null;
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
