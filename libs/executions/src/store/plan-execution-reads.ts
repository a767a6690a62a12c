import { PlanExecutionReads, TaskExecutionOutcome, TaskExecutionUsage } from '@agentq/plans';
import { EntityManager } from 'typeorm';

const OUTCOMES_SQL = `
SELECT id, status, output, error, started_at, completed_at
  FROM agent_executions WHERE id = ANY($1::uuid[])`;

// Sums per caller-given key, in PostgreSQL: numeric cost stays exact.
const USAGE_SQL = `
SELECT g.key, COALESCE(sum(e.prompt_tokens), 0)::bigint AS prompt_tokens,
       COALESCE(sum(e.completion_tokens), 0)::bigint AS completion_tokens,
       COALESCE(sum(e.cost_usd), 0)::text AS cost_usd
  FROM unnest($1::text[], $2::uuid[]) AS g(key, execution_id)
  JOIN agent_executions e ON e.id = g.execution_id
 GROUP BY g.key`;

/** What plan reads need from their tasks' executions (libs/plans cannot import this lib). */
export const planExecutionReads: PlanExecutionReads = {
  async outcomes(manager: EntityManager, ids: readonly string[]): Promise<TaskExecutionOutcome[]> {
    if (ids.length === 0) return [];
    return manager.query(OUTCOMES_SQL, [ids]);
  },
  async usage(
    manager: EntityManager,
    executions: readonly { key: string; executionId: string }[],
  ): Promise<TaskExecutionUsage[]> {
    if (executions.length === 0) return [];
    return manager.query(USAGE_SQL, [
      executions.map((e) => e.key),
      executions.map((e) => e.executionId),
    ]);
  },
};
