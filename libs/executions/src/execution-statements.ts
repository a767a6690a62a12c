import { SESSION_EVENT_TYPES } from '@agentq/agent-context';

// Statements on agent_executions that other parts of the system run with their own
// connections: the worker's prompt building (in the execution's tenant transaction), retention
// and session archiving, and the reconciler (both cross-tenant, on the maintenance role).

/**
 * The session's earlier succeeded executions, newest first, that were created before this one.
 * Payloads cleared by retention are left out.
 */
export const SESSION_TURNS_SQL = `
SELECT e.input, e.output
  FROM agent_executions e
 WHERE e.session_id = $1 AND e.status = 'succeeded' AND e.payload_purged_at IS NULL
   AND (e.created_at, e.id) < (SELECT c.created_at, c.id FROM agent_executions c WHERE c.id = $2)
 ORDER BY e.created_at DESC, e.id DESC
 LIMIT $3`;

/** Marks the chosen memories used and records on the execution which ones its prompt holds. */
export const RECORD_MEMORY_USE_SQL = `
WITH touched AS (
  UPDATE agent_memories SET last_accessed_at = now() WHERE id = ANY($2::uuid[]) RETURNING id
)
UPDATE agent_executions SET memory_ids = $2::uuid[] WHERE id = $1`;

/**
 * Input and output become placeholders, and so do the steps' texts (model output and tool calls,
 * tool arguments and results); status, model, tokens, cost and duration stay, so the usage
 * rollups still equal the sums over the rows. Not a status change: no session event.
 */
export const CLEAR_EXECUTION_PAYLOADS_SQL = `
WITH batch AS (
  SELECT id FROM agent_executions
   WHERE payload_purged_at IS NULL AND completed_at IS NOT NULL
     AND completed_at < now() - make_interval(secs => $1)
   ORDER BY completed_at
   LIMIT $2
     FOR UPDATE SKIP LOCKED
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

/** Sessions idle for the whole period, with nothing queued or running, are archived. */
export const ARCHIVE_IDLE_SESSIONS_SQL = `
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

/** `queued` rows old enough that their job must exist by now, oldest first, after a cursor. */
export const QUEUED_CANDIDATES_SQL = `
-- queued_at as text keeps its microseconds for the cursor (a batch shares one timestamp).
SELECT id, tenant_id, agent_id, priority, run_at, attempts, max_attempts,
       queued_at::text AS queued_at
  FROM agent_executions
 WHERE status = 'queued'
   AND queued_at < now() - make_interval(secs => $1::double precision / 1000)
   AND (queued_at, id) > ($2::timestamptz, $3::uuid)
 ORDER BY queued_at, id
 LIMIT $4`;

/** `running` rows past their own timeout plus the margin: their worker should be long done. */
export const OVERDUE_RUNNING_SQL = `
SELECT id, tenant_id, agent_id, priority, run_at, attempts, max_attempts, model
  FROM agent_executions
 WHERE status = 'running'
   AND started_at < now() - make_interval(
         secs => (COALESCE(timeout_ms, $1) + $2)::double precision / 1000)
 ORDER BY started_at
 LIMIT $3`;

/** Back to `queued` for another attempt, unless someone claimed it again meanwhile. */
export const REQUEUE_ABANDONED_SQL = `
UPDATE agent_executions SET status = 'queued', error = $3
 WHERE id = $1 AND status = 'running' AND attempts = $2`;

/** The subset of ids still `queued` (re-read after a scan: one may have run since). */
export const STILL_QUEUED_SQL = `SELECT id FROM agent_executions WHERE id = ANY($1::uuid[]) AND status = 'queued'`;

/** Executions waiting for client tool outputs past their deadline, oldest deadline first. */
export const EXPIRED_ACTIONS_SQL = `
SELECT id, tenant_id, agent_id, model, attempts
  FROM agent_executions
 WHERE status = 'requires_action' AND action_deadline < now()
 ORDER BY action_deadline
 LIMIT $1`;
