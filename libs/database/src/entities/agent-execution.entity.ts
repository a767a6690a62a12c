import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { AgentTool, LlmConfig, ResponseFormat } from './agent.entity';

export const EXECUTION_STATUSES = [
  'queued',
  'running',
  'requires_action',
  'succeeded',
  'failed',
  'cancelled',
] as const;
export type ExecutionStatus = (typeof EXECUTION_STATUSES)[number];
export const TERMINAL_STATUSES: readonly ExecutionStatus[] = ['succeeded', 'failed', 'cancelled'];

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A tool call the model asked for; `arguments` is the JSON value it gave. */
export interface ToolCall {
  id: string;
  name: string;
  arguments: unknown;
}

/** What a paused execution waits for: outputs for these client tool calls. */
export interface RequiredAction {
  /** `tool_outputs`: client tools to answer; `approval`: http tool calls to approve or deny. */
  type?: 'tool_outputs' | 'approval';
  toolCalls: ToolCall[];
  /** Approvals: the waitpoint whose token completes the wait without an API key. */
  waitpointId?: string;
}

export interface ExecutionInput {
  message?: string;
  messages?: ChatMessage[];
}

export interface ExecutionOutput {
  text: string;
  finishReason: string | null;
  model: string;
  responseId?: string | null;
  /** The parsed answer, when the execution asked for a `responseFormat`. */
  json?: unknown;
  /** The provider that answered: the agent's, or one of its llmConfig.fallbacks. */
  providerId?: string;
  /** The chain entries tried before, in order, and why each was passed over. */
  fallbackFrom?: PassedOverModel[];
}

/** A fallback chain entry that did not answer a model call. */
export interface PassedOverModel {
  providerId: string;
  model: string;
  error: ExecutionError;
}

/** On success, store the output as a knowledge entry of this type and title (docs/knowledge.md). */
export interface SaveOutputAs {
  type: string;
  title: string;
  tags?: string[];
  collection?: string | null;
}

export interface ExecutionError {
  code: string;
  message: string;
  retryable?: boolean;
}

@Entity('agent_executions')
export class AgentExecution {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tenantId!: string;
  @Column('uuid') agentId!: string;
  @Column('uuid', { nullable: true }) sessionId!: string | null;
  @Column('text', { default: 'queued' }) status!: ExecutionStatus;
  @Column('smallint', { default: 5 }) priority!: number;
  @Column('jsonb') input!: ExecutionInput;
  @Column('jsonb', { nullable: true }) output!: ExecutionOutput | null;
  @Column('jsonb', { nullable: true }) error!: ExecutionError | null;
  @Column('integer', { default: 0 }) attempts!: number;
  @Column('integer', { default: 3 }) maxAttempts!: number;
  @Column('integer', { nullable: true }) timeoutMs!: number | null;
  @Column('timestamptz', { nullable: true }) runAt!: Date | null;
  @Column('text', { nullable: true }) model!: string | null;
  @Column('integer', { default: 0 }) promptTokens!: number;
  @Column('integer', { default: 0 }) completionTokens!: number;
  /** Generated: prompt + completion. */
  @Column({ type: 'integer', insert: false, update: false }) totalTokens!: number;
  /** USD, numeric(20,9), kept as a decimal string. */
  @Column('numeric', { precision: 20, scale: 9, default: 0 }) costUsd!: string;
  @Column('integer', { nullable: true }) durationMs!: number | null;
  @Column('timestamptz', { default: () => 'now()' }) queuedAt!: Date;
  @Column('timestamptz', { nullable: true }) startedAt!: Date | null;
  @Column('timestamptz', { nullable: true }) completedAt!: Date | null;
  @Column('text', { nullable: true }) workerId!: string | null;
  @Column('text', { nullable: true }) idempotencyKey!: string | null;
  /** Submissions with this debounce key collapse into the execution until it starts. */
  @Column('text', { nullable: true }) debounceKey!: string | null;
  /** The memories the last attempt put in the system prompt; null when memory was off. */
  @Column('uuid', { array: true, nullable: true }) memoryIds!: string[] | null;
  /** The knowledge entries the last attempt put in the system prompt; null when knowledge was off. */
  @Column('uuid', { array: true, nullable: true }) knowledgeIds!: string[] | null;
  /** On success, the output is stored as a `conversation` memory of the agent. */
  @Column('boolean', { default: false }) storeOutputAsMemory!: boolean;
  /** On success, the output is stored as a knowledge entry. */
  @Column('jsonb', { nullable: true }) saveOutputAs!: SaveOutputAs | null;
  /** On success, the output is handed to this agent (a new execution in the same session). */
  @Column('uuid', { nullable: true }) handoffToAgentId!: string | null;
  /** Handoffs that led to this execution: 0 for a submission, parent's + 1 for a handoff. */
  @Column('integer', { default: 0 }) handoffDepth!: number;
  /** The execution whose output was handed to this one. */
  @Column('uuid', { nullable: true }) parentExecutionId!: string | null;
  /** Set while `requires_action`: the client tool calls waiting for outputs. */
  @Column('jsonb', { nullable: true }) requiredAction!: RequiredAction | null;
  /** How long to wait for client tool outputs (the agent's, or 1 h, when null). */
  @Column('integer', { nullable: true }) actionTimeoutMs!: number | null;
  /** While `requires_action`: when the wait ends with `action_timeout`. */
  @Column('timestamptz', { nullable: true }) actionDeadline!: Date | null;
  /** When retention cleared input and output (usage figures are kept). */
  @Column('timestamptz', { nullable: true }) payloadPurgedAt!: Date | null;
  /** Output deltas go to the execution's Redis stream (the submission's choice, else the agent's). */
  @Column('boolean', { default: false }) stream!: boolean;
  /** The submission's, else the agent's, taken when the execution was created. */
  @Column('jsonb', { nullable: true }) responseFormat!: ResponseFormat | null;
  /** The API key that submitted it (or the plan, schedule or parent it came from). */
  @Column('uuid', { nullable: true }) apiKeyId!: string | null;
  /** The caller's end-user id (the API's `user`), at most 256 characters. */
  @Column('text', { nullable: true }) endUser!: string | null;
  /** Up to 10 tags; null when none. */
  @Column('text', { array: true, nullable: true }) tags!: string[] | null;
  /** The caller's JSON object (at most 8 KiB); null when none. */
  @Column('jsonb', { nullable: true }) metadata!: Record<string, unknown> | null;
  /**
   * Caps across all model steps (the submission's, else the agent's): reaching one fails the
   * execution with `cost_limit_exceeded`. USD decimal string; tokens are prompt + completion.
   */
  @Column('numeric', { precision: 20, scale: 9, nullable: true }) maxCostUsd!: string | null;
  @Column('integer', { nullable: true }) maxTokens!: number | null;
  /** The execution this one reruns (POST /v1/executions/:id/rerun). */
  @Column('uuid', { nullable: true }) rerunOf!: string | null;
  /** A rerun's llmConfig and tools in place of the agent's; null: the agent's. */
  @Column('jsonb', { nullable: true }) llmConfigOverride!: LlmConfig | null;
  @Column('jsonb', { nullable: true }) toolsOverride!: AgentTool[] | null;
  /** The OpenTelemetry trace of its submission; null when that was not traced. */
  @Column('text', { nullable: true }) traceId!: string | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
