import { ChatMessage, ExecutionInput } from '@agentq/database';

export interface AgentPersona {
  role: string;
  backstory: string | null;
  goal: string | null;
}

export interface PromptMemory {
  type: string;
  content: string;
}

/**
 * The agent's system prompt: role, backstory and goal, then the memories in the order given
 * (the caller picks the top ones by importance and recency). Empty parts are left out.
 */
export function buildSystemPrompt(agent: AgentPersona, memories: PromptMemory[] = []): string {
  const sections = [
    section('Role', agent.role),
    section('Backstory', agent.backstory),
    section('Goal', agent.goal),
    section('What you remember', memoryList(memories)),
  ];
  return sections.filter((text) => text !== null).join('\n\n');
}

function section(title: string, body: string | null): string | null {
  const text = body?.trim();
  return text ? `## ${title}\n${text}` : null;
}

function memoryList(memories: PromptMemory[]): string {
  return memories
    .map(({ type, content }) => ({ type, content: content.trim() }))
    .filter(({ content }) => content.length > 0)
    .map(({ type, content }) => `- (${type}) ${content.replace(/\n/g, '\n  ')}`)
    .join('\n');
}

/** The conversation to send: the given messages, or the single message as a user turn. */
export function toChatMessages(input: ExecutionInput): ChatMessage[] {
  if (input.messages?.length) return input.messages.map(({ role, content }) => ({ role, content }));
  return input.message === undefined ? [] : [{ role: 'user', content: input.message }];
}
