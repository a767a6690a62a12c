import { AffectedRowsQuery } from '@agentq/database';
import { EntityManager } from 'typeorm';
import { auditDiff } from './audit-diff';
import { currentAuditActor } from './audit-context';

type Sql = Pick<EntityManager, 'query'>;

/** One management write, as the service that made it describes it. */
export interface AuditEntry {
  tenantId: string;
  /** `<target type>.<verb>`, e.g. `agent.updated`. */
  action: string;
  targetType: string;
  targetId: string;
  /** The target before and after (null for a creation or a deletion); secrets are redacted. */
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

const INSERT_SQL = `
INSERT INTO audit_log (tenant_id, actor_type, actor_api_key_id, action, target_type, target_id,
                       diff, request_id, source_address)
VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)`;

/**
 * Records a management write in the caller's transaction (the tenant's, under row-level
 * security), so the entry commits with the change or not at all. The actor, request id and
 * source address come from the request (auditContext).
 */
export async function recordAudit(manager: Sql, entry: AuditEntry): Promise<void> {
  const actor = currentAuditActor();
  await manager.query(INSERT_SQL, [
    entry.tenantId,
    actor?.type ?? 'system',
    actor?.apiKeyId ?? null,
    entry.action,
    entry.targetType,
    entry.targetId,
    JSON.stringify(auditDiff(entry.before, entry.after)),
    actor?.requestId ?? null,
    actor?.sourceAddress ?? null,
  ]);
}

/** Filters of the audit log's lists. */
export interface AuditFilter {
  action?: string;
  targetType?: string;
  targetId?: string;
  actorApiKeyId?: string;
  from?: string;
  to?: string;
}

/** The WHERE clause and parameters of a filtered read, parameters numbered from `first`. */
export function auditFilterSql(
  filter: AuditFilter,
  first = 1,
): { where: string; params: unknown[] } {
  const clauses: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    clauses.push(sql.replace('?', `$${first + params.length - 1}`));
  };
  if (filter.action) add('action = ?', filter.action);
  if (filter.targetType) add('target_type = ?', filter.targetType);
  if (filter.targetId) add('target_id = ?', filter.targetId);
  if (filter.actorApiKeyId) add('actor_api_key_id = ?::uuid', filter.actorApiKeyId);
  if (filter.from) add('created_at >= ?::timestamptz', filter.from);
  if (filter.to) add('created_at < ?::timestamptz', filter.to);
  return { where: clauses.length > 0 ? clauses.join(' AND ') : 'true', params };
}

const DELETE_EXPIRED_SQL = `
WITH batch AS (
  SELECT id FROM audit_log
   WHERE created_at < now() - make_interval(secs => $1)
   ORDER BY created_at
   LIMIT $2
)
DELETE FROM audit_log a USING batch WHERE a.id = batch.id`;

/**
 * Deletes up to `batchSize` entries older than `olderThanDays` (AUDIT_LOG_RETENTION_DAYS), as
 * the maintenance role: the only deletion the audit log allows. Returns how many went.
 */
export function deleteExpiredAuditEntries(
  query: AffectedRowsQuery,
  olderThanDays: number,
  batchSize: number,
): Promise<number> {
  return query(DELETE_EXPIRED_SQL, [olderThanDays * 86_400, batchSize]);
}
