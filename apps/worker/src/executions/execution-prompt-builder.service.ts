import { Injectable } from '@nestjs/common';
import { ChatMessage } from '@agentq/database';
import { buildSystemPrompt, toChatMessages } from '@agentq/llm';
import { ClaimedExecution } from './claimed-execution';

export interface ExecutionPrompt {
  systemPrompt: string;
  messages: ChatMessage[];
}

/** What the provider is asked: the agent's system prompt and the conversation to answer. */
@Injectable()
export class ExecutionPromptBuilder {
  async build(execution: ClaimedExecution): Promise<ExecutionPrompt> {
    return {
      systemPrompt: buildSystemPrompt(execution.agent),
      messages: toChatMessages(execution.input),
    };
  }
}
