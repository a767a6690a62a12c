import { AgentExecution, ExecutionStatus } from '@agentq/database';
import { EntityManager, SelectQueryBuilder } from 'typeorm';

export interface ExecutionFilter {
  agentId?: string;
  status?: ExecutionStatus;
  /** Created at or after (a timestamp PostgreSQL reads). */
  from?: string;
  /** Created before. */
  to?: string;
  /** The end user (`user`). */
  user?: string;
  apiKeyId?: string;
  /** The conversation session the executions belong to. */
  sessionId?: string;
  /** Every one of these tags. */
  tags?: string[];
  /** Top-level metadata keys and the values they must equal. */
  metadata?: Record<string, string>;
  /** Any of these statuses (with `status`, both apply). */
  statuses?: readonly ExecutionStatus[];
  /** The error's code (failed executions). */
  errorCode?: string;
}

/** One execution of the tenant, or null. */
export function findExecution(
  manager: EntityManager,
  tenantId: string,
  id: string,
): Promise<AgentExecution | null> {
  return manager.getRepository(AgentExecution).findOneBy({ id, tenantId });
}

/** The tenant's executions that match the filter, in no order: the caller sorts and pages them. */
export function filteredExecutions(
  manager: EntityManager,
  tenantId: string,
  filter: ExecutionFilter,
): SelectQueryBuilder<AgentExecution> {
  const query = manager
    .getRepository(AgentExecution)
    .createQueryBuilder('e')
    .where('e.tenant_id = :tenantId', { tenantId });
  if (filter.agentId) query.andWhere('e.agent_id = :agentId', { agentId: filter.agentId });
  if (filter.status) query.andWhere('e.status = :status', { status: filter.status });
  if (filter.from) query.andWhere('e.created_at >= :from', { from: filter.from });
  if (filter.to) query.andWhere('e.created_at < :to', { to: filter.to });
  if (filter.user) query.andWhere('e.end_user = :user', { user: filter.user });
  if (filter.apiKeyId) query.andWhere('e.api_key_id = :apiKeyId', { apiKeyId: filter.apiKeyId });
  if (filter.sessionId) {
    query.andWhere('e.session_id = :sessionId', { sessionId: filter.sessionId });
  }
  // One join on execution_labels per tag and per metadata key. The page is then ordered on the
  // first label's copy of (created_at, id) (executionPageOrder), so its index gives the newest
  // rows first however common the label, and the planner's estimate stays the label's own.
  const labelSets = [
    ...(filter.tags ?? []).map((tag) => [tagLabel(tag)]),
    ...Object.entries(filter.metadata ?? {}).map(([key, value]) => metadataLabels(key, value)),
  ];
  labelSets.forEach((labels, n) => {
    query.innerJoin(
      'execution_labels',
      `l${n}`,
      `l${n}.execution_id = e.id AND l${n}.tenant_id = e.tenant_id AND ` +
        `l${n}.label IN (:...labels_${n})`,
      { [`labels_${n}`]: labels },
    );
  });
  if (filter.statuses) query.andWhere('e.status IN (:...statuses)', { statuses: filter.statuses });
  if (filter.errorCode) {
    query.andWhere(`e.error ->> 'code' = :errorCode`, { errorCode: filter.errorCode });
  }
  return query;
}

/** The label (execution_labels) of a tag. */
export function tagLabel(tag: string): string {
  return `tag:${tag}`;
}

/**
 * The labels `?metadata.<key>=<value>` matches: the value as a JSON string, and as the JSON
 * number, boolean or null it spells (`?metadata.count=3` finds {"count": 3} and {"count": "3"}).
 */
export function metadataLabels(key: string, value: string): string[] {
  const labels = [`meta:${key}=${JSON.stringify(value)}`];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return labels;
  }
  if (parsed === null || ['number', 'boolean'].includes(typeof parsed)) {
    labels.push(`meta:${key}=${JSON.stringify(parsed)}`);
  }
  return labels;
}

/**
 * The columns to page filteredExecutions on: the first label's (its index is ordered on them,
 * and they equal the execution's created_at and id) when the filter names a tag or metadata,
 * else the execution's own.
 */
export function executionPageOrder(filter: ExecutionFilter): { createdAt: string; id: string } {
  const labelled = (filter.tags?.length ?? 0) > 0 || Object.keys(filter.metadata ?? {}).length > 0;
  return labelled
    ? { createdAt: 'l0.created_at', id: 'l0.execution_id' }
    : { createdAt: 'e.created_at', id: 'e.id' };
}

/** A session's first `limit` executions in the order they were submitted, and how many it has. */
export function sessionExecutions(
  manager: EntityManager,
  tenantId: string,
  sessionId: string,
  limit: number,
): Promise<[AgentExecution[], number]> {
  return manager
    .getRepository(AgentExecution)
    .createQueryBuilder('e')
    .where('e.tenant_id = :tenantId AND e.session_id = :sessionId', { tenantId, sessionId })
    .orderBy('e.created_at', 'ASC')
    .addOrderBy('e.id', 'ASC')
    .take(limit)
    .getManyAndCount();
}

export interface ExecutionState {
  id: string;
  status: ExecutionStatus;
  idempotencyKey: string | null;
}

/** The states of the tenant's execution with this id and of the one with this idempotency key. */
export async function executionStatesByIdOrKey(
  manager: EntityManager,
  tenantId: string,
  id: string | null,
  idempotencyKey: string,
): Promise<ExecutionState[]> {
  const rows: { id: string; status: ExecutionStatus; idempotency_key: string | null }[] =
    await manager.query(
      `SELECT id, status, idempotency_key FROM agent_executions
        WHERE tenant_id = $1 AND (id = $2 OR idempotency_key = $3)`,
      [tenantId, id, idempotencyKey],
    );
  return rows.map((row) => ({
    id: row.id,
    status: row.status,
    idempotencyKey: row.idempotency_key,
  }));
}

export interface AgentActivity {
  running: number;
  /** Queued: not started yet, or between attempts (waiting for a slot, a rate-limit turn, a retry). */
  waiting: number;
}

/** How many of the agent's executions run now and how many wait. */
export async function agentActivity(
  manager: EntityManager,
  tenantId: string,
  agentId: string,
): Promise<AgentActivity> {
  const [row]: { running: string; waiting: string }[] = await manager.query(
    `SELECT count(*) FILTER (WHERE status = 'running') AS running,
            count(*) FILTER (WHERE status = 'queued') AS waiting
       FROM agent_executions
      WHERE tenant_id = $1 AND agent_id = $2 AND status IN ('queued', 'running')`,
    [tenantId, agentId],
  );
  return { running: Number(row.running), waiting: Number(row.waiting) };
}

/** The agent's executions that have not ended: queued, running or waiting for tool outputs. */
export async function countUnfinishedExecutions(
  manager: EntityManager,
  agentId: string,
): Promise<number> {
  const [row]: { n: number }[] = await manager.query(
    `SELECT count(*)::int AS n FROM agent_executions
      WHERE agent_id = $1 AND status IN ('queued', 'running', 'requires_action')`,
    [agentId],
  );
  return row.n;
}

const RERUNS_SQL = `
SELECT id FROM agent_executions
 WHERE rerun_of = $1 AND tenant_id = $2
 ORDER BY created_at DESC, id DESC
 LIMIT $3`;

/** The executions that rerun this one, newest first (at most `limit`). */
export async function rerunsOf(
  manager: EntityManager,
  tenantId: string,
  executionId: string,
  limit = 50,
): Promise<string[]> {
  const rows: { id: string }[] = await manager.query(RERUNS_SQL, [executionId, tenantId, limit]);
  return rows.map((row) => row.id);
}
