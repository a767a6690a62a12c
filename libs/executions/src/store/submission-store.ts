import {
  AgentExecution,
  AgentTool,
  ExecutionInput,
  LlmConfig,
  ResponseFormat,
  SaveOutputAs,
} from '@agentq/database';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { traceIdOf } from '@agentq/telemetry';
import { executionFromRow, ExecutionRow } from './execution-rows';
import { ItemOutcome } from '../batching/micro-batcher';
import {
  AttributionRecord,
  attributionRecord,
  ExecutionAttribution,
} from '../attribution/attribution';

/** One execution to create, as the caller validated it. */
export interface NewExecution {
  sessionId: string | null;
  priority: number;
  input: ExecutionInput;
  maxAttempts: number;
  timeoutMs: number | null;
  /** How long to wait for client tool outputs; null takes the agent's. */
  actionTimeoutMs?: number | null;
  runAt: Date | null;
  idempotencyKey: string | null;
  handoffToAgentId: string | null;
  storeOutputAsMemory: boolean;
  /** On success, store the output as a knowledge entry. */
  saveOutputAs?: SaveOutputAs | null;
  /** Stream output deltas; unset takes the agent's default. */
  stream?: boolean;
  /** Structured output; unset takes the agent's. */
  responseFormat?: ResponseFormat;
  /** Who runs it (API key, end user) and the caller's tags and metadata; unset: none. */
  attribution?: ExecutionAttribution;
  /** Caps across the execution's model steps; unset takes the agent's. */
  maxCostUsd?: string | null;
  maxTokens?: number | null;
  /** Set by the debouncer: the key whose later submissions collapse into this execution. */
  debounceKey?: string | null;
  /** A rerun: the execution it reruns, the steps it starts from, its own llmConfig and tools. */
  rerun?: RerunOf;
}

export interface RerunOf {
  executionId: string;
  /** Steps 0..fromStep-1 of that execution are copied as committed history (`reused`). */
  fromStep: number;
  llmConfig?: LlmConfig;
  tools?: AgentTool[];
}

/** One caller's submission: executions for one agent of one tenant, created all or none. */
export interface SubmissionRequest {
  tenantId: string;
  agentId: string;
  executions: NewExecution[];
  /** The submitter's trace context (OpenTelemetry): its executions' traces continue it. */
  traceparent?: string;
}

export interface SubmittedExecution {
  execution: AgentExecution;
  /** False when an idempotency key matched an earlier submission. */
  created: boolean;
}

export type SubmissionRefusal =
  | 'agent_not_found'
  | 'agent_not_active'
  | 'session_not_found'
  | 'session_not_active'
  | 'handoff_agent_not_found';

/** The submission names something that does not exist or cannot take work; nothing was written. */
export class SubmissionRefusedError extends Error {
  constructor(
    readonly reason: SubmissionRefusal,
    message: string,
  ) {
    super(message);
    this.name = SubmissionRefusedError.name;
  }
}

// The one INSERT of agent_executions: submissions, plan tasks and handoffs all go through it.
// The agent's state is checked by the statement itself: rows of an agent that is missing or
// not active are simply not inserted (a submission then looks up the reason). Streaming,
// structured output and caps not given by the row take the agent's defaults, fixed for the
// execution.
const INSERT_EXECUTIONS_SQL = `
INSERT INTO agent_executions (id, tenant_id, agent_id, session_id, priority, input, max_attempts,
                              timeout_ms, run_at, idempotency_key, model, handoff_to_agent_id,
                              store_output_as_memory, stream, response_format,
                              action_timeout_ms, api_key_id, end_user, tags, metadata,
                              max_cost_usd, max_tokens, rerun_of, llm_config_override,
                              tools_override, save_output_as, trace_id, handoff_depth,
                              parent_execution_id, debounce_key)
SELECT r.id, a.tenant_id, a.id, r.session_id, r.priority, r.input, r.max_attempts, r.timeout_ms,
       r.run_at, r.idempotency_key, a.llm_config->>'model', r.handoff_to_agent_id,
       r.store_output_as_memory, COALESCE(r.stream, a.stream),
       COALESCE(r.response_format, a.response_format), r.action_timeout_ms, r.api_key_id,
       r.end_user, r.tags, r.metadata,
       COALESCE(r.max_cost_usd, a.max_cost_usd), COALESCE(r.max_tokens, a.max_tokens),
       r.rerun_of, r.llm_config_override, r.tools_override, r.save_output_as, r.trace_id,
       COALESCE(r.handoff_depth, 0), r.parent_execution_id, r.debounce_key
  FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, agent_id uuid, session_id uuid,
       priority smallint, input jsonb, max_attempts integer, timeout_ms integer,
       run_at timestamptz, idempotency_key text, handoff_to_agent_id uuid,
       store_output_as_memory boolean, stream boolean, response_format jsonb,
       action_timeout_ms integer, api_key_id uuid, end_user text, tags text[], metadata jsonb,
       max_cost_usd numeric, max_tokens integer, rerun_of uuid, llm_config_override jsonb,
       tools_override jsonb, save_output_as jsonb, trace_id text, handoff_depth integer,
       parent_execution_id uuid, debounce_key text)
  JOIN agents a ON a.id = r.agent_id AND a.status = 'active'
ON CONFLICT (tenant_id, idempotency_key) WHERE idempotency_key IS NOT NULL DO NOTHING
RETURNING *`;

interface Row {
  id: string;
  request: number;
  agent_id: string;
  execution: NewExecution;
  trace_id: string | null;
}

/**
 * Creates the executions of many submissions of one tenant with one INSERT, inside the
 * caller's tenant transaction. Each submission gets its own outcome: created (or matched by
 * idempotency key) rows, or the refusal that stopped it.
 */
export async function insertSubmissions(
  manager: EntityManager,
  requests: readonly SubmissionRequest[],
): Promise<ItemOutcome<SubmittedExecution[]>[]> {
  const refusals = await checkReferences(manager, requests);
  const rows: Row[] = requests.flatMap((request, index) =>
    refusals.has(index)
      ? []
      : request.executions.map((execution) => ({
          id: randomUUID(),
          request: index,
          agent_id: request.agentId,
          execution,
          trace_id: traceIdOf(request.traceparent),
        })),
  );
  const inserted = new Map<string, AgentExecution>();
  if (rows.length > 0) {
    const returned = await insertExecutionRecords(manager, rows.map(toRecord));
    for (const row of returned) inserted.set(row.id as string, executionFromRow(row));
    const reruns = rows.filter((row) => inserted.has(row.id) && row.execution.rerun);
    if (reruns.length > 0) await copyReusedSteps(manager, reruns);
  }
  const matched = await matchIdempotencyKeys(manager, rows, inserted);
  const missing = new Set(
    rows
      .filter((row) => !inserted.has(row.id) && !matched.has(row.execution.idempotencyKey ?? ''))
      .map((row) => row.request),
  );
  for (const [index, refusal] of await agentRefusals(manager, requests, missing)) {
    refusals.set(index, refusal);
  }
  return requests.map((_, index) => {
    const refusal = refusals.get(index);
    if (refusal) return { ok: false, error: refusal };
    const value = rows
      .filter((row) => row.request === index)
      .map((row) => {
        const created = inserted.get(row.id);
        if (created) return { execution: created, created: true };
        return { execution: matched.get(row.execution.idempotencyKey!)!, created: false };
      });
    return { ok: true, value };
  });
}

/** One new execution as the insert statement takes it (attribution absent: none). */
export interface ExecutionRecord extends Partial<AttributionRecord> {
  id: string;
  agent_id: string;
  session_id: string | null;
  priority: number;
  input: ExecutionInput;
  max_attempts: number;
  timeout_ms: number | null;
  run_at: string | null;
  idempotency_key: string | null;
  handoff_to_agent_id: string | null;
  store_output_as_memory: boolean;
  /** Null or absent: the agent's default. */
  stream?: boolean | null;
  response_format?: ResponseFormat | null;
  action_timeout_ms?: number | null;
  /** Null or absent: the agent's default. */
  max_cost_usd?: string | null;
  max_tokens?: number | null;
  rerun_of?: string | null;
  llm_config_override?: LlmConfig | null;
  tools_override?: AgentTool[] | null;
  save_output_as?: SaveOutputAs | null;
  /** The submission's OpenTelemetry trace id; null or absent: not traced. */
  trace_id?: string | null;
  /** A handoff: its parent and how many handoffs led to it (absent: none, 0). */
  handoff_depth?: number;
  parent_execution_id?: string | null;
  debounce_key?: string | null;
}

/**
 * Inserts executions in one statement, inside the caller's tenant transaction. Returns the rows
 * inserted: none for an agent that is missing or not active, or for an idempotency key taken.
 */
export function insertExecutionRecords(
  manager: EntityManager,
  records: readonly ExecutionRecord[],
): Promise<ExecutionRow[]> {
  return manager.query(INSERT_EXECUTIONS_SQL, [JSON.stringify(records)]);
}

function toRecord({ id, agent_id, execution, trace_id }: Row): ExecutionRecord {
  return {
    id,
    agent_id,
    session_id: execution.sessionId,
    priority: execution.priority,
    input: execution.input,
    max_attempts: execution.maxAttempts,
    timeout_ms: execution.timeoutMs,
    run_at: execution.runAt?.toISOString() ?? null,
    idempotency_key: execution.idempotencyKey,
    handoff_to_agent_id: execution.handoffToAgentId,
    store_output_as_memory: execution.storeOutputAsMemory,
    stream: execution.stream ?? null,
    response_format: execution.responseFormat ?? null,
    action_timeout_ms: execution.actionTimeoutMs ?? null,
    ...attributionRecord(execution.attribution),
    max_cost_usd: execution.maxCostUsd ?? null,
    max_tokens: execution.maxTokens ?? null,
    rerun_of: execution.rerun?.executionId ?? null,
    llm_config_override: execution.rerun?.llmConfig ?? null,
    tools_override: execution.rerun?.tools ?? null,
    save_output_as: execution.saveOutputAs ?? null,
    trace_id,
    debounce_key: execution.debounceKey ?? null,
  };
}

// Earlier executions whose idempotency keys these rows repeat, by key.
async function matchIdempotencyKeys(
  manager: EntityManager,
  rows: readonly Row[],
  inserted: ReadonlyMap<string, AgentExecution>,
): Promise<Map<string, AgentExecution>> {
  const keys = rows
    .filter((row) => row.execution.idempotencyKey !== null && !inserted.has(row.id))
    .map((row) => row.execution.idempotencyKey!);
  if (keys.length === 0) return new Map();
  const found: ExecutionRow[] = await manager.query(
    `SELECT * FROM agent_executions WHERE idempotency_key = ANY($1::text[])`,
    [[...new Set(keys)]],
  );
  return new Map(found.map((row) => [row.idempotency_key as string, executionFromRow(row)]));
}

// Why rows of these submissions were not inserted: their agent is missing or not active.
async function agentRefusals(
  manager: EntityManager,
  requests: readonly SubmissionRequest[],
  indexes: ReadonlySet<number>,
): Promise<Map<number, SubmissionRefusedError>> {
  const refusals = new Map<number, SubmissionRefusedError>();
  if (indexes.size === 0) return refusals;
  const agentIds = [...new Set([...indexes].map((index) => requests[index].agentId))];
  const found: { id: string; status: string }[] = await manager.query(
    `SELECT id, status FROM agents WHERE id = ANY($1::uuid[])`,
    [agentIds],
  );
  const statusById = new Map(found.map((agent) => [agent.id, agent.status]));
  for (const index of indexes) {
    const status = statusById.get(requests[index].agentId);
    refusals.set(
      index,
      status === undefined
        ? new SubmissionRefusedError('agent_not_found', 'agent not found')
        : new SubmissionRefusedError(
            'agent_not_active',
            `the agent is ${status}; only active agents take executions`,
          ),
    );
  }
  return refusals;
}

// Sessions must exist and be active; handoff targets must be agents of the tenant.
async function checkReferences(
  manager: EntityManager,
  requests: readonly SubmissionRequest[],
): Promise<Map<number, SubmissionRefusedError>> {
  const refusals = new Map<number, SubmissionRefusedError>();
  const sessionIds = unique(requests, (execution) => execution.sessionId);
  const handoffIds = unique(requests, (execution) => execution.handoffToAgentId);
  if (sessionIds.length === 0 && handoffIds.length === 0) return refusals;
  const sessions: { id: string; status: string }[] =
    sessionIds.length === 0
      ? []
      : await manager.query(`SELECT id, status FROM sessions WHERE id = ANY($1::uuid[])`, [
          sessionIds,
        ]);
  const agents: { id: string }[] =
    handoffIds.length === 0
      ? []
      : await manager.query(`SELECT id FROM agents WHERE id = ANY($1::uuid[])`, [handoffIds]);
  const sessionStatus = new Map(sessions.map((session) => [session.id, session.status]));
  const agentIds = new Set(agents.map((agent) => agent.id));
  requests.forEach((request, index) => {
    for (const execution of request.executions) {
      const refusal = referenceRefusal(execution, sessionStatus, agentIds);
      if (refusal) {
        refusals.set(index, refusal);
        return;
      }
    }
  });
  return refusals;
}

function referenceRefusal(
  execution: NewExecution,
  sessionStatus: ReadonlyMap<string, string>,
  agentIds: ReadonlySet<string>,
): SubmissionRefusedError | null {
  if (execution.sessionId) {
    const status = sessionStatus.get(execution.sessionId);
    if (status === undefined) {
      return new SubmissionRefusedError('session_not_found', 'session not found');
    }
    if (status !== 'active') {
      return new SubmissionRefusedError(
        'session_not_active',
        `the session is ${status}; only active sessions take executions`,
      );
    }
  }
  if (execution.handoffToAgentId && !agentIds.has(execution.handoffToAgentId)) {
    return new SubmissionRefusedError('handoff_agent_not_found', 'handoffTo agent not found');
  }
  return null;
}

function unique(
  requests: readonly SubmissionRequest[],
  pick: (execution: NewExecution) => string | null,
): string[] {
  const ids = new Set<string>();
  for (const request of requests) {
    for (const execution of request.executions) {
      const id = pick(execution);
      if (id) ids.add(id);
    }
  }
  return [...ids];
}

// A rerun's first steps are the source's, copied as they were committed (usage included, for the
// record) and marked reused: the row's usage does not count them, so they are not charged again.
const COPY_REUSED_STEPS_SQL = `
INSERT INTO execution_steps (execution_id, step_index, tenant_id, type, name, tool_call_id,
  arguments, result, result_length, tool_calls, model, prompt_tokens, completion_tokens,
  cost_usd, attempt, duration_ms, error, started_at, finish_reason, provider_id, fallback_from,
  reused)
SELECT r.id, s.step_index, s.tenant_id, s.type, s.name, s.tool_call_id, s.arguments, s.result,
       s.result_length, s.tool_calls, s.model, s.prompt_tokens, s.completion_tokens, s.cost_usd,
       s.attempt, s.duration_ms, s.error, s.started_at, s.finish_reason, s.provider_id,
       s.fallback_from, true
  FROM jsonb_to_recordset($1::jsonb) AS r(id uuid, source uuid, before integer)
  JOIN execution_steps s ON s.execution_id = r.source AND s.step_index < r.before`;

async function copyReusedSteps(manager: EntityManager, rows: readonly Row[]): Promise<void> {
  const copies = rows
    .filter((row) => row.execution.rerun!.fromStep > 0)
    .map((row) => ({
      id: row.id,
      source: row.execution.rerun!.executionId,
      before: row.execution.rerun!.fromStep,
    }));
  if (copies.length > 0) await manager.query(COPY_REUSED_STEPS_SQL, [JSON.stringify(copies)]);
}
