import { Logger } from '@nestjs/common';
import { ClaimedExecution, concurrencyKeyId, ExecutionClaims } from '@agentq/executions';
import { AgentConcurrency, SlotGrant, SlotOwner } from './agent-concurrency.service';
import { ConcurrencySlotLost } from './concurrency-slot-lost';
import { DeferralReason, DispatchDeferral } from './dispatch-deferral';
import { DispatchGate, PARK_SAFETY_DELAY_MS } from './dispatch-gate.service';
import { DispatchMetrics } from './dispatch-metrics.service';
import { ProviderPacing } from './provider-pacing.service';

// In-memory collaborators: each keeps the state the gate changed, for the assertions to read.

class InMemoryClaims implements Pick<ExecutionClaims, 'agentConcurrencyLimit'> {
  lookups: string[] = [];
  constructor(private readonly limits: Record<string, number | null>) {}
  async agentConcurrencyLimit(_tenantId: string, agentId: string) {
    this.lookups.push(agentId);
    return this.limits[agentId] ?? null;
  }
}

// A slot is the agent's, or the agent's for one key value; its holders are attempts.
const slotOf = (owner: SlotOwner) =>
  owner.keyId ? `${owner.agentId}/${owner.keyId}` : owner.agentId;

class InMemoryConcurrency implements Pick<
  AgentConcurrency,
  'leaseTtlMs' | 'renewEveryMs' | 'acquire' | 'renew' | 'release' | 'recheckParked'
> {
  readonly leaseTtlMs = 4_000;
  readonly renewEveryMs = 333;
  holders = new Map<string, Set<string>>();
  acquisitions: { slot: string; attempt: string }[] = [];
  releases: { slot: string; attempt: string; handOver: boolean }[] = [];
  rechecks: { slot: string; executionId: string }[] = [];
  // What a refused acquire says of the lease it waits for.
  awaitedLeaseEndsInMs = 1_000;
  // False: Redis has lost every lease, so no renewal succeeds.
  leasesKept = true;

  hold(slot: string, attempt: string) {
    this.holders.set(slot, (this.holders.get(slot) ?? new Set()).add(attempt));
  }
  async acquire(owner: SlotOwner): Promise<SlotGrant> {
    const holders = this.holders.get(slotOf(owner)) ?? new Set();
    if (holders.size >= owner.limit) {
      return { acquired: false, awaitedLeaseEndsInMs: this.awaitedLeaseEndsInMs };
    }
    this.hold(slotOf(owner), owner.attempt);
    this.acquisitions.push({ slot: slotOf(owner), attempt: owner.attempt });
    return { acquired: true };
  }
  async renew(owner: SlotOwner) {
    return this.leasesKept && !!this.holders.get(slotOf(owner))?.has(owner.attempt);
  }
  async release(owner: SlotOwner, { handOver = true } = {}) {
    this.holders.get(slotOf(owner))?.delete(owner.attempt);
    this.releases.push({ slot: slotOf(owner), attempt: owner.attempt, handOver });
  }
  async recheckParked(owner: SlotOwner) {
    this.rechecks.push({ slot: slotOf(owner), executionId: owner.executionId });
  }
}

class InMemoryPacing implements Pick<ProviderPacing, 'takeTurn' | 'admit' | 'forget'> {
  // The provider's answer to the next turn: null is a turn now.
  wait: DispatchDeferral | null = null;
  admitted = new Map<string, number>();
  async takeTurn() {
    return this.wait;
  }
  admit(executionId: string, tokens: number) {
    this.admitted.set(executionId, tokens);
  }
  forget(executionId: string) {
    this.admitted.delete(executionId);
  }
}

class InMemoryMetrics implements Pick<DispatchMetrics, 'attemptDeferred'> {
  deferrals: DeferralReason[] = [];
  attemptDeferred(reason: DeferralReason) {
    this.deferrals.push(reason);
  }
}

function gateWith(limits: Record<string, number | null> = {}) {
  const claims = new InMemoryClaims(limits);
  const concurrency = new InMemoryConcurrency();
  const pacing = new InMemoryPacing();
  const metrics = new InMemoryMetrics();
  const gate = new DispatchGate(
    claims as unknown as ExecutionClaims,
    concurrency as unknown as AgentConcurrency,
    pacing as unknown as ProviderPacing,
    metrics as unknown as DispatchMetrics,
  );
  return { gate, claims, concurrency, pacing, metrics };
}

// The fields of a claimed execution the gate reads.
type Claimed = Pick<ClaimedExecution, 'id' | 'agentId' | 'priority' | 'input' | 'attribution'> & {
  agent: Pick<
    ClaimedExecution['agent'],
    | 'role'
    | 'backstory'
    | 'goal'
    | 'llmConfig'
    | 'maxConcurrency'
    | 'concurrencyKey'
    | 'maxConcurrencyPerKey'
  >;
  provider: Pick<ClaimedExecution['provider'], 'id' | 'rateLimit'>;
};

function claimed(agent: Partial<Claimed['agent']> = {}, user: string | null = 'u-1'): Claimed {
  return {
    id: 'e-1',
    agentId: 'a-1',
    priority: 5,
    input: { message: 'hello' },
    attribution: { apiKeyId: null, user, tags: null, metadata: null },
    agent: {
      role: 'assistant',
      backstory: null,
      goal: null,
      llmConfig: { model: 'm' },
      maxConcurrency: 2,
      concurrencyKey: 'user',
      maxConcurrencyPerKey: 1,
      ...agent,
    },
    provider: { id: 'p-1', rateLimit: null },
  };
}

const admit = (gate: DispatchGate, execution: Claimed, attempt = 'attempt-1') =>
  gate.admit(execution as unknown as ClaimedExecution, attempt);

const job = { executionId: 'e-1', tenantId: 't-1', agentId: 'a-1' };
const keySlot = `a-1/${concurrencyKeyId('u-1')}`;

describe('DispatchGate: what an attempt may do before its first model call', () => {
  // The warning logged on a lost slot is expected; the outcome is asserted.
  beforeAll(() => Logger.overrideLogger(false));
  // Renewal intervals and Date.now both follow the fake clock.
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  describe('beforeClaim', () => {
    it('lets a job through without a slot when it names no agent or its agent has no limit', async () => {
      const { gate, claims, concurrency } = gateWith({ 'a-1': null });
      expect(await gate.beforeClaim({ executionId: 'e-1', tenantId: 't-1' }, 1, 'x')).toBeNull();
      expect(await gate.beforeClaim(job, 1, 'y')).toBeNull();
      expect(claims.lookups).toEqual(['a-1']);
      expect(concurrency.acquisitions).toEqual([]);
    });

    it("reads an agent's limit once for jobs arriving together, and again once it is stale", async () => {
      const { gate, claims } = gateWith({ 'a-1': 10 });
      const attempts = ['1', '2', '3', '4', '5'];
      await Promise.all(attempts.map((attempt) => gate.beforeClaim(job, 1, attempt)));
      await gate.beforeClaim(job, 1, '6');
      expect(claims.lookups).toEqual(['a-1']);
      jest.advanceTimersByTime(60_000);
      await gate.beforeClaim(job, 1, '7');
      expect(claims.lookups).toEqual(['a-1', 'a-1']);
    });

    it('parks a job whose agent has no free slot until the awaited lease ends, at most the safety delay', async () => {
      const { gate, concurrency, metrics } = gateWith({ 'a-1': 1 });
      concurrency.hold('a-1', 'running');
      const parkedFor = async (awaitedLeaseEndsInMs: number) => {
        concurrency.awaitedLeaseEndsInMs = awaitedLeaseEndsInMs;
        const deferral = await gate.beforeClaim(job, 1, 'waiting');
        expect(deferral).toBeInstanceOf(DispatchDeferral);
        expect(deferral?.reason).toBe('concurrency');
        return deferral!.delayMs;
      };
      const slack = await parkedFor(0);
      expect(slack).toBeGreaterThan(0);
      expect(await parkedFor(2_000)).toBe(2_000 + slack);
      expect(await parkedFor(-50)).toBe(slack);
      expect(await parkedFor(10 * PARK_SAFETY_DELAY_MS)).toBe(PARK_SAFETY_DELAY_MS);
      expect(concurrency.holders.get('a-1')).toEqual(new Set(['running']));
      // Counted once the job really sits in the delayed set, not when the gate answers.
      expect(metrics.deferrals).toEqual([]);
    });
  });

  describe('admit', () => {
    it("takes the agent's slot, then its key value's, and the first call's turn", async () => {
      const { gate, concurrency, pacing } = gateWith();
      expect(await admit(gate, claimed())).toBeNull();
      expect(concurrency.acquisitions).toEqual([
        { slot: 'a-1', attempt: 'attempt-1' },
        { slot: keySlot, attempt: 'attempt-1' },
      ]);
      expect(pacing.admitted.get('e-1')).toBeGreaterThan(0);
    });

    it('counts no key value for an execution without one', async () => {
      const { gate, concurrency } = gateWith();
      expect(await admit(gate, claimed({}, null))).toBeNull();
      expect(concurrency.acquisitions).toEqual([{ slot: 'a-1', attempt: 'attempt-1' }]);
    });

    it("parks on a full key value and hands the agent's slot it took to the next in line", async () => {
      const { gate, concurrency, pacing } = gateWith();
      concurrency.hold(keySlot, 'other-attempt');
      const deferral = await admit(gate, claimed());
      expect(deferral?.reason).toBe('concurrency');
      expect(concurrency.releases).toEqual([{ slot: 'a-1', attempt: 'attempt-1', handOver: true }]);
      expect(concurrency.holders.get('a-1')).toEqual(new Set());
      expect(pacing.admitted.size).toBe(0);
    });

    it('does not take again the slot it took before the claim, even if the limit changed since', async () => {
      const { gate, concurrency } = gateWith({ 'a-1': 1 });
      expect(await gate.beforeClaim(job, 1, 'attempt-1')).toBeNull();
      expect(await admit(gate, claimed({ maxConcurrency: 3 }))).toBeNull();
      expect(concurrency.acquisitions).toEqual([
        { slot: 'a-1', attempt: 'attempt-1' },
        { slot: keySlot, attempt: 'attempt-1' },
      ]);
    });

    it('frees its slots without waking anyone into the same wait when the provider says wait', async () => {
      const { gate, concurrency, pacing } = gateWith();
      pacing.wait = new DispatchDeferral('rate_limit', 5_000);
      expect(await admit(gate, claimed())).toBe(pacing.wait);
      expect(concurrency.releases).toEqual([
        { slot: 'a-1', attempt: 'attempt-1', handOver: false },
        { slot: keySlot, attempt: 'attempt-1', handOver: false },
      ]);
      expect(pacing.admitted.size).toBe(0);
    });

    it('admits an agent with fallbacks past a provider wait longer than its fallbackAfterMs', async () => {
      const agent = {
        llmConfig: {
          model: 'm',
          fallbacks: [{ providerId: 'p-2', model: 'm2' }],
          fallbackAfterMs: 1_000,
        },
        concurrencyKey: null,
      };
      const { gate, concurrency, pacing } = gateWith();
      pacing.wait = new DispatchDeferral('provider_paused', 60_000);
      expect(await admit(gate, claimed(agent))).toBeNull();
      expect(concurrency.releases).toEqual([]);

      // A shorter wait stands: the provider is worth waiting for.
      pacing.wait = new DispatchDeferral('provider_paused', 500);
      expect(await admit(gate, claimed(agent), 'attempt-2')).toBe(pacing.wait);
    });
  });

  describe('deferred and finished', () => {
    it('re-checks the line once for a parked attempt, and counts every deferral', async () => {
      const { gate, concurrency, pacing, metrics } = gateWith();
      concurrency.hold(keySlot, 'other-attempt');
      await admit(gate, claimed(), 'parked');
      pacing.wait = new DispatchDeferral('rate_limit', 5_000);
      await admit(gate, claimed({}, 'u-2'), 'paced');

      await gate.deferred('parked', 'concurrency');
      await gate.deferred('parked', 'concurrency');
      await gate.deferred('paced', 'rate_limit');
      expect(concurrency.rechecks).toEqual([{ slot: keySlot, executionId: 'e-1' }]);
      expect(metrics.deferrals).toEqual(['concurrency', 'concurrency', 'rate_limit']);
    });

    it('hands its slots on and forgets its admission when the attempt is over', async () => {
      const { gate, concurrency, pacing } = gateWith();
      await admit(gate, claimed());
      await gate.finished('e-1', 'attempt-1');
      expect(concurrency.releases).toEqual([
        { slot: 'a-1', attempt: 'attempt-1', handOver: true },
        { slot: keySlot, attempt: 'attempt-1', handOver: true },
      ]);
      expect(pacing.admitted.size).toBe(0);
      // Renewals stopped with the slots.
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('checkSlot', () => {
    const running = async () => {
      const fakes = gateWith();
      await admit(fakes.gate, claimed({ concurrencyKey: null }));
      const controller = new AbortController();
      fakes.gate.bindSlot('attempt-1', controller);
      return { ...fakes, controller };
    };

    it('allows calls for as long as its lease is renewed', async () => {
      const { gate, concurrency, controller } = await running();
      await jest.advanceTimersByTimeAsync(3 * concurrency.leaseTtlMs);
      expect(() => gate.checkSlot('attempt-1')).not.toThrow();
      expect(controller.signal.aborted).toBe(false);
    });

    it('refuses the next call and aborts the attempt once its lease may have lapsed unrenewed', async () => {
      const { gate, concurrency, controller } = await running();
      // The event loop was blocked: the clock moved on, no renewal ran.
      jest.setSystemTime(Date.now() + concurrency.leaseTtlMs - concurrency.renewEveryMs);
      expect(() => gate.checkSlot('attempt-1')).toThrow(ConcurrencySlotLost);
      expect(controller.signal.reason).toBeInstanceOf(ConcurrencySlotLost);
      expect(() => gate.checkSlot('attempt-1')).toThrow(ConcurrencySlotLost);
    });

    it('aborts the attempt at its next renewal once Redis lost its lease', async () => {
      const { gate, concurrency, controller } = await running();
      concurrency.leasesKept = false;
      await jest.advanceTimersByTimeAsync(concurrency.renewEveryMs);
      expect(controller.signal.reason).toBeInstanceOf(ConcurrencySlotLost);
      expect(() => gate.checkSlot('attempt-1')).toThrow(ConcurrencySlotLost);
    });
  });
});
