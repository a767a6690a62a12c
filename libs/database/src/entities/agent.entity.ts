import {
  Column,
  CreateDateColumn,
  Entity,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';

export const AGENT_STATUSES = ['draft', 'active', 'paused', 'archived'] as const;
export type AgentStatus = (typeof AGENT_STATUSES)[number];

export interface LlmConfig {
  model: string;
  temperature?: number;
  maxTokens?: number;
  topP?: number;
  stop?: string[];
  /** Tried in order when the provider before fails in a retryable way (at most 3). */
  fallbacks?: FallbackModel[];
  /** A 429 or pause longer than this moves to the next entry instead of waiting (ms). */
  fallbackAfterMs?: number;
  /** A call that takes longer is abandoned as provider_timeout (and may fall back). */
  callTimeoutMs?: number;
}

/** One entry of a fallback chain: another provider of the tenant, and the model to ask it for. */
export interface FallbackModel {
  providerId: string;
  model: string;
}

// A JSON Schema document (checked as one with ajv where it comes in).
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- any JSON object; TypeORM's deep-partial types reject `unknown` values
export type JsonSchema = { [key: string]: any };

/** Asks the model for JSON matching `schema` (a JSON Schema); the answer is validated against it. */
export interface ResponseFormat {
  type: 'json_schema';
  name: string;
  schema: JsonSchema;
  /** OpenAI's strict mode (the schema must then follow its subset); off unless set. */
  strict?: boolean;
}

/** A secret header value of an http tool: sealed like provider keys, shown as its last 4. */
export interface SealedHeader {
  ciphertext: string;
  last4: string;
}

interface ToolBase {
  name: string;
  description: string;
  // A JSON Schema (validated as one on write) for the tool's arguments.
  parameters: object;
}

/** Called by the worker: a signed POST to `url`. */
export interface HttpTool extends ToolBase {
  type: 'http';
  url: string;
  timeoutMs: number | null;
  headers: Record<string, SealedHeader>;
  /** `always`: each call waits in `requires_action` for a person's decision first. */
  approval?: ToolApproval;
}

export const TOOL_APPROVALS = ['always', 'never'] as const;
export type ToolApproval = (typeof TOOL_APPROVALS)[number];

/** Run by the API client: the execution pauses in `requires_action` until it posts the output. */
export interface ClientTool extends ToolBase {
  type: 'client';
}

export type AgentTool = HttpTool | ClientTool;

export const DEFAULT_MAX_STEPS = 8;

/** How long a `requires_action` pause may wait for client tool outputs. */
export const ACTION_TIMEOUT_LIMITS = {
  minMs: 1_000,
  maxMs: 7 * 24 * 3_600_000,
  defaultMs: 3_600_000,
} as const;

/** `knowledge` on an agent: what it draws on from the knowledge base before each model call. */
export interface AgentKnowledgeConfig {
  enabled: boolean;
  collections?: string[];
  types?: string[];
  tags?: string[];
  /** Entries searched for the input at most. */
  topK: number;
  /** Tokens of knowledge the system prompt may take at most. */
  maxTokens: number;
}

@Entity('agents')
export class Agent {
  @PrimaryGeneratedColumn('uuid') id!: string;
  @Column('uuid') tenantId!: string;
  @Column('uuid') providerId!: string;
  @Column('text') name!: string;
  @Column('text') role!: string;
  @Column('text', { nullable: true }) backstory!: string | null;
  @Column('text', { nullable: true }) goal!: string | null;
  @Column('text', { nullable: true }) description!: string | null;
  @Column('text', { default: 'active' }) status!: AgentStatus;
  @Column('jsonb') llmConfig!: LlmConfig;
  @Column('boolean', { default: false }) enableMemory!: boolean;
  @Column('integer', { nullable: true }) maxConcurrency!: number | null;
  /** What the per-key limits count by: `user`, `apiKey` or `metadata.<key>`; null: no per-key limits. */
  @Column('text', { nullable: true }) concurrencyKey!: string | null;
  @Column('integer', { nullable: true }) maxConcurrencyPerKey!: number | null;
  /** Submissions a minute per key value, refused with 429 beyond it. */
  @Column('integer', { nullable: true }) rateLimitPerKey!: number | null;
  @Column('text', { nullable: true }) space!: string | null;
  @Column('text', { nullable: true }) owner!: string | null;
  /** What plan tasks may ask for instead of naming the agent. */
  @Column('text', { array: true, default: () => "'{}'" }) capabilities!: string[];
  /** Spend limits in USD (decimal strings); null is no limit. Checked before every attempt. */
  @Column('numeric', { precision: 20, scale: 9, nullable: true }) budgetDailyUsd!: string | null;
  @Column('numeric', { precision: 20, scale: 9, nullable: true }) budgetMonthlyUsd!: string | null;
  /** The default of executions that do not say: stream output deltas to GET .../stream. */
  @Column('boolean', { default: false }) stream!: boolean;
  @Column('jsonb', { nullable: true }) responseFormat!: ResponseFormat | null;
  @Column('jsonb', { default: () => "'[]'" }) tools!: AgentTool[];
  /** Model calls one execution may make. */
  @Column('integer', { default: DEFAULT_MAX_STEPS }) maxSteps!: number;
  /** How long an execution waits for client tool outputs; null is the default (1 h). */
  @Column('integer', { nullable: true }) actionTimeoutMs!: number | null;
  /** Default caps per execution across its model steps (USD decimal string, tokens); null: none. */
  @Column('numeric', { precision: 20, scale: 9, nullable: true }) maxCostUsd!: string | null;
  @Column('integer', { nullable: true }) maxTokens!: number | null;
  /** Http tools (by name) called with the input before any model call, and with the output. */
  @Column('text', { nullable: true }) inputGuard!: string | null;
  @Column('text', { nullable: true }) outputGuard!: string | null;
  @Column('jsonb', { nullable: true }) knowledge!: AgentKnowledgeConfig | null;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
  @UpdateDateColumn({ type: 'timestamptz' }) updatedAt!: Date;
}
