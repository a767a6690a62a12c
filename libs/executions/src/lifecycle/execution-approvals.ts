import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { waitpointTokenHash, waitpointTokenMatches, WaitpointTokens } from '@agentq/crypto';
import { inTenantTransaction, RequiredAction, ToolCall } from '@agentq/database';
import { webhookOutboxCte } from '@agentq/webhooks';
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import {
  ApprovalDecision,
  approvalDecisionsProblem,
  decideAll,
  deniedOutput,
} from '../store/approval-decisions';
import { insertToolSteps } from '../store/execution-steps';
import { ExecutionActions, resumedJob } from './execution-actions';
import { QueuedExecution } from './execution-producer.service';
import { LifecycleAnnouncer, StreamedAttempt } from '../streams/lifecycle-announcer.service';

// The pause, its waitpoint and the `execution.requires_action` webhook deliveries commit together.
const PAUSE_FOR_APPROVAL_SQL = `
WITH paused AS (
  UPDATE agent_executions
     SET status = 'requires_action', required_action = $2::jsonb,
         action_deadline = now() + make_interval(secs => $3::double precision / 1000)
   WHERE id = $1 AND status = 'running'
  RETURNING id, tenant_id, action_deadline
),
waitpoint AS (
  INSERT INTO execution_waitpoints (id, tenant_id, execution_id, token_hash, tool_calls, deadline)
  SELECT $4, tenant_id, id, $5, $6::jsonb, action_deadline FROM paused
  RETURNING id
),
${webhookOutboxCte({
  name: 'webhook_outbox',
  from: 'paused',
  eventType: `'execution.requires_action'`,
})}
SELECT paused.action_deadline FROM paused, waitpoint`;

const LOCK_WAITING_SQL = `
SELECT id, tenant_id, agent_id, status, required_action, priority, attempts, max_attempts,
       action_deadline <= now() AS expired
  FROM agent_executions WHERE id = $1 FOR UPDATE`;

const LAST_MODEL_STEP_SQL = `
SELECT step_index, tool_calls FROM execution_steps
 WHERE execution_id = $1 AND type = 'model' AND error IS NULL
 ORDER BY step_index DESC LIMIT 1`;

// Single use: only the first decision completes a waitpoint.
const COMPLETE_WAITPOINT_SQL = `
UPDATE execution_waitpoints SET decisions = $2::jsonb, completed_at = now()
 WHERE id = $1 AND completed_at IS NULL`;

const RESUME_SQL = `
UPDATE agent_executions
   SET status = 'queued', required_action = NULL, action_deadline = NULL,
       attempts = attempts - 1
 WHERE id = $1 AND status = 'requires_action'`;

const APPROVED_CALLS_SQL = `
SELECT d->>'toolCallId' AS tool_call_id
  FROM execution_waitpoints w, jsonb_array_elements(w.decisions) d
 WHERE w.execution_id = $1 AND w.completed_at IS NOT NULL AND (d->>'approve')::boolean`;

export type ApprovalResult =
  | { kind: 'resumed'; executionId: string; decisions: ApprovalDecision[] }
  | { kind: 'not-found' }
  | { kind: 'conflict'; code: string; message: string };

/** How a waitpoint is completed: decisions per call, or one for them all (a link's button). */
export type ApprovalAnswer =
  { decisions: ApprovalDecision[] } | { approve: boolean; reason?: string };

/**
 * Approval waitpoints: an http tool with `approval: "always"` pauses the execution in
 * `requires_action` (no worker slot held) until a person decides on each call, by API key
 * (POST /v1/executions/:id/approvals) or by the waitpoint's token without one. Approved calls run
 * when the execution resumes; denied ones are recorded at once as tool steps the model reads.
 */
@Injectable()
export class ExecutionApprovals {
  private readonly tokens: WaitpointTokens;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly actions: ExecutionActions,
    private readonly announcer: LifecycleAnnouncer,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.tokens = new WaitpointTokens(config.masterKeys.current);
  }

  /** The waitpoint's token: what its link carries. Never stored; only its hash is. */
  tokenOf(waitpointId: string): string {
    return this.tokens.tokenOf(waitpointId);
  }

  /**
   * The worker pauses for approvals; null when the execution is no longer running. Announced
   * like any pause (`requires_action` on the events and the output stream) once committed.
   */
  async pause(
    execution: StreamedAttempt,
    toolCalls: ToolCall[],
    actionTimeoutMs: number,
  ): Promise<{ deadline: Date; requiredAction: RequiredAction } | null> {
    const waitpointId = randomUUID();
    const requiredAction: RequiredAction = { type: 'approval', toolCalls, waitpointId };
    const rows: { action_deadline: Date }[] = await inTenantTransaction(
      this.dataSource,
      execution.tenantId,
      (manager) =>
        manager.query(PAUSE_FOR_APPROVAL_SQL, [
          execution.id,
          JSON.stringify(requiredAction),
          actionTimeoutMs,
          waitpointId,
          waitpointTokenHash(this.tokens.tokenOf(waitpointId)),
          JSON.stringify(toolCalls),
        ]),
    );
    if (!rows[0]) return null;
    this.announcer.requiresAction(execution, requiredAction);
    return { deadline: rows[0].action_deadline, requiredAction };
  }

  /** The tool calls of this execution a person approved (so its next attempt runs them). */
  async approvedCalls(tenantId: string, executionId: string): Promise<Set<string>> {
    const rows: { tool_call_id: string }[] = await inTenantTransaction(
      this.dataSource,
      tenantId,
      (manager) => manager.query(APPROVED_CALLS_SQL, [executionId]),
    );
    return new Set(rows.map((row) => row.tool_call_id));
  }

  /** Decisions by API key, within the key's tenant. */
  decide(tenantId: string, executionId: string, answer: ApprovalAnswer): Promise<ApprovalResult> {
    return this.complete(tenantId, executionId, null, answer);
  }

  /**
   * Decisions by token: the token names the tenant, the execution and the waitpoint, so no
   * other can be reached with it. not-found for a token that matches no waitpoint.
   */
  async decideByToken(token: string, answer: ApprovalAnswer): Promise<ApprovalResult> {
    const [found]: { id: string; tenant_id: string; execution_id: string; token_hash: Buffer }[] =
      await this.dataSource.query(`SELECT * FROM agentq_find_waitpoint($1)`, [
        waitpointTokenHash(token),
      ]);
    if (!found || !waitpointTokenMatches(token, found.token_hash)) return { kind: 'not-found' };
    return this.complete(found.tenant_id, found.execution_id, found.id, answer);
  }

  private async complete(
    tenantId: string,
    executionId: string,
    waitpointId: string | null,
    answer: ApprovalAnswer,
  ): Promise<ApprovalResult> {
    const result = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const [row]: Record<string, any>[] = await manager.query(LOCK_WAITING_SQL, [executionId]);
      if (!row) return { kind: 'not-found' } as const;
      const action = row.required_action as RequiredAction | null;
      const waiting = row.status === 'requires_action' && action?.type === 'approval';
      if (waitpointId !== null && (!waiting || action?.waitpointId !== waitpointId)) {
        return conflict('waitpoint_completed', 'this waitpoint has already been completed');
      }
      if (!waiting) {
        return conflict('not_waiting', `the execution is ${row.status}, not waiting for approval`);
      }
      if (row.expired) return conflict('action_timeout', 'the wait for approval is over');
      const decisions =
        'decisions' in answer
          ? answer.decisions
          : decideAll(action!.toolCalls, answer.approve, answer.reason);
      const problem = approvalDecisionsProblem(action!.toolCalls, decisions);
      if (problem) return conflict('approval_mismatch', problem);
      const [, completed]: [unknown, number] = await manager.query(COMPLETE_WAITPOINT_SQL, [
        action!.waitpointId,
        JSON.stringify(decisions),
      ]);
      if (completed === 0) {
        return conflict('waitpoint_completed', 'this waitpoint has already been completed');
      }
      const [model]: { step_index: number; tool_calls: ToolCall[] }[] = await manager.query(
        LAST_MODEL_STEP_SQL,
        [executionId],
      );
      const denied = new Map(
        decisions.filter((decision) => !decision.approve).map((d) => [d.toolCallId, d]),
      );
      const now = new Date();
      await insertToolSteps(
        manager,
        executionId,
        model.tool_calls.flatMap((call, position) => {
          const decision = denied.get(call.id);
          if (!decision) return [];
          const output = deniedOutput(decision);
          return [
            {
              index: model.step_index + 1 + position,
              name: call.name,
              toolCallId: call.id,
              arguments: call.arguments,
              output,
              attempt: row.attempts,
              durationMs: null,
              error: { code: 'approval_denied', message: output.slice('error: '.length) },
              startedAt: now,
            },
          ];
        }),
        'requires_action',
      );
      await manager.query(RESUME_SQL, [executionId]);
      return { kind: 'resumed', decisions, queued: resumedJob(row) } as const;
    });
    if (result.kind !== 'resumed') return result;
    await this.actions.enqueueResumed(result.queued as QueuedExecution);
    return { kind: 'resumed', executionId, decisions: result.decisions };
  }
}

function conflict(code: string, message: string) {
  return { kind: 'conflict', code, message } as const;
}
