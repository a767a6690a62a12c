import { AgentExecution } from '@agentq/database';

/** An `agent_executions` row as `RETURNING *` gives it (node-postgres parses the types). */
export type ExecutionRow = Record<string, unknown>;

/** The entity from a raw row, so a fresh INSERT … RETURNING answers without a re-read. */
export function executionFromRow(row: ExecutionRow): AgentExecution {
  return Object.assign(new AgentExecution(), {
    id: row.id,
    tenantId: row.tenant_id,
    agentId: row.agent_id,
    sessionId: row.session_id,
    status: row.status,
    priority: row.priority,
    input: row.input,
    output: row.output,
    error: row.error,
    attempts: row.attempts,
    maxAttempts: row.max_attempts,
    timeoutMs: row.timeout_ms,
    runAt: row.run_at,
    model: row.model,
    promptTokens: row.prompt_tokens,
    completionTokens: row.completion_tokens,
    totalTokens: row.total_tokens,
    costUsd: row.cost_usd,
    durationMs: row.duration_ms,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    completedAt: row.completed_at,
    workerId: row.worker_id,
    idempotencyKey: row.idempotency_key,
    memoryIds: row.memory_ids,
    knowledgeIds: row.knowledge_ids,
    storeOutputAsMemory: row.store_output_as_memory,
    saveOutputAs: row.save_output_as ?? null,
    handoffToAgentId: row.handoff_to_agent_id,
    handoffDepth: row.handoff_depth,
    parentExecutionId: row.parent_execution_id,
    payloadPurgedAt: row.payload_purged_at,
    stream: row.stream,
    responseFormat: row.response_format,
    requiredAction: row.required_action,
    actionTimeoutMs: row.action_timeout_ms,
    actionDeadline: row.action_deadline,
    apiKeyId: row.api_key_id,
    endUser: row.end_user,
    tags: row.tags,
    metadata: row.metadata,
    createdAt: row.created_at,
  } satisfies Record<keyof AgentExecution, unknown>);
}
