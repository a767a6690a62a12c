import {
  AgentKnowledgeConfig,
  AgentTool,
  ExecutionInput,
  LlmConfig,
  ModelPricing,
  ProviderRateLimit,
  ProviderType,
  ResponseFormat,
} from '@agentq/database';
import { ExecutionAttribution } from '../attribution/attribution';

/** Everything one attempt needs, loaded by the same statement that marks it running. */
export interface ClaimedExecution {
  id: string;
  tenantId: string;
  agentId: string;
  sessionId: string | null;
  input: ExecutionInput;
  /** 1 (lowest) .. 10 (most urgent), as the API takes it. */
  priority: number;
  attempts: number;
  maxAttempts: number;
  timeoutMs: number | null;
  /** The row asks for a follow-up on success whatever the output (a handoff target, memory). */
  hasFollowUpFlags: boolean;
  /** Output deltas go to the execution's stream (ExecutionStream). */
  stream: boolean;
  responseFormat: ResponseFormat | null;
  /** When this attempt's claim was committed. */
  startedAt: Date;
  /** Who it runs for: API key, end user, tags, metadata (OTel attributes, per-key limits). */
  attribution: ExecutionAttribution;
  agent: {
    role: string;
    backstory: string | null;
    goal: string | null;
    status: string;
    llmConfig: LlmConfig;
    enableMemory: boolean;
    /** At most this many of the agent's executions run at once, cluster-wide; null: no limit. */
    maxConcurrency: number | null;
    /** What maxConcurrencyPerKey counts by (`user`, `apiKey`, `metadata.<key>`); null: nothing. */
    concurrencyKey?: string | null;
    /** At most this many of the agent's executions per key value run at once, cluster-wide. */
    maxConcurrencyPerKey?: number | null;
    tools: AgentTool[];
    maxSteps: number;
    /** Http tools (by name) that check the input before any model call, and the final output. */
    inputGuard?: string | null;
    outputGuard?: string | null;
    knowledge: AgentKnowledgeConfig | null;
  };
  /** The submission's wait for client tool outputs, else the agent's; null for the default. */
  actionTimeoutMs: number | null;
  /** Caps across the execution's model steps; null where none is set. */
  limits: ExecutionLimits;
  provider: {
    id: string;
    type: ProviderType;
    baseUrl: string | null;
    apiKeyCiphertext: string | null;
    settings: Record<string, unknown>;
    pricing: ModelPricing | null;
    rateLimit: ProviderRateLimit | null;
    isActive: boolean;
    updatedAt: Date;
  };
  /** Spend limits in USD (decimal strings), null where none is set. */
  budgets: {
    agentDailyUsd: string | null;
    agentMonthlyUsd: string | null;
    tenantDailyUsd: string | null;
    tenantMonthlyUsd: string | null;
    /** The tenant's limit for each end user; null also when the execution names no user. */
    endUserDailyUsd?: string | null;
    endUserMonthlyUsd?: string | null;
    /** The submitting key's limits. */
    apiKeyDailyUsd?: string | null;
    apiKeyMonthlyUsd?: string | null;
  };
}

/** Caps across all of an execution's model steps: USD (decimal string) and prompt + completion tokens. */
export interface ExecutionLimits {
  maxCostUsd: string | null;
  maxTokens: number | null;
}
