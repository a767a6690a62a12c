import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { JobQueue, QUEUES, RUN_EXECUTION_JOB } from '@agentq/jobs';
import { RedisClient, RedisConnections } from '@agentq/redis';
import { Job } from 'bullmq';
import { agentDispatchKeys } from './agent-dispatch-keys';
import { ACQUIRE_SLOT, RELEASE_SLOT, RENEW_SLOT } from './dispatch-scripts';

/** The attempt and the agent fields the slot accounting reads, as the claim loads them. */
export interface SlotOwner {
  executionId: string;
  /** The attempt's BullMQ job token: a lease belongs to one attempt, not to the execution. */
  attempt: string;
  agentId: string;
  /** Set for a slot of the agent's maxConcurrencyPerKey: the key value's concurrencyKeyId. */
  keyId?: string;
  limit: number;
  /** BullMQ priority (1 first): parked executions wake by priority, then in parking order. */
  priority: number;
}

// Floor of the lease time, so that a tiny lock duration (tests) does not make renewal spin.
const MIN_LEASE_TTL_MS = 1_000;

/**
 * A lease outlives the job lock this many times over, so that a worker stalled (event loop
 * blocked, process stopped) long enough to lose its job's lock still holds the slot: the job's
 * duplicate parks instead of calling the provider beside the stalled attempt's open call.
 */
export const LEASE_LOCK_DURATIONS = 4;

/**
 * The answer to `acquire`: the slot, or a wait until the lease it waits for ends (another
 * attempt's of the same execution, else the agent's first).
 */
export type SlotGrant = { acquired: true } | { acquired: false; awaitedLeaseEndsInMs: number };

// Job states in which a woken execution will never come for its slot.
const GONE_STATES = new Set(['unknown', 'completed', 'failed']);

/**
 * Per-agent concurrency, cluster-wide: a slot is a lease in Redis (a sorted set of attempts
 * scored by expiry) that its worker renews while the attempt runs, so a killed worker's slot
 * frees itself after LEASE_LOCK_DURATIONS lock durations. An execution without a slot is parked: its id
 * joins the agent's line in Redis and its job sleeps in the delayed set. Releasing a slot hands
 * it straight to the first parked execution and promotes that job, so nothing polls and a woken
 * job finds its slot waiting.
 */
@Injectable()
export class AgentConcurrency {
  private readonly logger = new Logger(AgentConcurrency.name);
  private readonly redis: RedisClient;
  private readonly prefix: string;
  readonly leaseTtlMs: number;
  /** Renewals per lease time: a holder misses several before its lease lapses. */
  readonly renewEveryMs: number;

  constructor(
    connections: RedisConnections,
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectQueue(QUEUES.executions)
    private readonly queue: JobQueue<typeof RUN_EXECUTION_JOB>,
  ) {
    this.redis = connections.queues;
    this.prefix = connections.prefix;
    this.leaseTtlMs = Math.max(
      config.worker.lockDurationMs * LEASE_LOCK_DURATIONS,
      MIN_LEASE_TTL_MS,
    );
    this.renewEveryMs = Math.floor(this.leaseTtlMs / (3 * LEASE_LOCK_DURATIONS));
  }

  /** The slot (new, or handed over while parked), or parked in line. */
  async acquire(owner: SlotOwner): Promise<SlotGrant> {
    const [acquired, awaitedLeaseEndsInMs] = (await this.redis.eval(
      ACQUIRE_SLOT,
      3,
      ...this.keys(owner),
      leaseMember(owner),
      owner.executionId,
      owner.limit,
      this.leaseTtlMs,
      // Priority first, then the time it first parked (ms fit below 1e13 until year 2286).
      owner.priority * 1e13 + Date.now(),
    )) as [number, number];
    return acquired === 1 ? { acquired: true } : { acquired: false, awaitedLeaseEndsInMs };
  }

  /** False when the lease is gone or had expired: the attempt no longer owns a slot. */
  async renew(owner: SlotOwner): Promise<boolean> {
    const renewed = await this.redis.eval(
      RENEW_SLOT,
      1,
      this.keys(owner)[0],
      leaseMember(owner),
      this.leaseTtlMs,
    );
    return renewed === 1;
  }

  /** Frees the attempt's slot and wakes whoever it goes to; `handOver: false` only frees it. */
  async release(owner: SlotOwner, { handOver = true } = {}): Promise<void> {
    await this.releaseMember(owner, leaseMember(owner), handOver);
  }

  /**
   * Run once the parked job sits in the delayed set: a slot freed (or handed to it) between its
   * parking and its move to the delayed set found no job to promote, so look again.
   */
  async recheckParked(owner: SlotOwner): Promise<void> {
    const woken = (await this.redis.eval(
      RELEASE_SLOT,
      3,
      ...this.keys(owner),
      '',
      owner.limit,
      this.leaseTtlMs,
      owner.executionId,
      '',
    )) as string[];
    await this.wake(owner, woken);
  }

  private async releaseMember(owner: SlotOwner, member: string, handOver: boolean) {
    const woken = (await this.redis.eval(
      RELEASE_SLOT,
      3,
      ...this.keys(owner),
      member,
      handOver ? owner.limit : 0,
      this.leaseTtlMs,
      '',
      owner.executionId,
    )) as string[];
    await this.wake(owner, woken);
  }

  private async wake(owner: SlotOwner, executionIds: string[]): Promise<void> {
    for (const executionId of executionIds) {
      try {
        const job = await Job.fromId(this.queue, executionId);
        if (job) {
          await job.promote();
          continue;
        }
      } catch {
        // Not delayed (any more): its state below says whether it will still come.
      }
      const state = await this.queue.getJobState(executionId);
      if (GONE_STATES.has(state)) {
        this.logger.log(`execution ${executionId}: gone while parked; passing its slot on`);
        // The slot was reserved under its id.
        await this.releaseMember(owner, executionId, true);
      }
    }
  }

  private keys(owner: SlotOwner): [string, string, string] {
    return agentDispatchKeys(this.prefix, owner.agentId, owner.keyId);
  }
}

function leaseMember(owner: SlotOwner): string {
  return `${owner.executionId}|${owner.attempt}`;
}
