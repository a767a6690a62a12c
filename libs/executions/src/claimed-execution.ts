import { AgentTool, ExecutionInput, LlmConfig, ModelPricing, ProviderType } from '@agentq/database';

/** Everything one attempt needs, loaded by the same statement that marks it running. */
export interface ClaimedExecution {
  id: string;
  tenantId: string;
  agentId: string;
  sessionId: string | null;
  input: ExecutionInput;
  attempts: number;
  maxAttempts: number;
  timeoutMs: number | null;
  /** The row asks for a follow-up on success whatever the output (a handoff target, memory). */
  hasFollowUpFlags: boolean;
  /** When this attempt's claim was committed. */
  startedAt: Date;
  agent: {
    role: string;
    backstory: string | null;
    goal: string | null;
    status: string;
    llmConfig: LlmConfig;
    enableMemory: boolean;
    tools: AgentTool[];
    maxSteps: number;
  };
  /** The submission's wait for client tool outputs, else the agent's; null for the default. */
  actionTimeoutMs: number | null;
  provider: {
    id: string;
    type: ProviderType;
    baseUrl: string | null;
    apiKeyCiphertext: string | null;
    settings: Record<string, unknown>;
    pricing: ModelPricing | null;
    isActive: boolean;
    updatedAt: Date;
  };
  /** Spend limits in USD (decimal strings), null where none is set. */
  budgets: {
    agentDailyUsd: string | null;
    agentMonthlyUsd: string | null;
    tenantDailyUsd: string | null;
    tenantMonthlyUsd: string | null;
  };
}
