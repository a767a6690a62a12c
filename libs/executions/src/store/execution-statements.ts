import { SESSION_EVENT_TYPES } from '@agentq/agent-context';
import { AffectedRowsQuery } from '@agentq/database';
import { EntityManager } from 'typeorm';

// Use cases on agent_executions that other parts of the system run on their own connections:
// the worker's prompt building (in the execution's tenant transaction), retention and session
// archiving (cross-tenant, on the maintenance role). The statements stay here.

type Sql = Pick<EntityManager, 'query'>;

// The session's earlier succeeded executions, newest first, that were created before this one.
// Payloads cleared by retention are left out.
const SESSION_TURNS_SQL = `
SELECT e.input, e.output
  FROM agent_executions e
 WHERE e.session_id = $1 AND e.status = 'succeeded' AND e.payload_purged_at IS NULL
   AND (e.created_at, e.id) < (SELECT c.created_at, c.id FROM agent_executions c WHERE c.id = $2)
 ORDER BY e.created_at DESC, e.id DESC
 LIMIT $3`;

// Marks the chosen memories used and records on the execution which ones its prompt holds.
const RECORD_MEMORY_USE_SQL = `
WITH touched AS (
  UPDATE agent_memories SET last_accessed_at = now() WHERE id = ANY($2::uuid[]) RETURNING id
)
UPDATE agent_executions SET memory_ids = $2::uuid[] WHERE id = $1`;

const RECORD_KNOWLEDGE_USE_SQL = `UPDATE agent_executions SET knowledge_ids = $2::uuid[] WHERE id = $1`;

// Input and output become placeholders, and so do the steps' texts (model output and tool calls,
// tool arguments and results); status, model, tokens, cost and duration stay, so the usage
// rollups still equal the sums over the rows. The approval waitpoints go (their tool calls and
// decisions are payload; an ended execution waits for nothing). Not a status change: no session
// event.
const CLEAR_EXECUTION_PAYLOADS_SQL = `
WITH batch AS (
  SELECT id FROM agent_executions
   WHERE payload_purged_at IS NULL AND completed_at IS NOT NULL
     AND completed_at < now() - make_interval(secs => $1)
   ORDER BY completed_at
   LIMIT $2
     FOR UPDATE SKIP LOCKED
),
waitpoints AS (
  DELETE FROM execution_waitpoints w USING batch WHERE w.execution_id = batch.id
),
steps AS (
  UPDATE execution_steps s
     SET arguments = NULL, result = NULL, tool_calls = NULL
    FROM batch
   WHERE s.execution_id = batch.id
)
UPDATE agent_executions e
   SET input = '{"redacted": true}'::jsonb,
       output = CASE WHEN e.output IS NULL THEN NULL ELSE jsonb_build_object(
                  'redacted', true, 'model', e.output->'model',
                  'finishReason', e.output->'finishReason') END,
       payload_purged_at = now()
  FROM batch
 WHERE e.id = batch.id`;

// Sessions idle for the whole period, with nothing queued or running, are archived.
const ARCHIVE_IDLE_SESSIONS_SQL = `
WITH batch AS (
  SELECT s.id FROM sessions s
   WHERE s.status <> 'archived' AND s.updated_at < now() - make_interval(secs => $1)
     AND NOT EXISTS (
       SELECT 1 FROM agent_executions e
        WHERE e.session_id = s.id
          AND (e.created_at >= now() - make_interval(secs => $1)
               OR e.status IN ('queued', 'running', 'requires_action')))
   LIMIT $2
     FOR UPDATE SKIP LOCKED
),
archived AS (
  UPDATE sessions s SET status = 'archived', archived_at = now(), updated_at = now()
    FROM batch WHERE s.id = batch.id
  RETURNING s.id, s.tenant_id
)
INSERT INTO session_events (tenant_id, session_id, type, payload)
SELECT tenant_id, id, '${SESSION_EVENT_TYPES.sessionArchived}', '{}' FROM archived`;

/** The session's earlier succeeded turns (input, output), newest first, at most `limit`. */
export function readSessionTurns<Turn>(
  sql: Sql,
  sessionId: string,
  executionId: string,
  limit: number,
): Promise<Turn[]> {
  return sql.query(SESSION_TURNS_SQL, [sessionId, executionId, limit]);
}

/** Records which memories the execution's prompt holds, and marks them used. */
export async function recordMemoryUse(
  sql: Sql,
  executionId: string,
  memoryIds: readonly string[],
): Promise<void> {
  await sql.query(RECORD_MEMORY_USE_SQL, [executionId, memoryIds]);
}

/** The knowledge entries an attempt's prompt quoted (GET /v1/executions/:id `knowledgeIds`). */
export async function recordKnowledgeUse(
  sql: Sql,
  executionId: string,
  entryIds: readonly string[],
): Promise<void> {
  await sql.query(RECORD_KNOWLEDGE_USE_SQL, [executionId, entryIds]);
}

/**
 * Clears the payloads of up to `batchSize` executions that ended more than `olderThanSeconds`
 * ago (usage and status stay); returns how many.
 */
export function purgePayloads(
  query: AffectedRowsQuery,
  olderThanSeconds: number,
  batchSize: number,
): Promise<number> {
  return query(CLEAR_EXECUTION_PAYLOADS_SQL, [olderThanSeconds, batchSize]);
}

/** Archives up to `batchSize` sessions idle for `idleSeconds`; returns how many. */
export function archiveIdleSessions(
  query: AffectedRowsQuery,
  idleSeconds: number,
  batchSize: number,
): Promise<number> {
  return query(ARCHIVE_IDLE_SESSIONS_SQL, [idleSeconds, batchSize]);
}
