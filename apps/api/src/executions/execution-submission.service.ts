import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { AgentExecution, inTenantTransaction } from '@agentq/database';
import { ExecutionEventPublisher } from '@agentq/executions';
import { ExecutionJobSpec } from '@agentq/jobs';
import { DataSource, EntityManager } from 'typeorm';
import {
  ApiError,
  ConflictError,
  FieldError,
  NotFoundError,
  ValidationFailedError,
} from '../common/api-errors';
import { SubmitExecutionDto } from './dto/submit-execution.dto';
import { ExecutionQueue } from './execution-queue.service';

export interface Submission {
  execution: AgentExecution;
  /** False when an idempotency key matched an earlier submission. */
  created: boolean;
}

interface NewExecutionRow {
  agent_id: string;
  session_id: string | null;
  priority: number;
  input: SubmitExecutionDto['input'];
  max_attempts: number;
  timeout_ms: number | null;
  run_at: string | null;
  idempotency_key: string | null;
  model: string;
  handoff_to_agent_id: string | null;
  store_output_as_memory: boolean;
}

const INSERT_EXECUTIONS_SQL = `
INSERT INTO agent_executions (tenant_id, agent_id, session_id, priority, input, max_attempts,
                              timeout_ms, run_at, idempotency_key, model, handoff_to_agent_id,
                              store_output_as_memory)
SELECT $1, r.agent_id, r.session_id, r.priority, r.input, r.max_attempts, r.timeout_ms, r.run_at,
       r.idempotency_key, r.model, r.handoff_to_agent_id, r.store_output_as_memory
  FROM jsonb_to_recordset($2::jsonb) AS r(agent_id uuid, session_id uuid, priority smallint,
       input jsonb, max_attempts integer, timeout_ms integer, run_at timestamptz,
       idempotency_key text, model text, handoff_to_agent_id uuid, store_output_as_memory boolean)
ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
RETURNING id, idempotency_key`;

/** Validates, inserts the `queued` rows, then enqueues their jobs (id = execution id). */
@Injectable()
export class ExecutionSubmissions {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly queue: ExecutionQueue,
    private readonly events: ExecutionEventPublisher,
  ) {}

  async submit(tenantId: string, agentId: string, body: SubmitExecutionDto): Promise<Submission> {
    const [submission] = await this.submitMany(tenantId, agentId, [body]);
    return submission;
  }

  async submitMany(
    tenantId: string,
    agentId: string,
    bodies: SubmitExecutionDto[],
  ): Promise<Submission[]> {
    const agent = await inTenantTransaction(this.dataSource, tenantId, async (manager) => {
      const active = await this.activeAgent(manager, tenantId, agentId);
      const problems = bodies.flatMap((body, index) =>
        checkSubmission(body, bodies.length > 1 ? `executions.${index}.` : ''),
      );
      if (problems.length > 0) throw new ValidationFailedError(problems);
      await this.assertSessionsExist(manager, tenantId, bodies);
      await this.assertHandoffAgentsExist(manager, tenantId, bodies);
      return active;
    });
    await this.queue.assertAvailable();

    const now = Date.now();
    const rows: NewExecutionRow[] = bodies.map((body) => ({
      agent_id: agent.id,
      session_id: body.sessionId ?? null,
      priority: body.priority ?? 5,
      input: body.input,
      max_attempts: body.maxAttempts ?? 3,
      timeout_ms: body.timeoutMs ?? null,
      run_at: body.runAt
        ? new Date(body.runAt).toISOString()
        : body.delayMs
          ? new Date(now + body.delayMs).toISOString()
          : null,
      idempotency_key: body.idempotencyKey ?? null,
      model: agent.model,
      handoff_to_agent_id: body.handoffTo ?? null,
      store_output_as_memory: body.storeOutputAsMemory ?? false,
    }));
    // The rows are committed before their jobs exist: a worker never picks up an id it cannot see.
    const { createdIds, executions } = await inTenantTransaction(
      this.dataSource,
      tenantId,
      async (manager) => {
        const inserted: { id: string; idempotency_key: string | null }[] = await manager.query(
          INSERT_EXECUTIONS_SQL,
          [tenantId, JSON.stringify(rows)],
        );
        const ids = await this.resolveIds(manager, tenantId, rows, inserted);
        return {
          createdIds: new Set(inserted.map((row) => row.id)),
          executions: await this.load(manager, tenantId, ids),
        };
      },
    );
    const toEnqueue = executions.filter((e) => createdIds.has(e.id) || e.status === 'queued');
    try {
      await this.queue.enqueue(toEnqueue.map((e) => jobSpec(e, now)));
    } catch (error) {
      await inTenantTransaction(this.dataSource, tenantId, (manager) =>
        manager.query(`DELETE FROM agent_executions WHERE id = ANY($1::uuid[])`, [[...createdIds]]),
      );
      throw error;
    }
    this.events.publish(
      executions
        .filter((e) => createdIds.has(e.id))
        .map((e) => ({
          type: 'queued' as const,
          executionId: e.id,
          tenantId,
          agentId: e.agentId,
          status: 'queued' as const,
          at: new Date().toISOString(),
        })),
    );
    return executions.map((execution) => ({ execution, created: createdIds.has(execution.id) }));
  }

  private async activeAgent(manager: EntityManager, tenantId: string, agentId: string) {
    const [agent]: { id: string; status: string; model: string }[] = await manager.query(
      `SELECT id, status, llm_config->>'model' AS model FROM agents WHERE id = $1 AND tenant_id = $2`,
      [agentId, tenantId],
    );
    if (!agent) throw new NotFoundError('agent');
    if (agent.status !== 'active') {
      throw new ConflictError(
        'agent_not_active',
        `the agent is ${agent.status}; only active agents take executions`,
      );
    }
    return agent;
  }

  private async assertSessionsExist(
    manager: EntityManager,
    tenantId: string,
    bodies: SubmitExecutionDto[],
  ) {
    const sessionIds = [
      ...new Set(bodies.map((b) => b.sessionId).filter((id): id is string => !!id)),
    ];
    if (sessionIds.length === 0) return;
    const found: { id: string; status: string }[] = await manager.query(
      `SELECT id, status FROM sessions WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tenantId, sessionIds],
    );
    if (found.length !== sessionIds.length) throw new NotFoundError('session');
    const closed = found.find((session) => session.status !== 'active');
    if (closed) {
      throw new ConflictError(
        'session_not_active',
        `the session is ${closed.status}; only active sessions take executions`,
      );
    }
  }

  /** A handoff target must be an agent of the tenant (its status is checked at handoff time). */
  private async assertHandoffAgentsExist(
    manager: EntityManager,
    tenantId: string,
    bodies: SubmitExecutionDto[],
  ) {
    const agentIds = [
      ...new Set(bodies.map((b) => b.handoffTo).filter((id): id is string => !!id)),
    ];
    if (agentIds.length === 0) return;
    const found: { id: string }[] = await manager.query(
      `SELECT id FROM agents WHERE tenant_id = $1 AND id = ANY($2::uuid[])`,
      [tenantId, agentIds],
    );
    if (found.length !== agentIds.length) throw new NotFoundError('handoffTo agent');
  }

  /** Row ids in submission order; a key that hit an earlier execution resolves to that one. */
  private async resolveIds(
    manager: EntityManager,
    tenantId: string,
    rows: NewExecutionRow[],
    inserted: { id: string; idempotency_key: string | null }[],
  ): Promise<string[]> {
    const byKey = new Map(
      inserted.filter((r) => r.idempotency_key).map((r) => [r.idempotency_key!, r.id]),
    );
    const missingKeys = rows
      .map((row) => row.idempotency_key)
      .filter((key): key is string => key !== null && !byKey.has(key));
    if (missingKeys.length > 0) {
      const existing: { id: string; idempotency_key: string }[] = await manager.query(
        `SELECT id, idempotency_key FROM agent_executions WHERE tenant_id = $1 AND idempotency_key = ANY($2::text[])`,
        [tenantId, missingKeys],
      );
      for (const row of existing) byKey.set(row.idempotency_key, row.id);
    }
    const unkeyed = inserted.filter((r) => !r.idempotency_key).map((r) => r.id);
    return rows.map((row) =>
      row.idempotency_key ? byKey.get(row.idempotency_key)! : unkeyed.shift()!,
    );
  }

  private async load(
    manager: EntityManager,
    tenantId: string,
    ids: string[],
  ): Promise<AgentExecution[]> {
    const found = await manager
      .getRepository(AgentExecution)
      .createQueryBuilder('e')
      .where('e.tenant_id = :tenantId AND e.id IN (:...ids)', { tenantId, ids })
      .getMany();
    const byId = new Map(found.map((execution) => [execution.id, execution]));
    return ids.map((id) => {
      const execution = byId.get(id);
      if (!execution) throw new ApiError(500, 'internal_error', `execution ${id} vanished`);
      return execution;
    });
  }
}

function checkSubmission(body: SubmitExecutionDto, prefix: string): FieldError[] {
  const problems: FieldError[] = [];
  const hasMessage = body.input?.message !== undefined;
  const hasMessages = body.input?.messages !== undefined;
  if (hasMessage === hasMessages) {
    problems.push({
      field: `${prefix}input`,
      message: 'give exactly one of input.message or input.messages',
    });
  }
  if (body.runAt !== undefined && body.delayMs !== undefined) {
    problems.push({ field: `${prefix}runAt`, message: 'give runAt or delayMs, not both' });
  }
  return problems;
}

function jobSpec(execution: AgentExecution, now: number): ExecutionJobSpec {
  return {
    executionId: execution.id,
    tenantId: execution.tenantId,
    priority: execution.priority,
    delayMs: execution.runAt ? Math.max(0, new Date(execution.runAt).getTime() - now) : 0,
    maxAttempts: execution.maxAttempts,
  };
}
