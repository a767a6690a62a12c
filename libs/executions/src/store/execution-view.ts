import { AgentExecution } from '@agentq/database';

/** The public shape of an execution (GET /v1/executions/:id), also the data of its webhook events. */
export function toExecutionView(row: AgentExecution) {
  return {
    id: row.id,
    agentId: row.agentId,
    sessionId: row.sessionId,
    status: row.status,
    priority: row.priority,
    input: row.input,
    output: row.output,
    error: row.error,
    attempts: row.attempts,
    maxAttempts: row.maxAttempts,
    timeoutMs: row.timeoutMs,
    requiredAction: row.requiredAction ?? null,
    actionDeadline: row.actionDeadline ?? null,
    runAt: row.runAt,
    usage: {
      promptTokens: row.promptTokens,
      completionTokens: row.completionTokens,
      totalTokens: row.promptTokens + row.completionTokens,
      costUsd: row.costUsd,
    },
    durationMs: row.durationMs,
    idempotencyKey: row.idempotencyKey,
    memoryIds: row.memoryIds,
    knowledgeIds: row.knowledgeIds,
    storeOutputAsMemory: row.storeOutputAsMemory,
    saveOutputAs: row.saveOutputAs,
    handoffTo: row.handoffToAgentId,
    handoffDepth: row.handoffDepth,
    parentExecutionId: row.parentExecutionId,
    payloadPurgedAt: row.payloadPurgedAt,
    stream: row.stream,
    responseFormat: row.responseFormat,
    maxCostUsd: row.maxCostUsd ?? null,
    maxTokens: row.maxTokens ?? null,
    rerunOf: row.rerunOf ?? null,
    traceId: row.traceId ?? null,
    queuedAt: row.queuedAt,
    startedAt: row.startedAt,
    completedAt: row.completedAt,
    createdAt: row.createdAt,
    apiKeyId: row.apiKeyId,
    user: row.endUser,
    tags: row.tags ?? [],
    metadata: row.metadata ?? {},
  };
}

export type ExecutionView = ReturnType<typeof toExecutionView>;
