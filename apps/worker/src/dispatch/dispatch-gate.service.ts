import { Injectable, Logger } from '@nestjs/common';
import {
  ClaimedExecution,
  concurrencyKeyId,
  concurrencyKeyValue,
  ExecutionClaims,
} from '@agentq/executions';
import { toBullPriority } from '@agentq/jobs';
import { AgentConcurrency, SlotOwner } from './agent-concurrency.service';
import { ConcurrencySlotLost } from './concurrency-slot-lost';
import { DeferralReason, DispatchDeferral } from './dispatch-deferral';
import { DispatchMetrics } from './dispatch-metrics.service';
import { ProviderPacing } from './provider-pacing.service';
import { admissionWaitStands } from '../executions/model-chain';
import { estimateCallTokens } from './token-estimate';

/**
 * Parked executions also wake on their own after this long: the backstop for a wake-up lost
 * with a killed worker. Each such wake costs a slot check (and a claim and release of the row
 * on a worker that has not seen the agent lately).
 */
export const PARK_SAFETY_DELAY_MS = 120_000;

// How long an agent's maxConcurrency, as a claim or a lookup loaded it, is trusted before claiming.
const KNOWN_LIMIT_TTL_MS = 10_000;

// Agents whose limit (or lack of one) this process remembers; the oldest go first.
const MAX_KNOWN_LIMITS = 10_000;

// A parked execution wakes this long after the first lease ends, when nobody hands it over.
const LEASE_END_SLACK_MS = 100;

interface HeldSlot {
  owner: SlotOwner;
  renewal: NodeJS.Timeout;
  // Local time until which the lease is surely this attempt's: when the last successful renewal
  // (or the acquire) was sent, plus the lease time. Redis counts from when it received it, later.
  validUntil: number;
  // The running attempt's controller, aborted when the slot is lost.
  attemptController?: AbortController;
  lost?: ConcurrencySlotLost;
}

/**
 * Admission of a claimed attempt before anything is announced or sent: a slot of its agent's
 * max_concurrency, a slot of its key value's max_concurrency_per_key, then its provider's first
 * rate-limit turn. What cannot go now is deferred (see DispatchDeferral); what goes holds its
 * slots until `finished`. Slots are held per attempt (its BullMQ job token), so two attempts of
 * one execution never share one.
 */
@Injectable()
export class DispatchGate {
  private readonly logger = new Logger(DispatchGate.name);
  // Attempt → the slots it holds (its agent's, its key value's).
  private readonly held = new Map<string, HeldSlot[]>();
  private readonly parked = new Map<string, SlotOwner>();
  // Agent id → its maxConcurrency (null: none) as this process last read it.
  private readonly knownLimits = new Map<string, { limit: number | null; seenAt: number }>();
  // One lookup per agent at a time, however many of its jobs arrive together.
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
    attempt: string,
  ): Promise<DispatchDeferral | null> {
    const { executionId, tenantId, agentId } = job;
    if (!agentId) return null;
    const limit = await this.limitOf(tenantId, agentId);
    if (!limit) return null;
    const priority = bullPriority ?? toBullPriority(5);
    return this.takeSlot({ executionId, attempt, agentId, limit, priority });
  }

  async admit(execution: ClaimedExecution, attempt: string): Promise<DispatchDeferral | null> {
    const agentOwner = agentSlotOwner(execution, attempt);
    this.remember(execution.agentId, agentOwner?.limit ?? null);
    // A slot taken before the claim stands, even if the limit changed since.
    for (const owner of [agentOwner, keySlotOwner(execution, attempt)]) {
      if (!owner || this.holds(owner)) continue;
      const parked = await this.takeSlot(owner);
      if (parked) {
        // It waits for this slot without holding the others: they go to whoever waits for them.
        await this.releaseSlots(attempt, { handOver: true });
        return parked;
      }
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
    // An agent with fallbacks passes a long-paused provider over rather than waiting for it.
    if (wait && !admissionWaitStands(wait, execution.agent.llmConfig)) return null;
    if (wait) {
      // Its slots would sit idle while it waits: free them, but wake no one into the same wait.
      await this.releaseSlots(attempt, { handOver: false });
      return wait;
    }
    this.pacing.admit(execution.id, tokens);
    return null;
  }

  /** The deferred attempt's job now sits in the delayed set. */
  async deferred(attempt: string, reason: DeferralReason): Promise<void> {
    this.metrics.attemptDeferred(reason);
    const owner = this.parked.get(attempt);
    if (!owner) return;
    this.parked.delete(attempt);
    await this.concurrency.recheckParked(owner);
  }

  /** The attempt's controller is aborted (ConcurrencySlotLost) if one of its slots is lost. */
  bindSlot(attempt: string, controller: AbortController): void {
    for (const slot of this.held.get(attempt) ?? []) {
      slot.attemptController = controller;
      if (slot.lost) controller.abort(slot.lost);
    }
  }

  /**
   * Before each provider call, without a round trip: throws ConcurrencySlotLost (and aborts the
   * attempt) if its lease may have lapsed, e.g. after its event loop was blocked.
   */
  checkSlot(attempt: string): void {
    for (const slot of this.held.get(attempt) ?? []) {
      if (!slot.lost && this.lapsing(slot)) this.lose(slot, 'not renewed within its lease time');
      if (slot.lost) throw slot.lost;
    }
  }

  /** The attempt is over, whatever its outcome: its slots go to the next in line. */
  async finished(executionId: string, attempt: string): Promise<void> {
    this.pacing.forget(executionId);
    this.parked.delete(attempt);
    await this.releaseSlots(attempt, { handOver: true });
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
    const sentAt = Date.now();
    const grant = await this.concurrency.acquire(owner);
    if (!grant.acquired) {
      this.parked.set(owner.attempt, owner);
      // Nobody hands over the slot of a killed or stalled worker, nor wakes the duplicate of a
      // stalled attempt: look again when the lease waited for ends.
      const wakeInMs = Math.max(grant.awaitedLeaseEndsInMs, 0) + LEASE_END_SLACK_MS;
      return new DispatchDeferral('concurrency', Math.min(wakeInMs, PARK_SAFETY_DELAY_MS));
    }
    const slot: HeldSlot = {
      owner,
      validUntil: sentAt + this.concurrency.leaseTtlMs,
      renewal: setInterval(() => this.renew(slot), this.concurrency.renewEveryMs),
    };
    slot.renewal.unref();
    this.held.set(owner.attempt, [...(this.held.get(owner.attempt) ?? []), slot]);
    return null;
  }

  private holds(owner: SlotOwner): boolean {
    return (this.held.get(owner.attempt) ?? []).some((slot) => slot.owner.keyId === owner.keyId);
  }

  private renew(slot: HeldSlot) {
    if (this.lapsing(slot)) return this.lose(slot, 'not renewed within its lease time');
    const sentAt = Date.now();
    this.concurrency.renew(slot.owner).then(
      (renewed) => {
        if (!renewed) return this.lose(slot, 'its lease expired or Redis lost it');
        slot.validUntil = Math.max(slot.validUntil, sentAt + this.concurrency.leaseTtlMs);
      },
      // Redis unreachable: the next renewal tries again, and the lease lapses if none succeeds.
      () => undefined,
    );
  }

  // Within one renewal interval of the end of its lease: no renewal can be relied on in time.
  private lapsing(slot: HeldSlot): boolean {
    return Date.now() + this.concurrency.renewEveryMs >= slot.validUntil;
  }

  private lose(slot: HeldSlot, why: string) {
    if (slot.lost) return;
    clearInterval(slot.renewal);
    slot.lost = new ConcurrencySlotLost(slot.owner.executionId, why);
    this.logger.warn(`${slot.lost.message}; abandoning the attempt`);
    slot.attemptController?.abort(slot.lost);
  }

  private async releaseSlots(attempt: string, options: { handOver: boolean }) {
    const slots = this.held.get(attempt) ?? [];
    this.held.delete(attempt);
    for (const slot of slots) {
      clearInterval(slot.renewal);
      await this.concurrency.release(slot.owner, options);
    }
  }
}

function agentSlotOwner(execution: ClaimedExecution, attempt: string): SlotOwner | null {
  const limit = execution.agent.maxConcurrency;
  if (!limit) return null;
  return {
    executionId: execution.id,
    attempt,
    agentId: execution.agentId,
    limit,
    priority: toBullPriority(execution.priority),
  };
}

// Executions without a value for the agent's concurrencyKey are not limited per key.
function keySlotOwner(execution: ClaimedExecution, attempt: string): SlotOwner | null {
  const { concurrencyKey, maxConcurrencyPerKey: limit } = execution.agent;
  if (!concurrencyKey || !limit) return null;
  const value = concurrencyKeyValue(concurrencyKey, execution.attribution);
  if (value === null) return null;
  return {
    executionId: execution.id,
    attempt,
    agentId: execution.agentId,
    keyId: concurrencyKeyId(value),
    limit,
    priority: toBullPriority(execution.priority),
  };
}
