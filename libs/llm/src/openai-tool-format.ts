import OpenAI from 'openai';
import { ToolCall } from '@agentq/database';
import { hasToolCalls, LlmMessage, LlmTool } from './llm-provider.port';
import { isObject } from './sdk-call';

type OpenAiMessage = OpenAI.ChatCompletionMessageParam;

/** Our messages in Chat Completions form: `tool_calls` on the assistant, role `tool` answers. */
export function toOpenAiMessages(messages: readonly LlmMessage[]): OpenAiMessage[] {
  return messages.map((message): OpenAiMessage => {
    if (message.role === 'tool') {
      return { role: 'tool', tool_call_id: message.toolCallId, content: message.content };
    }
    if (hasToolCalls(message)) {
      return {
        role: 'assistant',
        content: message.content || null,
        tool_calls: message.toolCalls.map((call) => ({
          id: call.id,
          type: 'function',
          function: { name: call.name, arguments: JSON.stringify(call.arguments ?? {}) },
        })),
      };
    }
    return message;
  });
}

export function openAiToolParams(
  tools: readonly LlmTool[] | undefined,
): Pick<OpenAI.ChatCompletionCreateParamsNonStreaming, 'tools'> {
  if (!tools?.length) return {};
  return {
    tools: tools.map((tool) => ({
      type: 'function',
      function: { name: tool.name, description: tool.description, parameters: tool.parameters },
    })),
  };
}

/** The function calls of a completion's message; arguments that are not JSON stay a string. */
export function openAiToolCalls(message: { tool_calls?: unknown }): ToolCall[] {
  if (!Array.isArray(message.tool_calls)) return [];
  return message.tool_calls.flatMap((call): ToolCall[] => {
    if (!isObject(call) || call.type !== 'function' || !isObject(call.function)) return [];
    const { name, arguments: raw } = call.function as { name?: unknown; arguments?: unknown };
    if (typeof call.id !== 'string' || typeof name !== 'string') return [];
    return [{ id: call.id, name, arguments: parsedArguments(raw) }];
  });
}

function parsedArguments(raw: unknown): unknown {
  if (typeof raw !== 'string') return raw ?? {};
  if (raw.trim() === '') return {};
  try {
    return JSON.parse(raw);
  } catch {
    return raw;
  }
}
