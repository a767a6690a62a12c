import { Injectable, Logger } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { inTenantTransaction, RequiredAction, ToolCall } from '@agentq/database';
import { DataSource, EntityManager } from 'typeorm';
import { ExecutionProducer, QueuedExecution } from './execution-producer.service';
import { truncatedResult } from '../store/execution-step';
import { insertToolSteps } from '../store/execution-steps';
import { queuedExecution } from './queued-execution';
import { pendingToolOutputsProblem, ToolOutput } from '../store/tool-outputs';
import { LifecycleAnnouncer, StreamedAttempt } from '../streams/lifecycle-announcer.service';

const PAUSE_SQL = `
UPDATE agent_executions
   SET status = 'requires_action', required_action = $2::jsonb,
       action_deadline = now() + make_interval(secs => $3::double precision / 1000)
 WHERE id = $1 AND status = 'running'
RETURNING action_deadline`;

const LOCK_WAITING_SQL = `
SELECT id, tenant_id, agent_id, status, required_action, priority, attempts, max_attempts,
       action_deadline <= now() AS expired
  FROM agent_executions WHERE id = $1 FOR UPDATE`;

// The model step whose tool calls are pending: the last one.
const LAST_MODEL_STEP_SQL = `
SELECT step_index, tool_calls FROM execution_steps
 WHERE execution_id = $1 AND type = 'model' AND error IS NULL
 ORDER BY step_index DESC LIMIT 1`;

// The paused attempt gives its attempt back: waiting for a client is not a try that failed, so
// a conversation of many client-tool rounds keeps its retries (and the reconciler its count).
const RESUME_SQL = `
UPDATE agent_executions
   SET status = 'queued', required_action = NULL, action_deadline = NULL,
       attempts = attempts - 1
 WHERE id = $1 AND status = 'requires_action'`;

// The tool steps already recorded for these calls: a repeated post finds its own outputs here.
const RECORDED_OUTPUTS_SQL = `
SELECT tool_call_id, result, result_length FROM execution_steps
 WHERE execution_id = $1 AND type = 'tool' AND tool_call_id = ANY($2::text[])`;

export type ToolOutputsResult =
  { kind: 'resumed' } | { kind: 'not-found' } | { kind: 'conflict'; code: string; message: string };

/**
 * Client tools: an execution pauses in `requires_action` (its job completes, no worker slot is
 * held) until the client posts every pending output; then its tool steps are recorded, the row
 * goes back to `queued` and a job resumes it on any worker.
 */
@Injectable()
export class ExecutionActions {
  private readonly logger = new Logger(ExecutionActions.name);

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly producer: ExecutionProducer,
    private readonly announcer: LifecycleAnnouncer,
  ) {}

  /**
   * When the wait ends, or null when the execution is no longer running (cancelled). A pause
   * is announced (`requires_action` on the events and the output stream) once committed.
   */
  async pause(
    execution: StreamedAttempt,
    toolCalls: ToolCall[],
    actionTimeoutMs: number,
  ): Promise<Date | null> {
    const requiredAction: RequiredAction = { toolCalls };
    // An UPDATE answers [rows, affected].
    const [rows]: [{ action_deadline: Date }[], number] = await inTenantTransaction(
      this.dataSource,
      execution.tenantId,
      (manager) =>
        manager.query(PAUSE_SQL, [execution.id, JSON.stringify(requiredAction), actionTimeoutMs]),
    );
    const deadline = rows[0]?.action_deadline ?? null;
    if (deadline) this.announcer.requiresAction(execution, requiredAction);
    return deadline;
  }

  async submitToolOutputs(
    tenantId: string,
    executionId: string,
    outputs: ToolOutput[],
  ): Promise<ToolOutputsResult> {
    const result = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      const [row]: Record<string, any>[] = await manager.query(LOCK_WAITING_SQL, [executionId]);
      if (!row) return { kind: 'not-found' } as const;
      const pending =
        row.status === 'requires_action' ? (row.required_action as RequiredAction).toolCalls : [];
      const problem = pendingToolOutputsProblem(pending, outputs);
      if (row.status !== 'requires_action' || problem) {
        // The client's retry of outputs that were taken (its answer lost, or the enqueue after
        // the commit failed): the same answer again, and the job added if it is still missing.
        if (await outputsAlreadyRecorded(manager, executionId, outputs)) {
          return {
            kind: 'resumed',
            queued: row.status === 'queued' ? resumedJob(row) : null,
          } as const;
        }
        if (row.status !== 'requires_action') {
          return conflict('not_waiting', `the execution is ${row.status}, not requires_action`);
        }
      }
      if (row.expired) return conflict('action_timeout', 'the wait for tool outputs is over');
      if (problem) return conflict('tool_outputs_mismatch', problem);
      const [model]: { step_index: number; tool_calls: ToolCall[] }[] = await manager.query(
        LAST_MODEL_STEP_SQL,
        [executionId],
      );
      const outputById = new Map(outputs.map((output) => [output.toolCallId, output.output]));
      const now = new Date();
      await insertToolSteps(
        manager,
        executionId,
        model.tool_calls.flatMap((call, position) =>
          outputById.has(call.id)
            ? [
                {
                  index: model.step_index + 1 + position,
                  name: call.name,
                  toolCallId: call.id,
                  arguments: call.arguments,
                  output: outputById.get(call.id)!,
                  attempt: row.attempts,
                  durationMs: null,
                  error: null,
                  startedAt: now,
                },
              ]
            : [],
        ),
        'requires_action',
      );
      await manager.query(RESUME_SQL, [executionId]);
      return { kind: 'resumed', queued: resumedJob(row) } as const;
    });
    if (result.kind !== 'resumed') return result;
    if (result.queued) await this.enqueueResumed(result.queued);
    return { kind: 'resumed' };
  }

  // The resume is committed whatever happens here: a queue that fails now leaves the row
  // `queued`, which the reconciler enqueues (or the client's retry of the same outputs does).
  private async enqueueResumed(queued: QueuedExecution): Promise<void> {
    try {
      // The paused attempt's job has the same id: it must go for `add` to work.
      await this.producer.removeEndedJob(queued.executionId);
      await this.producer.enqueue([queued]);
    } catch (error) {
      this.logger.warn(
        `execution ${queued.executionId}: resumed, but its job could not be added ` +
          `(${(error as Error).message}); the reconciler will add it`,
      );
    }
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
function resumedJob(row: Record<string, any>): QueuedExecution {
  return queuedExecution(
    {
      id: row.id,
      tenantId: row.tenant_id,
      agentId: row.agent_id,
      priority: row.priority,
      runAt: null,
      attempts: 0,
      maxAttempts: row.max_attempts,
    },
    false,
  );
}

// Every output is a tool step already recorded with this very output.
async function outputsAlreadyRecorded(
  manager: EntityManager,
  executionId: string,
  outputs: readonly ToolOutput[],
): Promise<boolean> {
  if (outputs.length === 0) return false;
  const rows: { tool_call_id: string; result: string; result_length: number }[] =
    await manager.query(RECORDED_OUTPUTS_SQL, [
      executionId,
      outputs.map((output) => output.toolCallId),
    ]);
  const recorded = new Map(rows.map((row) => [row.tool_call_id, row]));
  return outputs.every(({ toolCallId, output }) => {
    const step = recorded.get(toolCallId);
    return (
      step !== undefined &&
      step.result === truncatedResult(output) &&
      step.result_length === output.length
    );
  });
}

function conflict(code: string, message: string) {
  return { kind: 'conflict', code, message } as const;
}
