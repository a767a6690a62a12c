import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { ExecutionJobData, ExecutionJobResult, QUEUES } from '@agentq/jobs';
import { RedisClient, RedisConnections } from '@agentq/redis';
import { Job, Queue } from 'bullmq';
import { agentDispatchKeys } from './agent-dispatch-keys';
import { ACQUIRE_SLOT, RELEASE_SLOT, RENEW_SLOT } from './dispatch-scripts';

/** The agent fields the slot accounting reads, as the claim loads them. */
export interface SlotOwner {
  executionId: string;
  agentId: string;
  limit: number;
  /** BullMQ priority (1 first): parked executions wake by priority, then in parking order. */
  priority: number;
}

/** Floor of the lease time, so that a tiny lock duration (tests) does not make renewal spin. */
const MIN_LEASE_TTL_MS = 1_000;

/** Job states in which a woken execution will never come for its slot. */
const GONE_STATES = new Set(['unknown', 'completed', 'failed']);

/**
 * Per-agent concurrency, cluster-wide: a slot is a lease in Redis (a sorted set of execution
 * ids scored by expiry) that its worker renews while the attempt runs, so a killed worker's
 * slot frees itself after one lock duration. An execution without a slot is parked: its id
 * joins the agent's line in Redis and its job sleeps in the delayed set. Releasing a slot hands
 * it straight to the first parked execution and promotes that job, so nothing polls and a woken
 * job finds its slot waiting.
 */
@Injectable()
export class AgentConcurrency {
  private readonly logger = new Logger(AgentConcurrency.name);
  private readonly redis: RedisClient;
  private readonly prefix: string;
  private readonly leaseTtlMs: number;

  constructor(
    connections: RedisConnections,
    @Inject(APP_CONFIG) config: AppConfig,
    @InjectQueue(QUEUES.executions)
    private readonly queue: Queue<ExecutionJobData, ExecutionJobResult>,
  ) {
    this.redis = connections.queues;
    this.prefix = connections.prefix;
    // As long as the job's lock: a killed worker's slot frees itself when its job is stalled.
    this.leaseTtlMs = Math.max(config.worker.lockDurationMs, MIN_LEASE_TTL_MS);
  }

  get renewEveryMs(): number {
    return Math.floor(this.leaseTtlMs / 3);
  }

  /** True with a slot (new, or handed over while parked); false once parked in line. */
  async acquire(owner: SlotOwner): Promise<boolean> {
    const acquired = await this.redis.eval(
      ACQUIRE_SLOT,
      2,
      ...this.keys(owner.agentId),
      owner.executionId,
      owner.limit,
      this.leaseTtlMs,
      // Priority first, then the time it first parked (ms fit below 1e13 until year 2286).
      owner.priority * 1e13 + Date.now(),
    );
    return acquired === 1;
  }

  async renew(owner: SlotOwner): Promise<boolean> {
    const renewed = await this.redis.eval(
      RENEW_SLOT,
      1,
      this.keys(owner.agentId)[0],
      owner.executionId,
      this.leaseTtlMs,
    );
    return renewed === 1;
  }

  /** Frees the slot and wakes whoever it goes to; `handOver: false` only frees it. */
  async release(owner: SlotOwner, { handOver = true } = {}): Promise<void> {
    const woken = (await this.redis.eval(
      RELEASE_SLOT,
      2,
      ...this.keys(owner.agentId),
      owner.executionId,
      handOver ? owner.limit : 0,
      this.leaseTtlMs,
      'release',
    )) as string[];
    await this.wake(owner, woken);
  }

  /**
   * Run once the parked job sits in the delayed set: a slot freed (or handed to it) between its
   * parking and its move to the delayed set found no job to promote, so look again.
   */
  async recheckParked(owner: SlotOwner): Promise<void> {
    const woken = (await this.redis.eval(
      RELEASE_SLOT,
      2,
      ...this.keys(owner.agentId),
      owner.executionId,
      owner.limit,
      this.leaseTtlMs,
      'recheck',
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
        await this.release({ ...owner, executionId });
      }
    }
  }

  private keys(agentId: string): [string, string] {
    return agentDispatchKeys(this.prefix, agentId);
  }
}
