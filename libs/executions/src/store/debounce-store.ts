import { EntityManager } from 'typeorm';
import { executionFromRow, ExecutionRow } from './execution-rows';
import {
  insertSubmissions,
  NewExecution,
  SubmissionRefusedError,
  SubmittedExecution,
} from './submission-store';

// Takes (or creates) the key's row and its lock: same-key submissions wait here for each other
// until commit, so each one sees what the last one committed.
const LOCK_DEBOUNCE_KEY_SQL = `
INSERT INTO execution_debounces (tenant_id, agent_id, debounce_key) VALUES ($1, $2, $3)
ON CONFLICT (tenant_id, agent_id, debounce_key) DO UPDATE SET updated_at = now()
RETURNING execution_id`;

// Still waiting for its first attempt: it takes the newer input and starts later.
const COLLAPSE_SQL = `
UPDATE agent_executions SET input = $2, run_at = $3
 WHERE id = $1 AND status = 'queued' AND attempts = 0
RETURNING *`;

const POINT_DEBOUNCE_KEY_SQL = `
UPDATE execution_debounces SET execution_id = $4, updated_at = now()
 WHERE tenant_id = $1 AND agent_id = $2 AND debounce_key = $3`;

const FOREIGN_KEY_VIOLATION = '23503';

export interface DebouncedSubmission extends SubmittedExecution {
  /** The submission collapsed into an execution that had not started yet (created is false). */
  collapsed: boolean;
}

/**
 * One debounced submission, inside the caller's tenant transaction: while the key's execution
 * has not started, the submission becomes that execution's input and moves its start to
 * `delayMs` from now; otherwise it creates the key's next execution, starting then.
 */
export async function submitDebounced(
  manager: EntityManager,
  tenantId: string,
  agentId: string,
  debounce: { key: string; delayMs: number },
  execution: NewExecution,
): Promise<DebouncedSubmission> {
  const debounceKey = debounce.key;
  const [key] = await lockDebounceKey(manager, tenantId, agentId, debounceKey);
  // Counted from when the lock is ours: a submission that waited for it is the later one.
  const runAt = new Date(Date.now() + debounce.delayMs);
  if (key.execution_id) {
    // An UPDATE answers [rows, count] through TypeORM.
    const [collapsed]: [ExecutionRow[], number] = await manager.query(COLLAPSE_SQL, [
      key.execution_id,
      JSON.stringify(execution.input),
      runAt.toISOString(),
    ]);
    if (collapsed.length > 0) {
      return { execution: executionFromRow(collapsed[0]), created: false, collapsed: true };
    }
  }
  const [outcome] = await insertSubmissions(manager, [
    { tenantId, agentId, executions: [{ ...execution, runAt, idempotencyKey: null, debounceKey }] },
  ]);
  if (!outcome.ok) throw outcome.error;
  const [created] = outcome.value;
  await manager.query(POINT_DEBOUNCE_KEY_SQL, [
    tenantId,
    agentId,
    debounceKey,
    created.execution.id,
  ]);
  return { ...created, collapsed: false };
}

async function lockDebounceKey(
  manager: EntityManager,
  tenantId: string,
  agentId: string,
  debounceKey: string,
): Promise<{ execution_id: string | null }[]> {
  try {
    return await manager.query(LOCK_DEBOUNCE_KEY_SQL, [tenantId, agentId, debounceKey]);
  } catch (error) {
    const { code, constraint } = error as { code?: string; constraint?: string };
    if (code === FOREIGN_KEY_VIOLATION && constraint === 'execution_debounces_agent_id_fkey') {
      throw new SubmissionRefusedError('agent_not_found', 'agent not found');
    }
    throw error;
  }
}
