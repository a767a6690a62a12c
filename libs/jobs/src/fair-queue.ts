import { Queue, RedisClient } from 'bullmq';
import { ASSIGN_FAIR_PRIORITIES_LUA, TENANT_BACKLOGS_LUA } from './fair-queue.lua';

/** What the fair queue needs to know of one job about to be added. */
export interface FairJobRequest {
  jobId: string;
  tenantId: string;
  /** API priority, 1 (lowest) .. 10 (most urgent). */
  priority: number;
  /** Delayed jobs get no place in their tenant's line now: they re-enter BullMQ when due. */
  delayed: boolean;
  /** A job that may already exist (an idempotent repeat, a requeue): it takes no place if it does. */
  repeat: boolean;
}

const ASSIGN = 'agentqAssignFairPriorities';
const BACKLOGS = 'agentqTenantBacklogs';

type ScriptClient = RedisClient & Record<string, unknown>;

// Our scripts, defined once per connection (ioredis then sends EVALSHA).
async function scriptClient(queue: Queue): Promise<ScriptClient> {
  const client = (await queue.getBackend().client) as ScriptClient;
  if (typeof client[ASSIGN] !== 'function') {
    client.defineCommand(ASSIGN, { numberOfKeys: 5, lua: ASSIGN_FAIR_PRIORITIES_LUA });
    client.defineCommand(BACKLOGS, { numberOfKeys: 3, lua: TENANT_BACKLOGS_LUA, readOnly: true });
  }
  return client;
}

const fairKey = (queue: Queue, name: 'lanes' | 'state') => queue.toKey(`fair:${name}`);

/**
 * The BullMQ priority of each job, in order: one EVAL for the whole batch. A tenant's n-th
 * waiting job is placed behind every other tenant's first, and API priority orders the jobs of
 * one tenant (see docs/fairness.md).
 */
export async function assignFairPriorities(
  queue: Queue,
  jobs: readonly FairJobRequest[],
): Promise<number[]> {
  if (jobs.length === 0) return [];
  const client = await scriptClient(queue);
  const args: (string | number)[] = [
    queue.keys.prioritized,
    queue.keys.delayed,
    queue.keys.active,
    fairKey(queue, 'lanes'),
    fairKey(queue, 'state'),
    queue.toKey(''),
  ];
  for (const job of jobs) {
    args.push(job.tenantId, job.priority, job.delayed ? 'd' : job.repeat ? 'r' : 'n', job.jobId);
  }
  const priorities: number[] = await client.runCommand(ASSIGN, args);
  return priorities.map(Number);
}

/** Per tenant, how many of its jobs wait in line (delayed ones excluded); tenants with none omitted. */
export async function tenantBacklogs(queue: Queue): Promise<Map<string, number>> {
  const client = await scriptClient(queue);
  const flat: (string | number)[] = await client.runCommand(BACKLOGS, [
    queue.keys.prioritized,
    fairKey(queue, 'lanes'),
    fairKey(queue, 'state'),
  ]);
  const backlogs = new Map<string, number>();
  for (let i = 0; i < flat.length; i += 2) backlogs.set(String(flat[i]), Number(flat[i + 1]));
  return backlogs;
}
