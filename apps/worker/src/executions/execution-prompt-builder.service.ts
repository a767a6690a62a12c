import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  buildSessionHistory,
  inputText,
  MEMORY_CANDIDATE_LIMIT,
  MemoryCandidate,
  readMemoryCandidates,
  selectMemoriesWithinBudget,
  SessionTurn,
} from '@agentq/agent-context';
import { APP_CONFIG, AppConfig } from '@agentq/config';
import { inTenantTransaction } from '@agentq/database';
import { ChatMessage } from '@agentq/database';
import { buildSystemPrompt, toChatMessages } from '@agentq/llm';
import { DataSource } from 'typeorm';
import {
  ClaimedExecution,
  readSessionTurns,
  recordKnowledgeUse,
  recordMemoryUse,
} from '@agentq/executions';
import { knowledgePromptSection } from '@agentq/knowledge';
import { KnowledgeRetrieval } from '../knowledge/knowledge-retrieval.service';

export interface ExecutionPrompt {
  systemPrompt: string;
  messages: ChatMessage[];
}

// Earlier turns read for history at most; the token budget usually stops well before.
const HISTORY_TURN_LIMIT = 100;

/**
 * What the provider is asked: the agent's system prompt with its most relevant memories (when
 * the agent has memory enabled), then the session's earlier turns as chat history (when the
 * execution belongs to a session), then the execution's own input.
 */
@Injectable()
export class ExecutionPromptBuilder {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly knowledge: KnowledgeRetrieval,
  ) {}

  async build(execution: ClaimedExecution): Promise<ExecutionPrompt> {
    const [memories, history, knowledge] = await Promise.all([
      this.memoriesFor(execution),
      this.historyFor(execution),
      this.knowledgeFor(execution),
    ]);
    const systemPrompt = buildSystemPrompt(execution.agent, memories);
    return {
      systemPrompt: knowledge ? `${systemPrompt}\n\n${knowledge}` : systemPrompt,
      messages: [...history, ...toChatMessages(execution.input)],
    };
  }

  // The top memories by relevance to the input, importance and recency, within the budget.
  private async memoriesFor(execution: ClaimedExecution): Promise<MemoryCandidate[]> {
    if (!execution.agent.enableMemory) return [];
    const candidates = await inTenantTransaction(this.dataSource, execution.tenantId, (manager) =>
      readMemoryCandidates(
        manager,
        execution.agentId,
        inputText(execution.input),
        MEMORY_CANDIDATE_LIMIT,
      ),
    );
    if (candidates === null) return []; // memory is off for this agent
    const chosen = selectMemoriesWithinBudget(
      candidates,
      this.config.agentContext.memoryTokenBudget,
    );
    await inTenantTransaction(this.dataSource, execution.tenantId, (manager) =>
      recordMemoryUse(
        manager,
        execution.id,
        chosen.map((memory) => memory.id),
      ),
    );
    return chosen;
  }

  // The agent's `knowledge`: the top entries for the input, within its token budget.
  private async knowledgeFor(execution: ClaimedExecution): Promise<string> {
    const config = execution.agent.knowledge;
    if (!config?.enabled) return '';
    const found = await this.knowledge.forAgent(
      execution.tenantId,
      execution.agentId,
      config,
      inputText(execution.input),
    );
    const section = knowledgePromptSection(found, config.maxTokens);
    await inTenantTransaction(this.dataSource, execution.tenantId, (manager) =>
      recordKnowledgeUse(manager, execution.id, section.entryIds),
    );
    return section.text;
  }

  private async historyFor(execution: ClaimedExecution): Promise<ChatMessage[]> {
    const budget = this.config.agentContext.historyTokenBudget;
    if (!execution.sessionId || budget <= 0) return [];
    const sessionId = execution.sessionId;
    const turns = await inTenantTransaction(this.dataSource, execution.tenantId, (manager) =>
      readSessionTurns<SessionTurn>(manager, sessionId, execution.id, HISTORY_TURN_LIMIT),
    );
    return buildSessionHistory(turns, budget);
  }
}
