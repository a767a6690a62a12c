import { setTransactionTenant } from '@agentq/database';
import { EntityManager } from 'typeorm';
import { emptyPlanAdvanceSink, PlanAdvanceSink } from '../follow-ups/plan-advancement';
import { recordTerminalOutcomes } from './record-terminal-outcomes';
import { RecordedTransition, TerminalOutcome } from './terminal-outcome';

// Under the row lock the tool outputs take too: outputs committed first leave the row `queued`
// (no longer matched), and a wait whose deadline moved on (paused again) is not yet expired.
const LOCK_STILL_EXPIRED_SQL = `
SELECT id FROM agent_executions
 WHERE id = $1 AND status = 'requires_action' AND action_deadline <= now()
   FOR UPDATE`;

/**
 * Records action_timeout outcomes only for executions still waiting past their deadline when
 * locked: whoever takes the row first (the outputs or the expiry) is the one that happened.
 */
export async function recordActionTimeouts(
  manager: EntityManager,
  outcomes: readonly TerminalOutcome[],
  planSink: PlanAdvanceSink = emptyPlanAdvanceSink(),
): Promise<RecordedTransition[]> {
  if (!manager.queryRunner?.isTransactionActive) {
    return manager.transaction((tx) => recordActionTimeouts(tx, outcomes, planSink));
  }
  const expired: TerminalOutcome[] = [];
  for (const outcome of outcomes) {
    await setTransactionTenant(manager, outcome.tenantId);
    const rows: unknown[] = await manager.query(LOCK_STILL_EXPIRED_SQL, [outcome.executionId]);
    if (rows.length > 0) expired.push(outcome);
  }
  return recordTerminalOutcomes(manager, expired, planSink);
}
