import { ApiProperty } from '@nestjs/swagger';
import {
  AgentExecution,
  EXECUTION_STATUSES,
  ExecutionError,
  ExecutionInput,
  ExecutionOutput,
  ExecutionStatus,
  ResponseFormat,
  SaveOutputAs,
} from '@agentq/database';
import { ExecutionStep, toExecutionView as executionViewOf } from '@agentq/executions';
import { EXECUTION_EVENT_TYPES, ExecutionEventType } from '@agentq/jobs';
import { jsonValueSchema } from '../common/json-value.schema';
import { ResponseFormatDto } from '../common/response-format.dto';
import { SaveOutputAsDto } from '../knowledge/dto/save-output-as.dto';
import { ExecutionInputDto } from './dto/submit-execution.dto';

// A fallback chain entry that did not answer a model call, and why.
class PassedOverModelView {
  @ApiProperty({ format: 'uuid' }) providerId!: string;
  @ApiProperty() model!: string;
  @ApiProperty({ type: () => ExecutionErrorView }) error!: ExecutionError;
}

class ExecutionOutputView {
  @ApiProperty() text!: string;
  @ApiProperty({ type: String, nullable: true }) finishReason!: string | null;
  @ApiProperty() model!: string;
  @ApiProperty({ type: String, nullable: true, required: false }) responseId?: string | null;
  @ApiProperty({
    required: false,
    description: 'the parsed answer, when the execution has a responseFormat',
    ...jsonValueSchema(),
  })
  json?: unknown;
  @ApiProperty({
    format: 'uuid',
    required: false,
    description: "the provider that answered: the agent's, or one of llmConfig.fallbacks",
  })
  providerId?: string;
  @ApiProperty({
    type: [PassedOverModelView],
    required: false,
    description: 'the fallback chain entries tried (or skipped while cooling down) before it',
  })
  fallbackFrom?: PassedOverModelView[];
}

class ExecutionErrorView {
  @ApiProperty({ example: 'provider_timeout' }) code!: string;
  @ApiProperty() message!: string;
  @ApiProperty({ required: false }) retryable?: boolean;
}

class ToolCallView {
  @ApiProperty({ description: 'answer it with this id in POST .../tool-outputs' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ description: 'the JSON value the model gave', ...jsonValueSchema() })
  arguments!: unknown;
}

class RequiredActionView {
  @ApiProperty({
    enum: ['tool_outputs', 'approval'],
    required: false,
    description: 'tool_outputs: client tools to answer; approval: http tool calls to decide on',
  })
  type?: 'tool_outputs' | 'approval';
  @ApiProperty({ type: [ToolCallView] }) toolCalls!: ToolCallView[];
  @ApiProperty({ format: 'uuid', required: false, description: 'approvals: the waitpoint' })
  waitpointId?: string;
  @ApiProperty({
    required: false,
    description:
      'approvals, on GET /v1/executions/:id: POST here (no API key) to complete the wait; ' +
      'the link is the capability, single use',
  })
  approvalUrl?: string;
}

/** One usage shape for executions and their model steps. */
export class ExecutionUsageView {
  @ApiProperty({ type: 'integer' }) promptTokens!: number;
  @ApiProperty({ type: 'integer' }) completionTokens!: number;
  @ApiProperty({ type: 'integer' }) totalTokens!: number;
  @ApiProperty({ example: '0.000012000', description: 'USD, decimal string' }) costUsd!: string;
}

/** The public shape of an execution (GET /v1/executions/:id). */
export class ExecutionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) agentId!: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) sessionId!: string | null;
  @ApiProperty({ enum: EXECUTION_STATUSES }) status!: ExecutionStatus;
  @ApiProperty({ type: 'integer', minimum: 1, maximum: 10 }) priority!: number;
  @ApiProperty({ type: ExecutionInputDto, description: 'empty once the payload is purged' })
  input!: ExecutionInput;
  @ApiProperty({ type: ExecutionOutputView, nullable: true }) output!: ExecutionOutput | null;
  @ApiProperty({ type: ExecutionErrorView, nullable: true }) error!: ExecutionError | null;
  @ApiProperty({ type: 'integer' }) attempts!: number;
  @ApiProperty({ type: 'integer' }) maxAttempts!: number;
  @ApiProperty({ type: 'integer', nullable: true }) timeoutMs!: number | null;
  @ApiProperty({
    type: RequiredActionView,
    nullable: true,
    description: 'while `requires_action`: the client tool calls to answer',
  })
  requiredAction!: RequiredActionView | null;
  @ApiProperty({
    type: Date,
    nullable: true,
    description: 'while `requires_action`: when the wait fails with action_timeout',
  })
  actionDeadline!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) runAt!: Date | null;
  @ApiProperty({ type: ExecutionUsageView }) usage!: ExecutionUsageView;
  @ApiProperty({ type: 'integer', nullable: true }) durationMs!: number | null;
  @ApiProperty({ type: String, nullable: true }) idempotencyKey!: string | null;
  @ApiProperty({ type: [String], nullable: true, description: 'memories the prompt used' })
  memoryIds!: string[] | null;
  @ApiProperty({
    type: [String],
    nullable: true,
    description: 'knowledge entries the prompt used (agents with knowledge enabled)',
  })
  knowledgeIds!: string[] | null;
  @ApiProperty() storeOutputAsMemory!: boolean;
  @ApiProperty({
    type: SaveOutputAsDto,
    nullable: true,
    description: 'on success, the output is stored as this knowledge entry',
  })
  saveOutputAs!: SaveOutputAs | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) handoffTo!: string | null;
  @ApiProperty({ type: 'integer' }) handoffDepth!: number;
  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  parentExecutionId!: string | null;
  @ApiProperty({ type: Date, nullable: true }) payloadPurgedAt!: Date | null;
  @ApiProperty({ description: 'output deltas are streamed to GET /v1/executions/:id/stream' })
  stream!: boolean;
  @ApiProperty({ type: ResponseFormatDto, nullable: true }) responseFormat!: ResponseFormat | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'cap on the cost across model steps (USD); reaching it: cost_limit_exceeded',
  })
  maxCostUsd!: string | null;
  @ApiProperty({
    type: 'integer',
    nullable: true,
    description: 'cap on prompt + completion tokens across model steps',
  })
  maxTokens!: number | null;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the execution this one reruns (POST /v1/executions/:id/rerun)',
  })
  rerunOf!: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    description:
      'the OpenTelemetry trace id of its submission (its spans, across processes); null when ' +
      'tracing was off',
  })
  traceId!: string | null;
  @ApiProperty() queuedAt!: Date;
  @ApiProperty({ type: Date, nullable: true }) startedAt!: Date | null;
  @ApiProperty({ type: Date, nullable: true }) completedAt!: Date | null;
  @ApiProperty() createdAt!: Date;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the API key that submitted it (or its plan, schedule or parent execution)',
  })
  apiKeyId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'the end user it ran for' })
  user!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Record<string, unknown>;
}

/** GET /v1/executions/:id: the execution and what links to it. */
export class ExecutionDetailView extends ExecutionView {
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'the plan whose task it runs',
  })
  planId!: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'that task’s key in the plan' })
  planTaskKey!: string | null;
  @ApiProperty({
    type: [String],
    description: 'executions that rerun this one, newest first (at most 50)',
  })
  reruns!: string[];
}

export class ExecutionPage {
  @ApiProperty({ type: [ExecutionView] }) data!: ExecutionView[];
  @ApiProperty({ type: String, nullable: true, description: 'pass as ?cursor= for the next page' })
  nextCursor!: string | null;
}

export class SubmittedExecutionView extends ExecutionView {
  @ApiProperty({ description: 'false when an idempotency key matched an earlier submission' })
  created!: boolean;
}

export class ExecutionBatchView {
  @ApiProperty({ type: [SubmittedExecutionView], description: 'in the order submitted' })
  data!: SubmittedExecutionView[];
}

/** Who an execution runs for; the first (snapshot) event of GET /v1/executions/:id/events has it. */
export class AttributionView {
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) apiKeyId!: string | null;
  @ApiProperty({ type: String, nullable: true }) user!: string | null;
  @ApiProperty({ type: [String] }) tags!: string[];
  @ApiProperty({ type: 'object', additionalProperties: true }) metadata!: Record<string, unknown>;
}

/**
 * One lifecycle event as sent on GET /v1/executions/:id/events: the `data:` of each
 * Server-Sent Event is this object as JSON, its `event:` the type and its `id:` the `id`.
 */
export class ExecutionEventView {
  @ApiProperty({
    example: '1.started',
    description: '`<attempt>.<phase>`: ordered, and what Last-Event-ID resumes after',
  })
  id!: string;
  @ApiProperty({ enum: EXECUTION_EVENT_TYPES }) type!: ExecutionEventType;
  @ApiProperty({ format: 'uuid' }) executionId!: string;
  @ApiProperty({ format: 'uuid' }) agentId!: string;
  @ApiProperty({ enum: EXECUTION_STATUSES }) status!: ExecutionStatus;
  @ApiProperty({ type: 'integer', required: false }) attempt?: number;
  @ApiProperty({ type: ExecutionErrorView, required: false }) error?: ExecutionError;
  @ApiProperty({ type: RequiredActionView, required: false, description: 'requires_action events' })
  requiredAction?: RequiredActionView;
  @ApiProperty({ description: 'when the transition happened (not when it was sent)' })
  at!: string;
  @ApiProperty({
    type: AttributionView,
    required: false,
    description: 'the first event only (the current state): who the execution runs for',
  })
  attribution?: AttributionView;
}

/** Built in libs/executions (webhook deliveries carry the same shape); typed here for OpenAPI. */
export function toExecutionView(row: AgentExecution): ExecutionView {
  return executionViewOf(row);
}

/** One model call or tool call of an execution (GET /v1/executions/:id/steps). */
export class ExecutionStepView {
  @ApiProperty({ type: 'integer' }) index!: number;
  @ApiProperty({ enum: ['model', 'tool'] }) type!: 'model' | 'tool';
  @ApiProperty({ description: 'the model, or the tool' }) name!: string;
  @ApiProperty({ type: String, nullable: true, description: 'tool steps' })
  toolCallId!: string | null;
  @ApiProperty({
    description: 'tool steps: the arguments the model gave',
    ...jsonValueSchema({ nullable: true }),
  })
  arguments!: unknown;
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'the answer (model) or output (tool), at most 16 KiB',
  })
  result!: string | null;
  @ApiProperty({ type: 'integer', nullable: true, description: 'the full length of the result' })
  resultLength!: number | null;
  @ApiProperty({ type: [ToolCallView], nullable: true, description: 'model steps' })
  toolCalls!: ToolCallView[] | null;
  @ApiProperty({ type: ExecutionUsageView, nullable: true, description: 'model steps' })
  usage!: ExecutionUsageView | null;
  @ApiProperty({ type: 'integer' }) attempt!: number;
  @ApiProperty({ type: 'integer', nullable: true }) durationMs!: number | null;
  @ApiProperty({ type: ExecutionErrorView, nullable: true }) error!: ExecutionError | null;
  @ApiProperty() startedAt!: Date;
  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'model steps: the provider that answered (the agent’s or a fallback)',
  })
  providerId!: string | null;
  @ApiProperty({
    type: [PassedOverModelView],
    nullable: true,
    description: 'model steps: fallback chain entries passed over before the one that answered',
  })
  fallbackFrom!: PassedOverModelView[] | null;
  @ApiProperty({
    description: 'copied from the execution this one reruns: not called or charged again',
  })
  reused!: boolean;
}

export function toExecutionStepView(step: ExecutionStep): ExecutionStepView {
  return {
    index: step.index,
    type: step.type,
    name: step.name,
    toolCallId: step.toolCallId,
    arguments: step.arguments,
    result: step.result,
    resultLength: step.resultLength,
    toolCalls: step.toolCalls,
    usage:
      step.type === 'model'
        ? {
            promptTokens: step.promptTokens,
            completionTokens: step.completionTokens,
            totalTokens: step.promptTokens + step.completionTokens,
            costUsd: step.costUsd,
          }
        : null,
    attempt: step.attempt,
    durationMs: step.durationMs,
    error: step.error,
    startedAt: step.startedAt,
    providerId: step.type === 'model' ? step.providerId : null,
    fallbackFrom: step.fallbackFrom,
    reused: step.reused ?? false,
  };
}
