import { EntityManager } from 'typeorm';

/** A tenant's unfinished executions of one agent, by the state the queue would call them. */
export interface AgentQueueDepth {
  agentId: string;
  /** Queued and due: waiting for a worker. */
  waiting: number;
  /** Queued with a future runAt (delay or retry backoff). */
  delayed: number;
  /** Running on a worker. */
  active: number;
  /** Paused for tool outputs or an approval. */
  requiresAction: number;
}

/** Executions that ended in one minute, by how they ended. */
export interface FinishedMinute {
  minute: Date;
  succeeded: number;
  failed: number;
  cancelled: number;
}

// Unfinished rows only: the (tenant_id, status, created_at) index finds them however many ended.
const QUEUE_DEPTH_SQL = `
SELECT agent_id,
       count(*) FILTER (WHERE status = 'queued' AND (run_at IS NULL OR run_at <= $2))::int AS waiting,
       count(*) FILTER (WHERE status = 'queued' AND run_at > $2)::int AS delayed,
       count(*) FILTER (WHERE status = 'running')::int AS active,
       count(*) FILTER (WHERE status = 'requires_action')::int AS requires_action
  FROM agent_executions
 WHERE tenant_id = $1 AND status IN ('queued', 'running', 'requires_action')
 GROUP BY agent_id
 ORDER BY agent_id`;

/** Unfinished executions per agent, as of `now`; agents with none are left out. */
export async function queueDepthByAgent(
  manager: EntityManager,
  tenantId: string,
  now: Date,
): Promise<AgentQueueDepth[]> {
  const rows: {
    agent_id: string;
    waiting: number;
    delayed: number;
    active: number;
    requires_action: number;
  }[] = await manager.query(QUEUE_DEPTH_SQL, [tenantId, now]);
  return rows.map((row) => ({
    agentId: row.agent_id,
    waiting: row.waiting,
    delayed: row.delayed,
    active: row.active,
    requiresAction: row.requires_action,
  }));
}

// The completed_at index reads only the window, whatever the tenant's history; it holds every
// tenant's completions of the window, so a window of heavy traffic costs in proportion to it.
const FINISHED_PER_MINUTE_SQL = `
SELECT date_trunc('minute', completed_at) AS minute,
       count(*) FILTER (WHERE status = 'succeeded')::int AS succeeded,
       count(*) FILTER (WHERE status = 'failed')::int AS failed,
       count(*) FILTER (WHERE status = 'cancelled')::int AS cancelled
  FROM agent_executions
 WHERE completed_at >= $2 AND tenant_id = $1
   AND status IN ('succeeded', 'failed', 'cancelled')
 GROUP BY 1
 ORDER BY 1`;

/** Executions that ended since `since`, per minute; minutes with none are left out. */
export async function finishedPerMinute(
  manager: EntityManager,
  tenantId: string,
  since: Date,
): Promise<FinishedMinute[]> {
  return manager.query(FINISHED_PER_MINUTE_SQL, [tenantId, since]);
}
