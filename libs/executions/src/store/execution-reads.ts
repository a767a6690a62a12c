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
  /** Every one of these tags. */
  tags?: string[];
  /** Top-level metadata keys and the values they must equal. */
  metadata?: Record<string, string>;
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
  // One join per tag on its index table: the planner drives the page from the rarest tag's
  // index, in created_at order (the join's equalities make e's order the index's order).
  (filter.tags ?? []).forEach((tag, n) => {
    query.innerJoin(
      'execution_tags',
      `t${n}`,
      `t${n}.execution_id = e.id AND t${n}.created_at = e.created_at AND ` +
        `t${n}.tenant_id = e.tenant_id AND t${n}.tag = :tag_${n}`,
      { [`tag_${n}`]: tag },
    );
  });
  Object.entries(filter.metadata ?? {}).forEach(([key, value], n) => {
    // Containment (@>) so the GIN index answers it; one alternative per JSON value the text
    // could stand for (`?metadata.count=3` finds {"count": 3} and {"count": "3"}).
    const alternatives = metadataMatches(key, value).map((match, m) => {
      query.setParameter(`metadata_${n}_${m}`, JSON.stringify(match));
      return `e.metadata @> :metadata_${n}_${m}::jsonb`;
    });
    query.andWhere(`(${alternatives.join(' OR ')})`);
  });
  return query;
}

/** The metadata objects `?metadata.<key>=<value>` matches: the string, and the JSON scalar it spells. */
export function metadataMatches(key: string, value: string): Record<string, unknown>[] {
  const matches: Record<string, unknown>[] = [{ [key]: value }];
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    return matches;
  }
  if (parsed === null || ['number', 'boolean'].includes(typeof parsed)) {
    matches.push({ [key]: parsed });
  }
  return matches;
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
