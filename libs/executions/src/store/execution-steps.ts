import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTenantTransaction } from '@agentq/database';
import { DataSource, EntityManager } from 'typeorm';
import { ExecutionStep, NewModelStep, NewToolStep, truncatedResult } from './execution-step';
import { ExecutionStream } from '../streams/execution-stream';

// The attempt a step belongs to: its tenant, and whether (and as which attempt) it streams.
type StepAttempt = { id: string; tenantId: string; stream: boolean; attempts: number };

const STEP_COLUMNS = `step_index, type, name, tool_call_id, arguments, result, result_length,
  tool_calls, finish_reason, prompt_tokens, completion_tokens, cost_usd::text AS cost_usd, attempt, duration_ms,
  error, started_at`;

const LIST_STEPS_SQL = `
SELECT ${STEP_COLUMNS} FROM execution_steps WHERE execution_id = $1 ORDER BY step_index`;

// A model step and its usage land together: the execution row's usage is the running sum of its
// committed model steps, and the terminal UPDATE adds nothing more for a tool loop. The row is
// locked and must still be `running`, so nothing is added once it has ended (a cancel).
const RECORD_MODEL_STEP_SQL = `
WITH live AS (
  SELECT id, tenant_id FROM agent_executions WHERE id = $1 AND status = 'running' FOR UPDATE
),
step AS (
  INSERT INTO execution_steps (execution_id, step_index, tenant_id, type, name, result,
    result_length, tool_calls, model, prompt_tokens, completion_tokens, cost_usd, attempt,
    duration_ms, error, started_at, finish_reason)
  SELECT live.id, $2, live.tenant_id, 'model', $3, $4, length($4), $5::jsonb, $3, $6, $7, $8,
         $9, $10, $11::jsonb, $12, $13
    FROM live
  ON CONFLICT DO NOTHING
  RETURNING prompt_tokens, completion_tokens, cost_usd, model
)
UPDATE agent_executions e
   SET prompt_tokens = e.prompt_tokens + step.prompt_tokens,
       completion_tokens = e.completion_tokens + step.completion_tokens,
       cost_usd = e.cost_usd + step.cost_usd,
       model = step.model
  FROM step
 WHERE e.id = $1
RETURNING e.id`;

// Tool steps of a running execution; a tool call already recorded stays as it was.
const RECORD_TOOL_STEPS_SQL = `
WITH live AS (
  SELECT id, tenant_id FROM agent_executions WHERE id = $1 AND status = $3 FOR UPDATE
),
recorded AS (
INSERT INTO execution_steps (execution_id, step_index, tenant_id, type, name, tool_call_id,
  arguments, result, result_length, attempt, duration_ms, error, started_at)
SELECT live.id, s.step_index, live.tenant_id, 'tool', s.name, s.tool_call_id, s.arguments,
       s.result, s.result_length, s.attempt, s.duration_ms, s.error, s.started_at
  FROM live, jsonb_to_recordset($2::jsonb) AS s(step_index integer, name text, tool_call_id text,
       arguments jsonb, result text, result_length integer, attempt integer, duration_ms integer,
       error jsonb, started_at timestamptz)
ON CONFLICT DO NOTHING
RETURNING tool_call_id
)
SELECT EXISTS (SELECT 1 FROM live) AS live,
       ARRAY(SELECT tool_call_id FROM recorded) AS recorded`;

/** Whether the execution was in the required status, and the tool calls this call recorded. */
export interface ToolStepsRecorded {
  live: boolean;
  recorded: string[];
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type StepRow = Record<string, any>;

/** The committed steps of an execution, in order (the caller has set the tenant). */
export async function listExecutionSteps(
  manager: EntityManager,
  executionId: string,
): Promise<ExecutionStep[]> {
  const rows: StepRow[] = await manager.query(LIST_STEPS_SQL, [executionId]);
  return rows.map(toStep);
}

/**
 * The steps of a tool loop as the worker records them. Every write is conditional on the
 * execution still being `running`: false means it ended meanwhile (cancelled), or the step was
 * already recorded by another attempt. A recorded step goes on the attempt's output stream.
 */
@Injectable()
export class ExecutionSteps {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly streams: ExecutionStream,
  ) {}

  load(tenantId: string, executionId: string): Promise<ExecutionStep[]> {
    return inTenantTransaction(this.dataSource, tenantId, (manager) =>
      listExecutionSteps(manager, executionId),
    );
  }

  async recordModelStep(execution: StepAttempt, step: NewModelStep): Promise<boolean> {
    const { id: executionId, tenantId } = execution;
    // The statement ends with an UPDATE, which answers [rows, affected].
    const [, affected]: [unknown[], number] = await inTenantTransaction(
      this.dataSource,
      tenantId,
      (manager) =>
        manager.query(RECORD_MODEL_STEP_SQL, [
          executionId,
          step.index,
          step.name,
          step.result,
          step.toolCalls ? JSON.stringify(step.toolCalls) : null,
          step.promptTokens,
          step.completionTokens,
          step.costUsd,
          step.attempt,
          step.durationMs,
          step.error ? JSON.stringify(step.error) : null,
          step.startedAt,
          step.finishReason,
        ]),
    );
    if (affected === 0) return false;
    this.streams.forAttempt(execution).step(modelStepEvent(step));
    return true;
  }

  async recordToolSteps(execution: StepAttempt, steps: NewToolStep[]): Promise<ToolStepsRecorded> {
    const recorded = await inTenantTransaction(this.dataSource, execution.tenantId, (manager) =>
      insertToolSteps(manager, execution.id, steps, 'running'),
    );
    if (recorded.live) {
      const stream = this.streams.forAttempt(execution);
      for (const step of steps) stream.step(toolStepEvent(step));
    }
    return recorded;
  }
}

export async function insertToolSteps(
  manager: EntityManager,
  executionId: string,
  steps: NewToolStep[],
  requiredStatus: 'running' | 'requires_action',
): Promise<ToolStepsRecorded> {
  const payload = steps.map((step) => ({
    step_index: step.index,
    name: step.name,
    tool_call_id: step.toolCallId,
    arguments: step.arguments ?? null,
    result: truncatedResult(step.output),
    result_length: step.output.length,
    attempt: step.attempt,
    duration_ms: step.durationMs,
    error: step.error,
    started_at: step.startedAt.toISOString(),
  }));
  const [row]: ToolStepsRecorded[] = await manager.query(RECORD_TOOL_STEPS_SQL, [
    executionId,
    JSON.stringify(payload),
    requiredStatus,
  ]);
  return row;
}

function toStep(row: StepRow): ExecutionStep {
  return {
    index: row.step_index,
    type: row.type,
    name: row.name,
    toolCallId: row.tool_call_id,
    arguments: row.arguments,
    result: row.result,
    resultLength: row.result_length,
    toolCalls: row.tool_calls,
    finishReason: row.finish_reason,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    costUsd: row.cost_usd,
    attempt: row.attempt,
    durationMs: row.duration_ms,
    error: row.error,
    startedAt: row.started_at,
  };
}

// What a `step` event on the output stream says of a model step.
function modelStepEvent(step: NewModelStep) {
  return {
    index: step.index,
    type: 'model',
    name: step.name,
    toolCalls: step.toolCalls,
    usage: {
      promptTokens: step.promptTokens,
      completionTokens: step.completionTokens,
      costUsd: step.costUsd,
    },
    durationMs: step.durationMs,
    error: step.error,
  };
}

function toolStepEvent(step: NewToolStep) {
  return {
    index: step.index,
    type: 'tool',
    name: step.name,
    toolCallId: step.toolCallId,
    durationMs: step.durationMs,
    error: step.error,
  };
}
