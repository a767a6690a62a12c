import { planTaskOutcomeCte } from '@agentq/plans';
import { webhookOutboxCte } from '@agentq/webhooks';

// The webhook outbox hook of the terminal transition: a CTE of RECORD_TERMINAL_OUTCOMES_SQL that
// writes one pending delivery per transition won and per webhook of its tenant subscribed to
// `execution.<status>`, in the same statement (so the same transaction) as the outcome. The
// statement is libs/webhooks' (the outbox's one writer); this names the rows and the event.
export const WEBHOOK_OUTBOX_CTE = webhookOutboxCte({
  name: 'webhook_outbox',
  from: 'won',
  eventType: `'execution.' || won.status`,
});

// The plan hook of the terminal transition: the plan tasks of the transitions won end in the
// same statement (libs/plans' CTE); its `plan_id`s name the plans to move on.
export const PLAN_TASK_OUTCOME_CTE = planTaskOutcomeCte({ name: 'plan_task', from: 'won' });
